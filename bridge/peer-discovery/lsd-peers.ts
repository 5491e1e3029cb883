/**
 * What the bridge makes of the LSD announces it hears (BEP 14), sockets apart (lsd-node.ts): each
 * datagram is a stranger's. One from outside the networks LSD runs on is dropped unread (as
 * libtorrent does); then each sender gets PER_SOURCE_RATE datagrams a second and all of them
 * TOTAL_RATE; each is parsed with limits (core/peer-discovery/lsd-message.ts), this bridge's own (multicast loops
 * back) are known by their cookie, and what one can make the bridge do is bounded: a peer for a
 * torrent a page wants (a page's peer list has caps of its own, peer-batches.ts), remembered as
 * dialable for LSD_PEER_MEMORY_MS, at most MAX_REMEMBERED of them.
 */
import { parseLsdAnnounce } from '../../src/core/peer-discovery/lsd-message'
import { canonicalHost, peerKey } from '../../src/core/peer-address'
import type { PeerAddress } from '../../src/protocol/bridge-frames'
import { TokenBucket } from '../api-gateway/limits'
import { checkLanPeer, onLocalNetwork, type LocalNetwork } from './local-network'

/** How long a peer LSD announced may be dialed after its last announce (libtorrent re-announces every 5 min). */
export const LSD_PEER_MEMORY_MS = 15 * 60_000
/**
 * Datagrams read per second from one sender, and from all: libtorrent sends three for each torrent
 * it starts (2 s apart) and spreads the others' over a 5-minute round.
 */
export const PER_SOURCE_RATE = 5
export const PER_SOURCE_BURST = 20
export const TOTAL_RATE = 50
export const TOTAL_BURST = 100
/** Senders whose rate is kept (the oldest forgotten past it); all of them on the local networks. */
export const MAX_SOURCES = 256
export const MAX_REMEMBERED = 4096

export interface LsdPeer {
  infoHash: string
  peer: PeerAddress
}

export class LsdPeers {
  private networks: readonly LocalNetwork[] = []
  /** `${infoHash} ${peerKey}` -> until when it may be dialed, oldest first. */
  private readonly remembered = new Map<string, number>()
  private readonly sources = new Map<string, TokenBucket>()
  private readonly total: TokenBucket

  /** `cookie`: this bridge's own; `wanted`: whether a page wants the torrent. */
  constructor(private readonly cookie: string, private readonly wanted: (infoHash: string) => boolean, private readonly now: () => number = Date.now) {
    this.total = new TokenBucket(TOTAL_RATE, TOTAL_BURST, now)
  }

  /** The networks LSD runs on now (read again from time to time: they come and go). */
  setNetworks(networks: readonly LocalNetwork[]): void {
    this.networks = networks
  }

  /** A datagram from `from` (the socket's word for its source): the peers it announces for wanted torrents. */
  receive(datagram: Uint8Array, from: string): LsdPeer[] {
    // a link-local sender's address carries a zone ('fe80::1%eth0'): none is canonical, none dialable
    const host = canonicalHost(from)
    if (host === null || !onLocalNetwork(host, this.networks)) return []
    if (!this.sourceBucket(host).take() || !this.total.take()) return []
    const announce = parseLsdAnnounce(datagram)
    if (!announce || announce.cookie === this.cookie) return []
    if (!checkLanPeer(host, announce.port, this.networks).ok) return []
    const peer = { host, port: announce.port }
    const found: LsdPeer[] = []
    for (const infoHash of announce.infoHashes) {
      if (!this.wanted(infoHash)) continue
      this.remember(infoHash, peer)
      found.push({ infoHash, peer })
    }
    return found
  }

  /** Whether a page may dial `peer` for `infoHash` though the destination policy refuses it: LSD announced it lately, and it is still on a local network. */
  mayDial(infoHash: string, peer: PeerAddress): boolean {
    const until = this.remembered.get(`${infoHash} ${peerKey(peer)}`)
    return until !== undefined && until >= this.now() && checkLanPeer(peer.host, peer.port, this.networks).ok
  }

  private sourceBucket(host: string): TokenBucket {
    let bucket = this.sources.get(host)
    if (!bucket) {
      if (this.sources.size >= MAX_SOURCES) this.sources.delete(this.sources.keys().next().value!)
      bucket = new TokenBucket(PER_SOURCE_RATE, PER_SOURCE_BURST, this.now)
      this.sources.set(host, bucket)
    }
    return bucket
  }

  private remember(infoHash: string, peer: PeerAddress): void {
    const key = `${infoHash} ${peerKey(peer)}`
    this.remembered.delete(key) // to the end: the oldest go first
    this.remembered.set(key, this.now() + LSD_PEER_MEMORY_MS)
    if (this.remembered.size > MAX_REMEMBERED) this.remembered.delete(this.remembered.keys().next().value!)
  }
}
