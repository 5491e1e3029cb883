import { checkedLimits, limitsOf, type SpeedLimits } from '../../core/download-manager/speed-limits'
import type { FilePriority } from '../../protocol/stored-torrent'
import { applyChoice, type FileChoice } from './file-choice'
import type { DownloadManager } from './manager'
import type { Persistence } from './persistence'
import { isComplete } from './snapshot'
import type { TorrentRunner } from './torrent-runner'
import type { TorrentSession } from './torrent-session'

/** What the controls need of the engine around them. */
export interface ControlsHost {
  /** The UI hears of the change. */
  progress(): void
  /** Says so when the browser's storage cannot hold what the torrent needs (full-disk.ts). */
  checkSpace(record: TorrentSession): void
}

/**
 * What the person does to one listed torrent (the engine's buttons: pause, resume, re-check,
 * files wanted or chosen, order, speed limits): each changes what persists, gives the session
 * its event, and lets the download manager replan.
 */
export class TorrentControls {
  constructor(
    private readonly records: ReadonlyMap<string, TorrentSession>,
    private readonly persistence: Persistence,
    private readonly runner: TorrentRunner,
    private readonly manager: DownloadManager,
    private readonly host: ControlsHost,
  ) {}

  async pause(infoHash: string): Promise<void> {
    const record = this.records.get(infoHash)
    if (!record || record.stored.paused) return
    record.stored.paused = true
    delete record.stored.pausedBecause
    record.apply({ type: 'paused', complete: isComplete(record) })
    await this.persistence.saveTorrent(record.stored)
    await record.stop()
    this.host.progress()
    this.manager.applyQueue()
  }

  async resume(infoHash: string): Promise<void> {
    const record = this.records.get(infoHash)
    if (!record) return
    record.stored.paused = false
    delete record.stored.pausedBecause
    delete record.error
    // Seed, pressed after a goal stopped it, seeds on past the goals (as Transmission does).
    if (isComplete(record) && this.manager.goalReached(record)) record.stored.seedPastGoal = true
    record.apply({ type: 'resumed', ...record.standing() })
    await this.persistence.saveTorrent(record.stored)
    this.manager.applyQueue()
    this.host.progress()
  }

  /** Re-hashes every piece on disk (after the user changed files, or to be sure). */
  async recheck(infoHash: string): Promise<void> {
    const record = this.records.get(infoHash)
    if (!record?.metainfo) return
    await record.stop()
    delete record.bitfield
    record.forceFullCheck = true
    record.apply({ type: 'recheck' })
    this.manager.applyQueue()
    if (!record.torrent) void record.start()
  }

  async setFilePriority(infoHash: string, fileIndex: number, priority: FilePriority): Promise<void> {
    const record = this.records.get(infoHash)
    if (!record?.metainfo) return
    // a new array, not the old one changed: snapshots' memos (snapshot.ts) know a change by it
    const priorities = [...(record.stored.priorities ?? record.metainfo.files.map(() => 1 as FilePriority))]
    priorities[fileIndex] = priority
    record.stored.priorities = priorities
    await this.persistence.saveTorrent(record.stored)
    if (record.torrent?.ready) this.runner.applySelection(record, record.torrent)
    this.runner.checkComplete(record)
    this.manager.applyQueue()
    this.host.progress()
  }

  /** The files chosen for a magnet that waited for its metadata (AddOptions.askFiles): now it downloads. */
  async chooseFiles(infoHash: string, choice: FileChoice): Promise<void> {
    const record = this.records.get(infoHash)
    if (!record?.metainfo || !record.stored.awaitingFiles) return
    applyChoice(record.stored, record.metainfo, choice.priorities)
    record.apply({ type: 'files-chosen', running: Boolean(record.torrent), checked: Boolean(record.torrent?.ready), paused: record.stored.paused, ...record.standing() })
    await this.persistence.saveTorrent(record.stored)
    if (record.torrent?.ready) this.runner.applySelection(record, record.torrent)
    if (choice.paused) await this.pause(infoHash)
    this.host.checkSpace(record)
    this.manager.applyQueue()
    this.host.progress()
  }

  async setSequential(infoHash: string, sequential: boolean): Promise<void> {
    const record = this.records.get(infoHash)
    if (!record) return
    record.stored.sequential = sequential
    if (record.torrent) record.torrent.strategy = sequential ? 'sequential' : 'rarest'
    await this.persistence.saveTorrent(record.stored)
    this.host.progress()
  }

  /** A torrent's own speed limits (bytes/s, 0 = none), under the global ones; kept, and applied at once. */
  async setSpeedLimits(infoHash: string, limits: Partial<SpeedLimits>): Promise<void> {
    const record = this.records.get(infoHash)
    if (!record) return
    Object.assign(record.stored, checkedLimits(limits))
    await this.persistence.saveTorrent(record.stored)
    if (record.torrent) this.runner.limits.set(record.torrent, limitsOf(record.stored))
    this.host.progress()
  }
}
