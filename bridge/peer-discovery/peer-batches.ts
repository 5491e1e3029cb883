/**
 * Peers the bridge found for a page (trackers, the DHT, LSD), on their way to it in PEERS frames:
 * canonical (core/peer-address.ts) and dialable by policy, each sent once, at most
 * MAX_PEERS_PER_TORRENT distinct ones per torrent in PEER_MEMORY_MS, batched so one frame carries
 * many. A tracker that answers with 100,000 peers, or a DHT that keeps finding new ones, costs the
 * page a bounded list, not an unbounded queue.
 */
import { canonicalPeer, peerKey } from '../../src/core/peer-address'
import { MAX_PEERS_PER_FRAME, type BridgePeerSource, type PeerAddress } from '../../src/protocol/bridge-frames'
import { checkPeerDestination, type Cidr } from '../api-gateway/policy'

export const MAX_PEERS_PER_TORRENT = 2000
/** How long a peer sent stays "sent": after it, the list starts again (peers come and go). */
export const PEER_MEMORY_MS = 30 * 60_000
const BATCH_MS = 50

interface TorrentPeers {
  sent: Set<string>
  since: number
  /** Peers over the cap since the last notice. */
  over: number
}

export class PeerBatches {
  private readonly torrents = new Map<string, TorrentPeers>()
  private readonly pending = new Map<string, { infoHash: string; source: BridgePeerSource; peers: PeerAddress[]; timer: NodeJS.Timeout }>()

  constructor(
    private readonly allowNet: readonly Cidr[],
    private readonly send: (infoHash: string, source: BridgePeerSource, peers: PeerAddress[]) => void,
    private readonly notice: (infoHash: string, message: string) => void,
    private readonly now: () => number = Date.now,
    /** Peers the policy refuses that may be dialed all the same (LSD's, on a local network: local-network.ts). */
    private readonly lanPeer: (infoHash: string, peer: PeerAddress) => boolean = () => false,
  ) {}

  /** A peer for `infoHash` from `source`, in whatever shape it came; dropped unless usable and new. */
  add(infoHash: string, source: BridgePeerSource, host: unknown, port: unknown): void {
    const peer = canonicalPeer(host, port)
    // the page could not dial it anyway
    if (!peer || !(checkPeerDestination(peer.host, peer.port, this.allowNet).ok || (source === 'lsd' && this.lanPeer(infoHash, peer)))) return
    let torrent = this.torrents.get(infoHash)
    const now = this.now()
    if (!torrent || now - torrent.since > PEER_MEMORY_MS) {
      torrent = { sent: new Set(), since: now, over: 0 }
      this.torrents.set(infoHash, torrent)
    }
    const key = peerKey(peer)
    if (torrent.sent.has(key)) return
    if (torrent.sent.size >= MAX_PEERS_PER_TORRENT) {
      if (torrent.over++ === 0) this.notice(infoHash, `more than ${MAX_PEERS_PER_TORRENT} peers found; the rest are left out for now`)
      return
    }
    torrent.sent.add(key)
    const batchKey = `${source}:${infoHash}`
    let batch = this.pending.get(batchKey)
    if (!batch) {
      batch = { infoHash, source, peers: [], timer: setTimeout(() => this.flush(batchKey), BATCH_MS) }
      this.pending.set(batchKey, batch)
    }
    batch.peers.push(peer)
    if (batch.peers.length >= MAX_PEERS_PER_FRAME) this.flush(batchKey)
  }

  /** The torrent is gone from the page: its list and its unsent batches go too. */
  forget(infoHash: string): void {
    this.torrents.delete(infoHash)
    for (const [key, batch] of this.pending) {
      if (batch.infoHash !== infoHash) continue
      clearTimeout(batch.timer)
      this.pending.delete(key)
    }
  }

  clear(): void {
    for (const batch of this.pending.values()) clearTimeout(batch.timer)
    this.pending.clear()
    this.torrents.clear()
  }

  private flush(key: string): void {
    const batch = this.pending.get(key)
    if (!batch) return
    clearTimeout(batch.timer)
    this.pending.delete(key)
    this.send(batch.infoHash, batch.source, batch.peers)
  }
}
