import { canTransition, lifecycleOf, type TorrentLifecycle } from '../core/torrent-lifecycle'
import type { StoredTorrent } from '../protocol/stored-torrent'
import type { Settings } from '../prefs/settings'
import { isComplete, metSeedingGoal, type TorrentRecord } from './snapshot'

// The session is the record (what the runner and the manager work on) plus the state it owns.
export interface TorrentSession extends TorrentRecord {}

/** What a session needs around it: the settings (its seeding goals) and what runs it in webtorrent (torrent-runner.ts). */
export interface SessionContext {
  settings(): Settings
  runner: {
    start(record: TorrentRecord): Promise<void>
    stop(record: TorrentRecord, opts?: { destroyStore?: boolean }): Promise<void>
  }
}

/**
 * One torrent in the engine: what it keeps of the torrent beside webtorrent's object (its
 * `torrent`, present while it runs), and the state it is in (core/torrent-lifecycle.ts).
 *
 * The state moves only when something happens to the torrent: whoever makes it happen (the
 * runner: started, metadata, ready, a verified piece, an error, a full disk; the download
 * manager: the queue and the seeding goals; the engine: pause, resume, remove, files chosen or
 * wanted, a re-check) raises it with `raise(cause)`, and the session takes the step it leads to
 * (the lifecycle's rules, `lifecycleOf`) if the lifecycle allows it (`canTransition`). An illegal
 * step is refused and logged as a bug to find: the session stays where it was. Snapshots read
 * `state`, and nothing else moves it.
 */
export class TorrentSession {
  piecesChecked = 0
  queued = false
  uploadedNow = 0
  private current: TorrentLifecycle | undefined

  constructor(readonly infoHash: string, public stored: StoredTorrent, private readonly context: SessionContext) {}

  /** The state it is in: queued until the engine first raises it (added, restored). */
  get state(): TorrentLifecycle {
    return this.current ?? { name: 'queued' }
  }

  /** Something happened (`cause`, for the log): takes the step it leads to, unless the lifecycle forbids it. */
  raise(cause: string): TorrentLifecycle {
    const next = lifecycleOf({
      ...(this.error ? { error: this.error.code } : {}),
      awaitingFiles: Boolean(this.stored.awaitingFiles),
      hasMetadata: Boolean(this.metainfo),
      paused: Boolean(this.stored.paused),
      ...(this.stored.pausedBecause ? { pausedBecause: this.stored.pausedBecause.code } : {}),
      running: Boolean(this.torrent),
      ready: Boolean(this.torrent?.ready),
      queued: this.queued,
      complete: isComplete(this),
      goal: metSeedingGoal(this, this.context.settings()),
    })
    const from = this.current?.name
    if (from && !canTransition(from, next.name)) {
      console.error(`torrent ${this.infoHash}: illegal transition ${from} → ${next.name} (${cause}), refused`)
      return this.state
    }
    this.current = next
    return next
  }

  /** Runs it in webtorrent (the download manager's call, when the queue has a slot for it). */
  start(): Promise<void> {
    return this.context.runner.start(this)
  }

  /** Takes it out of webtorrent, keeping what it verified (`destroyStore`: its data too). */
  stop(opts?: { destroyStore?: boolean }): Promise<void> {
    return this.context.runner.stop(this, opts)
  }
}

/** The session a record belongs to: the engine makes every record as a session. */
export function sessionOf(record: TorrentRecord): TorrentSession {
  if (!(record instanceof TorrentSession)) throw new Error(`torrent ${record.infoHash} has no session`)
  return record
}

/** Raises the session of a record (see TorrentSession.raise); a record without one (a test's) has no state to move. */
export function raise(record: TorrentRecord, cause: string): void {
  if (record instanceof TorrentSession) record.raise(cause)
}
