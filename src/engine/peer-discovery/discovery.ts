/**
 * Peer discovery through the bridge: registers each torrent with the bridge, asks it to announce
 * to the torrent's HTTP/UDP trackers and the DHT, and feeds the peers it reports to the peer
 * connection service. WebSocket trackers stay with webtorrent in the page.
 *
 * Intervals: the bridge re-announces on its own, at each tracker's `interval` and the DHT's
 * re-announce period; this side only refreshes the stats those announces carry (every
 * `statsIntervalMs`, which triggers no announce) and sends `completed`/`stopped` when they happen.
 * After a bridge reconnect the BridgeClient registers and announces every torrent again.
 *
 * Usage (engine):
 *   const discovery = new Discovery(bridgeClient, peers)
 *   discovery.add({ infoHash, peerId, trackers: torrent.announce, private: false, stats })
 *   discovery.completed(infoHash)          // on 'done'
 *   discovery.addPexPeers(infoHash, list)  // from ut_pex on the page's wires
 *   discovery.remove(infoHash)             // on remove
 */
import type { BridgeClient } from '../../bridge-client/bridge-client'
import type { PeerAddress, TrackerFrame } from '../../protocol/bridge-frames'
import { MAX_TRACKERS_PER_ANNOUNCE, MAX_URL_BYTES } from '../../protocol/bridge-frames'
import type { TrackerSnapshot } from '../../protocol/engine-events'
import { sameAnnouncedState, type AnnouncedState } from '../../core/peer-discovery/stats-refresh'
import type { PeerService } from '../peer-connection/peers'

export interface DiscoveryStats {
  uploaded: number
  downloaded: number
  /** Bytes left; -1 when unknown (a magnet before its metadata). */
  left: number
}

export interface DiscoveryTorrent {
  infoHash: string
  /** The page's peer id (40 hex), as webtorrent uses it: trackers see one peer. */
  peerId: string
  /** Every tracker of the torrent; only http(s):// and udp:// ones go to the bridge. */
  trackers: readonly string[]
  /** BEP 27: private torrents use their trackers only (no DHT, no PEX). */
  private?: boolean
  stats(): DiscoveryStats
}

export interface DiscoveryOptions {
  /** Use the bridge's DHT for public torrents. Default true. */
  dht?: boolean
  statsIntervalMs?: number
}

/** The trackers the bridge can use: http, https and udp, deduplicated, within the frame's limits. */
export function bridgeTrackers(urls: readonly string[]): string[] {
  const out = new Set<string>()
  for (const url of urls) {
    if (!/^(https?|udp):\/\/[^/\s]+/i.test(url) || new TextEncoder().encode(url).length > MAX_URL_BYTES) continue
    out.add(url)
    if (out.size >= MAX_TRACKERS_PER_ANNOUNCE) break
  }
  return [...out]
}

export class Discovery {
  private readonly torrents = new Map<string, DiscoveryTorrent>()
  /** The last state the bridge reported of each tracker, by torrent, then URL. */
  private readonly trackerStates = new Map<string, Map<string, TrackerFrame>>()
  /** What the bridge was last told of each torrent: a refresh saying the same is not sent. */
  private readonly lastSent = new Map<string, AnnouncedState>()
  private readonly timer: ReturnType<typeof setInterval>
  private readonly offs: (() => void)[]

  constructor(private readonly client: BridgeClient, private readonly peers: PeerService, private readonly opts: DiscoveryOptions = {}) {
    this.offs = [
      client.on('peers', (infoHash, source, list) => {
        if (this.torrents.has(infoHash)) this.peers.addCandidates(infoHash, source, list)
      }),
      client.on('tracker', (frame) => {
        if (this.torrents.has(frame.infoHash)) this.trackerStates.get(frame.infoHash)?.set(frame.url, frame)
      }),
    ]
    this.timer = setInterval(() => this.refreshStats(), opts.statsIntervalMs ?? 60_000)
  }

  add(torrent: DiscoveryTorrent): void {
    if (this.torrents.has(torrent.infoHash)) return
    this.torrents.set(torrent.infoHash, torrent)
    this.trackerStates.set(torrent.infoHash, new Map())
    this.client.register(torrent.infoHash, torrent.peerId)
    this.send(torrent, 'started')
  }

  /** The torrent's tracker list changed (a magnet got its metadata, the user edited it). */
  update(infoHash: string, trackers: readonly string[]): void {
    const t = this.torrents.get(infoHash)
    if (!t) return
    const next = { ...t, trackers }
    this.torrents.set(infoHash, next)
    this.send(next, 'started')
  }

  completed(infoHash: string): void {
    const t = this.torrents.get(infoHash)
    if (t) this.send(t, 'completed')
  }

  /** Peers learnt by PEX (BEP 11) on the page's own wires. Ignored for private torrents. */
  addPexPeers(infoHash: string, peers: readonly PeerAddress[]): void {
    const t = this.torrents.get(infoHash)
    if (t && !t.private) this.peers.addCandidates(infoHash, 'pex', peers)
  }

  remove(infoHash: string): void {
    const t = this.torrents.get(infoHash)
    if (!t) return
    this.torrents.delete(infoHash)
    this.trackerStates.delete(infoHash)
    this.lastSent.delete(infoHash)
    this.client.announce(infoHash, 'stopped', this.request(t))
    this.client.unregister(infoHash)
  }

  destroy(): void {
    clearInterval(this.timer)
    for (const off of this.offs) off()
    for (const infoHash of [...this.torrents.keys()]) this.remove(infoHash)
  }

  /**
   * The torrent's HTTP and UDP trackers, in the order announced, each with its last reported
   * state; 'waiting' while the bridge is not connected (its states are from before it dropped).
   */
  trackers(infoHash: string): TrackerSnapshot[] {
    const t = this.torrents.get(infoHash)
    if (!t) return []
    const states = this.trackerStates.get(infoHash)
    const connected = this.client.state === 'connected'
    return this.request(t).trackers.map((url): TrackerSnapshot => {
      const s = connected ? states?.get(url) : undefined
      if (!s) return { url, state: 'waiting', message: connected ? '' : 'the bridge is not connected', peers: -1, seeders: -1, leechers: -1 }
      return { url, state: s.state, message: s.message, peers: s.peers, seeders: s.seeders, leechers: s.leechers }
    })
  }

  private request(t: DiscoveryTorrent) {
    return { trackers: bridgeTrackers(t.trackers), dht: !t.private && (this.opts.dht ?? true), ...t.stats() }
  }

  private send(t: DiscoveryTorrent, event: 'started' | 'completed'): void {
    const req = this.request(t)
    this.lastSent.set(t.infoHash, req)
    this.client.announce(t.infoHash, event, req)
  }

  /**
   * 'none' announces only update the stats the bridge's own re-announces carry: only the
   * torrents whose stats changed since the last frame are sent (core/peer-discovery/stats-refresh.ts),
   * and the BridgeClient paces them under the bridge's announce rate.
   */
  private refreshStats(): void {
    if (this.client.state !== 'connected') return
    for (const t of this.torrents.values()) {
      const req = this.request(t)
      const last = this.lastSent.get(t.infoHash)
      if (last && sameAnnouncedState(last, req)) continue
      this.lastSent.set(t.infoHash, req)
      this.client.announce(t.infoHash, 'none', req)
    }
  }
}
