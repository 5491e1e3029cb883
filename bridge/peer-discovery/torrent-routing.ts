/**
 * Which pages each torrent's peers go to: an inbound peer to the page that registered its torrent
 * last (found by info-hash, or by HASH('req2', info-hash) for an MSE peer), a peer the DHT or LSD
 * found to every page that wants the torrent looked for there, and the DHT and LSD told what to
 * look for while any page wants it.
 */
import type net from 'node:net'
import { canonicalPeer } from '../../src/core/peer-address'
import { FrameType, type PeerAddress } from '../../src/protocol/bridge-frames'
import type { DhtNode } from '../dht/dht-node'
import type { LsdNode } from './lsd-node'
import type { BridgeMetrics } from '../metrics'
import { req2Hash } from '../peer-connection/mse/mse-crypto'
import type { PeerCrypto } from '../peer-connection/mse/peer-crypto'
import type { Outgoing } from '../peer-connection/outgoing'
import type { PageSession } from '../api-gateway/page-session'

export class TorrentRouting {
  /** Which sessions registered each info-hash; inbound peers go to the latest. */
  private readonly byInfoHash = new Map<string, PageSession[]>()
  /** HASH('req2', info-hash) (hex) -> info-hash, for MSE peers, who name a torrent only so. */
  private readonly byReq2 = new Map<string, string>()
  private readonly dhtWanted = new Map<string, Set<PageSession>>()
  private readonly lsdWanted = new Map<string, Set<PageSession>>()

  constructor(private readonly dht: DhtNode | null, private readonly lsd: LsdNode | null, private readonly outgoing: Outgoing, private readonly metrics: BridgeMetrics) {}

  /** The info-hash an MSE peer named by HASH('req2', info-hash), if a page registered it. */
  findTorrent(req2: Uint8Array): string | null {
    return this.byReq2.get(Buffer.from(req2).toString('hex')) ?? null
  }

  registered(session: PageSession, infoHash: string): void {
    const list = this.byInfoHash.get(infoHash) ?? []
    this.byInfoHash.set(infoHash, [...list.filter((s) => s !== session), session])
    if (!list.length) this.byReq2.set(Buffer.from(req2Hash(Buffer.from(infoHash, 'hex'))).toString('hex'), infoHash)
  }
  unregistered(session: PageSession, infoHash: string): void {
    const list = (this.byInfoHash.get(infoHash) ?? []).filter((s) => s !== session)
    if (list.length) this.byInfoHash.set(infoHash, list)
    else {
      this.byInfoHash.delete(infoHash)
      this.byReq2.delete(Buffer.from(req2Hash(Buffer.from(infoHash, 'hex'))).toString('hex'))
    }
  }
  wantDht(session: PageSession, infoHash: string, on: boolean): void {
    if (!this.dht) {
      const why = this.outgoing.proxied ? 'this bridge runs no DHT node: its UDP cannot go through the proxy' : 'this bridge runs no DHT node'
      if (on) session.send({ type: FrameType.Notice, infoHash, message: why })
      return
    }
    const set = this.dhtWanted.get(infoHash) ?? new Set()
    if (on) set.add(session)
    else set.delete(session)
    if (set.size) {
      this.dhtWanted.set(infoHash, set)
      if (on) {
        this.dht.want(infoHash)
        this.dht.lookup(infoHash) // a page that joins later still gets peers now
      }
    } else {
      this.dhtWanted.delete(infoHash)
      this.dht.forget(infoHash)
    }
  }
  /** A page's public torrent: LSD announces it and reports its peers on the local networks. */
  wantLsd(session: PageSession, infoHash: string, on: boolean): void {
    if (!this.lsd) return
    const set = this.lsdWanted.get(infoHash) ?? new Set()
    if (on) set.add(session)
    else set.delete(session)
    if (set.size) {
      this.lsdWanted.set(infoHash, set)
      this.lsd.want(infoHash)
    } else {
      this.lsdWanted.delete(infoHash)
      this.lsd.forget(infoHash)
    }
  }

  /** A peer the DHT found, as a stranger's node gave it: each page's session canonicalises it. */
  dhtPeer(infoHash: string, host: unknown, port: unknown): void {
    for (const s of this.dhtWanted.get(infoHash) ?? []) s.guard('a DHT peer', () => s.sendPeer(infoHash, 'dht', host, port))
  }

  /** A peer LSD found on a local network (canonical already): to each page that wants the torrent. */
  lsdPeer(infoHash: string, peer: PeerAddress): void {
    for (const s of this.lsdWanted.get(infoHash) ?? []) s.guard('an LSD peer', () => s.sendPeer(infoHash, 'lsd', peer.host, peer.port))
  }

  /** An inbound peer, to the latest page that registered its torrent and has room for it; false when none takes it. */
  routeInbound(infoHash: string, socket: net.Socket, head: Uint8Array, crypto: PeerCrypto): boolean {
    const list = this.byInfoHash.get(infoHash)
    if (!list) return false
    // canonical, as every address from a stranger is: a link-local peer's address carries a zone
    // ('fe80::1%eth0') that no frame can hold, and no page could dial it back
    const peer = canonicalPeer(socket.remoteAddress, socket.remotePort)
    if (!peer) return false
    for (const session of [...list].reverse()) {
      let taken = false
      session.guard('an incoming peer', () => { taken = session.acceptInbound(infoHash, socket, head, peer, crypto) })
      if (taken) {
        this.metrics.inbound.inc({ outcome: 'accepted' })
        return true
      }
    }
    this.metrics.inbound.inc({ outcome: 'refused' })
    return false
  }
}
