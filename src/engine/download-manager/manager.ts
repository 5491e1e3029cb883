import { goalStep, planQueue } from '../../core/download-manager/queue'
import { PROGRESS_TICK_MS } from '../../core/download-manager/snapshot-cadence'
import { stallStep } from '../../core/download-manager/stall'
import type { Settings } from '../../prefs/settings'
import type { Persistence } from './persistence'
import { isComplete, metSeedingGoal, type TorrentRecord } from './snapshot'
import type { TorrentSession } from './torrent-session'

/**
 * The download manager: decides which torrents run, and starts and stops their sessions
 * (torrent-session.ts); how each runs, and the state it is in, is the session's. The queue (in the user's order) lets only so
 * many download and seed at once; a torrent that met its seeding goal stops; one that wants peers
 * and has none for a while is restarted. Checked on every progress tick.
 */
export class DownloadManager {
  private progressTimer: ReturnType<typeof setInterval> | undefined

  constructor(
    private readonly records: ReadonlyMap<string, TorrentSession>,
    private readonly persistence: Persistence,
    private readonly settings: () => Settings,
    /** 'tick': only the snapshots due (snapshot-cache.ts); otherwise every one afresh. */
    private readonly onProgress: (scope?: 'all' | 'tick') => void,
  ) {}

  /** Starts and stops torrents so that what runs is what the queue and the goals allow. */
  applyQueue(): void {
    const order = this.queueOrder()
    const settings = this.settings()
    const plan = planQueue(order.map((record) => ({
      infoHash: record.infoHash,
      paused: record.stored.paused || Boolean(record.error),
      complete: isComplete(record),
      goalReached: this.goalReached(record),
    })), { maxActiveDownloads: settings.maxActiveDownloads, maxActiveSeeds: settings.maxActiveSeeds })
    const waiting = { download: 0, seed: 0 }
    for (const record of order) {
      record.queued = plan.queued.has(record.infoHash)
      record.queuePosition = record.queued ? ++waiting[isComplete(record) ? 'seed' : 'download'] : 0
      record.apply({ type: 'queue-planned', ...record.standing() })
      if (plan.active.has(record.infoHash)) void record.start()
      else if (record.torrent) void record.stop()
    }
  }

  /** Moves a torrent up (-1) or down (+1) in the queue. */
  async move(infoHash: string, delta: -1 | 1): Promise<void> {
    const order = this.queueOrder()
    const index = order.findIndex((record) => record.infoHash === infoHash)
    const other = order[index + delta]
    const record = order[index]
    if (!record || !other) return
    const [a, b] = [rank(record), rank(other)]
    record.stored.queueRank = b
    other.stored.queueRank = a === b ? b - delta : a
    await Promise.all([this.persistence.saveTorrent(record.stored), this.persistence.saveTorrent(other.stored)])
    this.applyQueue()
    this.onProgress()
  }

  goalReached(record: TorrentRecord): boolean {
    return metSeedingGoal(record, this.settings()) !== null
  }

  startTicking(): void {
    this.progressTimer ??= setInterval(() => this.tick(), PROGRESS_TICK_MS)
  }

  private queueOrder(): TorrentSession[] {
    return [...this.records.values()].sort((a, b) => rank(a) - rank(b))
  }

  private tick(): void {
    if (this.records.size === 0) {
      clearInterval(this.progressTimer)
      this.progressTimer = undefined
    }
    for (const record of this.records.values()) {
      // not running, no goal or stall under way: nothing to step (a thousand stopped torrents, every tick)
      if (!record.torrent && record.goalMetSince === undefined && record.stall?.noPeersSince === undefined) continue
      const goal = goalStep(Boolean(record.torrent) && isComplete(record) && this.goalReached(record), record.goalMetSince, Date.now())
      record.goalMetSince = goal.since
      if (goal.stop) {
        record.goalMetSince = undefined
        void record.stop().then(() => this.onProgress())
      } else if (goal.since === undefined) {
        this.restartIfStalled(record)
      }
    }
    this.onProgress('tick')
  }

  /** A torrent that wants peers and has had none for a while is restarted (see core/stall). */
  private restartIfStalled(record: TorrentSession): void {
    const torrent = record.torrent
    // Checking local data (a re-check, or resume without resume data) needs no peers.
    const checking = Boolean(record.metainfo) && !torrent?.ready
    const wantsPeers = Boolean(torrent) && !record.starting && !checking && !isComplete(record)
    const step = stallStep(record.stall ?? {}, wantsPeers, torrent?.numPeers ?? 0, Date.now())
    record.stall = step.state
    if (!step.restart) return
    // its label stays "Getting metadata" or "Looking for peers" through the stop and start (see shownThroughRestart)
    record.restartingFrom = record.state.name
    void record.stop().then(() => this.applyQueue())
  }
}

/** A torrent's place in the queue: where the user moved it, else when it was added. */
function rank(record: TorrentRecord): number {
  return record.stored.queueRank ?? record.stored.addedAt
}
