import type { EngineEvent, TorrentSnapshot } from '../../protocol/engine-events'
import type { BridgeLink } from '../peer-connection/bridge-link'
import type { Persistence } from './persistence'
import { closeIfBothSeed } from '../peer-connection/seed-to-seed'
import { isComplete, type TorrentRecord } from './snapshot'
import { raise } from './torrent-session'

/** What a torrent's completion tells the engine around it. */
export interface CompletionHost {
  emit(event: EngineEvent): void
  snapshotOf(record: TorrentRecord): TorrentSnapshot
  /** A torrent finished: the queue may now seed it, or start the next one. */
  applyQueue(): void
}

/**
 * A torrent's wanted pieces changed (a piece verified, webtorrent's check ended, the person
 * wanted other files): its session hears of it, and once every wanted piece is verified, the
 * first time in this run, the history, the "done" notice, and the queue moves on to seeding.
 */
export function checkComplete(record: TorrentRecord, persistence: Persistence, bridge: BridgeLink | undefined, host: CompletionHost): void {
  raise(record, (session) => ({ type: 'pieces-changed', ...session.standing() }))
  if (!isComplete(record)) {
    record.completeHandled = false
    return
  }
  // Seeding time counts in every run that seeds: after a restore or a wait in the queue too.
  if (record.torrent) record.seedingSince ??= Date.now()
  if (record.completeHandled) return
  record.completeHandled = true
  bridge?.completed(record.infoHash)
  if (!record.stored.finishedAt) {
    record.stored.finishedAt = Date.now()
    void persistence.saveTorrent(record.stored)
    void persistence.addHistory({ infoHash: record.infoHash, name: record.stored.name, length: record.metainfo?.length ?? 0, finishedAt: record.stored.finishedAt })
      .then(() => host.emit({ type: 'history' }))
  }
  void persistence.flush()
  for (const wire of record.torrent?.wires ?? []) closeIfBothSeed(wire, () => isComplete(record))
  host.emit({ type: 'done', torrent: host.snapshotOf(record) })
  host.applyQueue()
}
