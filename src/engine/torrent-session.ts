import { canTransition, lifecycleOf, type TorrentLifecycle } from '../core/torrent-lifecycle'
import type { StoredTorrent } from '../protocol/stored-torrent'
import type { Settings } from '../prefs/settings'
import { isComplete, metSeedingGoal, type TorrentRecord } from './snapshot'

// The session is the record (what the runner and the manager work on) plus the state it owns.
export interface TorrentSession extends TorrentRecord {}

/**
 * One torrent in the engine: what it keeps of the torrent beside webtorrent's object, and the
 * state it is in (core/torrent-lifecycle.ts). The state moves only along the lifecycle's legal
 * transitions: each `sync` reads what changed and takes the step; snapshots read the state
 * from here. A step the lifecycle calls illegal is still taken (the torrent is where it is) but
 * logged, as a bug to find.
 */
export class TorrentSession {
  piecesChecked = 0
  queued = false
  uploadedNow = 0
  private current: TorrentLifecycle | undefined

  constructor(readonly infoHash: string, public stored: StoredTorrent) {}

  /** Takes the step from the state it was in to the one what it knows now says. */
  sync(settings: Settings): TorrentLifecycle {
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
      goal: metSeedingGoal(this, settings),
    })
    const from = this.current?.name
    if (from && !canTransition(from, next.name)) console.warn(`torrent ${this.infoHash}: illegal transition ${from} → ${next.name}`)
    this.current = next
    return next
  }
}

/** The session a record belongs to: the engine makes every record as a session. */
export function sessionOf(record: TorrentRecord): TorrentSession {
  if (!(record instanceof TorrentSession)) throw new Error(`torrent ${record.infoHash} has no session`)
  return record
}
