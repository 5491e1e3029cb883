import { keepIfSame } from '../../core/download-manager/snapshot-delta'
import { sameItems, snapshotDue } from '../../core/download-manager/snapshot-cadence'
import type { PeerSources, TorrentSnapshot } from '../../protocol/engine-events'
import { isComplete, snapshot, type TorrentRecord } from './snapshot'
import { sessionOf } from './torrent-session'

type Bridged = Omit<PeerSources, 'webrtc' | 'webseed'>

/**
 * What a torrent's snapshot is made of, cheap to read and to compare: when none of it moved,
 * neither did the snapshot (unless live). Written into `into`: a tick reads them into one scratch
 * array, not a new one per torrent every tick.
 */
function inputsOf(record: TorrentRecord, into: unknown[] = []): unknown[] {
  const { torrent, stored } = record
  into.length = 0
  into.push(
    sessionOf(record).state, torrent, torrent?.ready, torrent?.wires?.length, record.bitfield, record.bitfieldVersion,
    record.metainfo, record.error, stored, stored.pausedBecause, stored.priorities, stored.name, record.queuePosition,
    record.piecesChecked, record.uploadedNow, record.starting, record.stopping, record.restartingFrom,
  )
  return into
}

/** Its figures move on their own: it runs and is not complete (or is still checking or fetching metadata), it has connections, or it is starting or stopping. */
function isLive(record: TorrentRecord): boolean {
  const { torrent } = record
  if (record.starting || record.stopping) return true
  if (!torrent) return false
  return !torrent.ready || (torrent.wires?.length ?? 0) > 0 || !isComplete(record)
}

/**
 * Each torrent's last snapshot, and what it was made of. `of` and `all` take snapshots afresh (an
 * add, a control, a state change the UI asked about); `tick` only of the torrents due
 * (core/download-manager/snapshot-cadence.ts), the last one for the rest. A snapshot equal to the
 * last is the last object itself (snapshot-delta.ts), so the list's rows that did not change are
 * not drawn again.
 */
export class SnapshotCache {
  private readonly held = new Map<string, { snap: TorrentSnapshot; inputs: unknown[] }>()
  private ticks = 0

  constructor(private readonly bridged: (record: TorrentRecord) => Bridged | undefined) {}

  /** A fresh snapshot of one torrent. */
  of(record: TorrentRecord, inputs = inputsOf(record)): TorrentSnapshot {
    const snap = keepIfSame(this.held.get(record.infoHash)?.snap, snapshot(record, sessionOf(record).state, this.bridged(record)))
    this.held.set(record.infoHash, { snap, inputs })
    return snap
  }

  /** Fresh snapshots of every torrent, in order. */
  all(records: Iterable<TorrentRecord>): TorrentSnapshot[] {
    return [...records].map((record) => this.of(record))
  }

  /** At a tick: every torrent's snapshot, in order, fresh where due. */
  tick(records: Iterable<TorrentRecord>): TorrentSnapshot[] {
    const tick = this.ticks++
    const list: TorrentSnapshot[] = []
    let slot = -1
    const scratch: unknown[] = []
    for (const record of records) {
      slot++
      const held = this.held.get(record.infoHash)
      const inputs = inputsOf(record, scratch)
      const due = !held || snapshotDue({ live: isLive(record), changed: !sameItems(held.inputs, inputs), slot, tick })
      list.push(due ? this.of(record, [...inputs]) : held.snap)
    }
    return list
  }

  forget(infoHash: string): void {
    this.held.delete(infoHash)
  }
}
