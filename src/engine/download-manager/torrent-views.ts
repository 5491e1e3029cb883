import type { PeerSnapshot, TorrentDiagnostics, TorrentSnapshot, TrackerSnapshot } from '../../protocol/engine-events'
import type { BridgeLink } from '../peer-connection/bridge-link'
import { diagnose } from '../peer-connection/diagnostics'
import { peerSnapshots } from '../peer-connection/peer-list'
import type { TorrentRecord } from './snapshot'
import type { WebSeeds } from '../peer-connection/web-seeds'
import { webSocketTrackers } from '../webtorrent/websocket-trackers'

/** A listed torrent's detail views (its peers, its trackers, its diagnostics), asked for while the person has them open. */
export class TorrentViews {
  constructor(
    private readonly records: ReadonlyMap<string, TorrentRecord>,
    private readonly bridge: BridgeLink | undefined,
    private readonly webSeeds: WebSeeds,
    private readonly snapshotOf: (record: TorrentRecord) => TorrentSnapshot,
  ) {}

  /** The connected peers of a running torrent (none when it is not running). */
  peers(infoHash: string): PeerSnapshot[] {
    const record = this.records.get(infoHash)
    if (!record?.torrent) return []
    return peerSnapshots(record.torrent, record.metainfo?.pieceCount ?? 0, (remote) => this.bridge?.sourceOf(infoHash, remote), {
      describe: (wire) => this.webSeeds.describe(infoHash, wire),
      list: () => this.webSeeds.list(infoHash),
    })
  }

  /** A running torrent's trackers and where each stands: WebSocket ones (the page's), then HTTP/UDP ones (the bridge's). */
  trackers(infoHash: string): TrackerSnapshot[] {
    const record = this.records.get(infoHash)
    if (!record?.torrent) return []
    return [...webSocketTrackers(record.torrent), ...(this.bridge?.trackers(infoHash) ?? [])]
  }

  /** What the engine knows of a torrent, for the Diagnostics view; undefined when it is not listed. */
  diagnostics(infoHash: string): TorrentDiagnostics | undefined {
    const record = this.records.get(infoHash)
    if (!record) return undefined
    return diagnose(record, this.snapshotOf(record), record.torrent?.wires ?? [], record.torrent ? this.bridge?.candidates(infoHash) ?? 0 : 0)
  }
}
