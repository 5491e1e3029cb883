import type { EngineEvent, TorrentSnapshot } from '../../protocol/engine-events'
import { QuotaWatch, spaceShortfall } from './quota-watch'
import type { TorrentRecord } from './snapshot'

/** What full-disk handling needs of the engine around it. */
export interface FullDiskHost {
  records(): Iterable<TorrentRecord>
  snapshotOf(record: TorrentRecord): TorrentSnapshot
  emit(event: EngineEvent): void
  resume(infoHash: string): Promise<void>
}

/**
 * The browser's storage running out: a warning before a torrent starts when it cannot hold what
 * the torrent still needs, and, once a full disk paused torrents (the runner's disk-full), a watch
 * that resumes them when space is freed.
 */
export class FullDisk {
  private readonly watch: QuotaWatch

  constructor(private readonly host: FullDiskHost) {
    this.watch = new QuotaWatch(() => this.resumePaused())
  }

  /** A full disk paused a torrent: watch for freed space. */
  paused(): void {
    this.watch.start()
  }

  /** Says so before starting when the browser's storage cannot hold what the torrent needs. */
  async checkSpace(record: TorrentRecord): Promise<void> {
    const metainfo = record.metainfo
    if (!metainfo) return
    const { wantedLength, downloaded } = this.host.snapshotOf(record)
    const message = await spaceShortfall(metainfo.name, wantedLength - downloaded)
    if (message) this.host.emit({ type: 'notice', level: 'error', infoHash: record.infoHash, message })
  }

  /** Space was freed: restart what a full disk paused; whether any torrent still waited. */
  private resumePaused(): boolean {
    const waiting = [...this.host.records()].filter((record) => record.stored.pausedBecause?.code === 'QUOTA')
    for (const record of waiting) void this.host.resume(record.infoHash)
    return waiting.length > 0
  }
}
