import { next, shownState, type Standing, type StoredFacts, type TorrentEvent, type TorrentLifecycle } from '../../core/download-manager/torrent-lifecycle'
import type { StoredTorrent } from '../../protocol/stored-torrent'
import type { Settings } from '../../prefs/settings'
import { restartGoesOn } from '../../core/download-manager/stall'
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
 * `torrent`, present while it runs), and the state it is in (core/download-manager/torrent-lifecycle.ts).
 *
 * The state moves only when something happens to the torrent: whoever makes it happen (the
 * runner: started, metadata, checked, a verified piece, an error, a full disk, stopped; the
 * download manager: the queue planned; the engine: added, restored, pause, resume, files chosen
 * or wanted, a re-check) gives it the event with `apply(event)`, and the session takes the step
 * the lifecycle's `next` says, or refuses it, logged as a bug to find, and stays where it was.
 * Snapshots read `state`, and nothing else moves it.
 */
export class TorrentSession {
  piecesChecked = 0
  queued = false
  uploadedNow = 0
  private current: TorrentLifecycle = { name: 'queued' }

  constructor(readonly infoHash: string, public stored: StoredTorrent, private readonly context: SessionContext) {}

  /** The state it is in: queued until the engine lists it (added, restored). */
  get state(): TorrentLifecycle {
    return this.current
  }

  /** Something happened: takes the step the lifecycle gives, unless it refuses it. */
  apply(event: TorrentEvent): TorrentLifecycle {
    const step = next(this.current, event)
    if ('refused' in step) {
      console.error(`torrent ${this.infoHash}: illegal transition ${step.refused.from} → ${step.refused.to ?? '?'} (${event.type}), refused`)
      return this.current
    }
    this.current = step.state
    // the label a stall restart keeps (snapshot.ts) ends here, with the event that ends the restart
    if (this.restartingFrom !== undefined && !restartGoesOn(event, shownState(step.state))) delete this.restartingFrom
    return step.state
  }

  /** Where it stands for the events whose target depends on it: complete, kept waiting by the queue, a seeding goal met. */
  standing(): Standing {
    return { complete: isComplete(this), waiting: this.queued, goal: metSeedingGoal(this, this.context.settings()) }
  }

  /** What its stored record says of it, for its first state when the engine lists it (added, restored). */
  storedFacts(): StoredFacts {
    const { awaitingFiles, paused, pausedBecause } = this.stored
    return {
      ...(this.error ? { error: this.error.code } : {}),
      choosing: Boolean(awaitingFiles && this.metainfo),
      paused: Boolean(paused),
      ...(pausedBecause ? { pausedBecause: pausedBecause.code } : {}),
      complete: isComplete(this),
      goal: metSeedingGoal(this, this.context.settings()),
    }
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

/**
 * Gives the session of a record an event (see TorrentSession.apply), or makes it from the session
 * (for events that carry where it stands); a record without one (a test's) has no state to move.
 */
export function raise(record: TorrentRecord, event: TorrentEvent | ((session: TorrentSession) => TorrentEvent)): void {
  if (record instanceof TorrentSession) record.apply(typeof event === 'function' ? event(record) : event)
}
