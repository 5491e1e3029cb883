/**
 * The bridge: the `/bridge` WebSocket front (Origin, Host and token checks), every page's
 * session, the bridge-wide caps, the inbound peer port, the DHT node and Local Service Discovery.
 */
import type { IncomingMessage } from 'node:http'
import type net from 'node:net'
import type { Duplex } from 'node:stream'
import { WebSocketServer } from 'ws'
import { BRIDGE_PATH, CloseCode, FrameType, MAX_FRAME_BYTES, type RouteFrame, type StatusFrame } from '../src/protocol/bridge-frames'
import { Connectivity } from './connectivity'
import { DhtNode } from './dht-node'
import { LsdNode } from './lsd-node'
import { TokenBucket, type BridgeLimits } from './limits'
import { req2Hash } from './mse/mse-crypto'
import type { EncryptionMode, PeerCrypto, PeerTransport } from './mse/peer-crypto'
import type { Resolver } from './checked-address'
import { canonicalPeer } from '../src/core/peer-address'
import { Outgoing } from './outgoing'
import { bindAddress, describeInterface, type OutgoingInterface } from './outgoing-interface'
import type { ProxyConfig } from './proxy-url'
import { log } from './log'
import { BridgeMetrics } from './metrics'
import { PageSession, type SessionHost } from './page-session'
import type { PeerAddress } from '../src/protocol/bridge-frames'
import { RequestSlots } from './request-slots'
import { PeerListener } from './peer-listener'
import { checkHost, checkOrigin, checkToken, type Cidr, type FrontPolicy } from './policy'

export interface BridgeConfig extends FrontPolicy {
  limits: BridgeLimits
  allowNet: Cidr[]
  /** Inbound peers: TCP port (0 = any free one) and address. */
  peerPort: number
  peerHost: string
  /** DHT routers (host:port); [] = a DHT of one's own; null = no DHT at all. */
  dhtBootstrap: string[] | null
  /** UDP port of the DHT node (0 = any free one). */
  dhtPort: number
  /** Local Service Discovery (BEP 14) for public torrents; default on (`--no-lsd`). */
  lsd?: boolean
  /** The ports are defaults, not asked for: take free ones when they are busy (another client runs). */
  portFallback?: boolean
  /** MSE/PE on the TCP side (default prefer). */
  encryption?: EncryptionMode
  /** How tracker names are resolved: the system's resolver unless a test stands in for a rebinding DNS server. */
  resolve?: Resolver
  /** Ask the router to forward the peer and DHT ports (default off here; the command line's default is on). */
  portMapping?: boolean
  /** Every outgoing connection through this SOCKS5 proxy (--proxy), and from this interface (--outgoing-interface). */
  proxy?: ProxyConfig | null
  outgoingInterface?: OutgoingInterface | null
}

export interface BridgeStats {
  sessions: number
  streams: number
  /** Bytes held for all pages (queued to TCP sockets or WebSockets). */
  buffered: number
  perSession: { remote: string; streams: number; buffered: number; registered: number }[]
  /** TCP connections that came up since the start, by what they speak (RC4, MSE then plaintext, plaintext). */
  opened: Record<PeerTransport, number>
}

export class BridgeHub implements SessionHost {
  readonly limits: BridgeLimits
  readonly allowNet: readonly Cidr[]
  readonly encryption: EncryptionMode
  readonly resolve?: Resolver
  readonly trackerSlots: RequestSlots
  readonly goodbyeSlots: RequestSlots
  readonly metrics: BridgeMetrics
  readonly webSeedSlots: RequestSlots
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false })
  private readonly sessions = new Set<PageSession>()
  /** Which sessions registered each info-hash; inbound peers go to the latest. */
  private readonly byInfoHash = new Map<string, PageSession[]>()
  /** HASH('req2', info-hash) (hex) -> info-hash, for MSE peers, who name a torrent only so. */
  private readonly byReq2 = new Map<string, string>()
  private readonly opened: Record<PeerTransport, number> = { plaintext: 0, obfuscated: 0, rc4: 0 }
  private readonly dhtWanted = new Map<string, Set<PageSession>>()
  private readonly lsdWanted = new Map<string, Set<PageSession>>()
  private readonly dials: TokenBucket
  private streams = 0
  private bufferedTotal = 0
  /** The part of bufferedTotal that pages sent (held for connecting streams or TCP sockets). */
  private fromPagesTotal = 0
  /** Port mapping and the rest of what STATUS frames tell pages. */
  readonly connectivity: Connectivity

  private constructor(private readonly config: BridgeConfig, private readonly listener: PeerListener, readonly dht: DhtNode | null, readonly outgoing: Outgoing, readonly lsd: LsdNode | null) {
    this.limits = config.limits
    this.metrics = new BridgeMetrics({
      sessions: () => this.sessions.size,
      streams: () => {
        const total = { outbound: 0, inbound: 0 }
        for (const s of this.sessions) {
          const d = s.streamDirections()
          total.outbound += d.outbound
          total.inbound += d.inbound
        }
        return total
      },
      buffered: () => this.bufferedTotal,
      trackers: () => {
        const states: Record<string, number> = {}
        for (const s of this.sessions) s.torrents.countTrackerStates(states)
        return states
      },
      dhtNodes: () => this.dht?.nodeCount ?? -1,
    })
    this.allowNet = config.allowNet
    this.encryption = config.encryption ?? 'prefer'
    if (config.resolve) this.resolve = config.resolve
    this.trackerSlots = new RequestSlots(config.limits.maxTrackerRequestsTotal, null, config.limits.trackerRequestsPerSecondTotal, config.limits.trackerRequestsPerSecondTotal)
    this.goodbyeSlots = new RequestSlots(config.limits.maxTrackerGoodbyesTotal)
    this.webSeedSlots = new RequestSlots(config.limits.maxWebSeedFetchesTotal, null, config.limits.webSeedFetchesPerSecondTotal, config.limits.webSeedFetchesPerSecondTotal)
    this.dials = new TokenBucket(config.limits.dialsPerSecondTotal, config.limits.dialsPerSecondTotal)
    this.connectivity = new Connectivity({
      portMapping: config.portMapping ?? false,
      peerHost: config.peerHost,
      tcpPort: listener.port,
      udpPort: dht?.port ?? null,
      others: () => ({ dhtNodes: this.dht?.nodeCount ?? -1, lsd: this.lsdEnabled(), proxy: this.proxyText(), ipv6: this.acceptsIPv6() }),
      broadcast: (frame) => { for (const s of this.sessions) s.send(frame) },
    })
    outgoing.route.onChange(() => {
      const frame = this.routeFrame()
      if (frame) for (const s of this.sessions) s.send(frame)
      this.connectivity.changed()
    })
  }

  /** Local Service Discovery (BEP 14) runs. */
  lsdEnabled(): boolean { return this.lsd !== null }
  /** Where outgoing connections go through, without credentials ('' when directly). */
  proxyText(): string { return this.outgoing.describe() }
  /** The peer port accepts IPv6 connections (on ::, dual-stack, or an IPv6 address). */
  acceptsIPv6(): boolean { return this.listener.host.includes(':') }
  /** What a page is told in STATUS frames. */
  statusFrame(): StatusFrame { return this.connectivity.frame() }

  static async start(config: BridgeConfig): Promise<BridgeHub> {
    let hub: BridgeHub | undefined
    const outgoing = await Outgoing.create({ proxy: config.proxy ?? null, outgoingInterface: config.outgoingInterface ?? null })
    const listenerOptions = {
      port: config.peerPort,
      host: config.peerHost,
      handshakeTimeoutMs: config.limits.handshakeTimeoutMs,
      maxPending: config.limits.maxPendingInbound,
      maxPendingPerAddress: config.limits.maxPendingInboundPerAddress,
      encryption: config.encryption ?? 'prefer',
      findTorrent: (req2: Uint8Array) => hub?.byReq2.get(Buffer.from(req2).toString('hex')) ?? null,
      route: (infoHash: string, socket: net.Socket, head: Uint8Array, crypto: PeerCrypto) => hub?.routeInbound(infoHash, socket, head, crypto) ?? false,
    }
    const listener = await PeerListener.start(listenerOptions).catch((err: NodeJS.ErrnoException) => {
      if (config.portFallback && err.code === 'EADDRINUSE') return PeerListener.start({ ...listenerOptions, port: 0 })
      outgoing.close()
      throw new Error(`cannot listen for peers on ${config.peerHost}:${config.peerPort} (${err.code ?? err.message}); choose another --peer-port`)
    })
    let dht: DhtNode | null = null
    let lsd: LsdNode | null = null
    try {
      // The DHT's UDP socket cannot go through a SOCKS5 proxy's TCP connections, and its traffic
      // (hundreds of nodes) is not what UDP ASSOCIATE relays are for: with a proxy, no DHT at all,
      // so that nothing leaves around it. From an interface: its socket is bound there.
      if (config.dhtBootstrap && !outgoing.proxied) {
        let dhtHost = ipv4Host(listener.host)
        if (config.outgoingInterface) {
          const bind = bindAddress(config.outgoingInterface, 4)
          if (!bind.ok) throw new Error(`DHT: ${bind.reason} (or start with --no-dht)`)
          dhtHost = bind.address
        }
        dht = await DhtNode.start({
          bootstrap: config.dhtBootstrap,
          port: config.dhtPort,
          host: dhtHost,
          peerPort: listener.port,
          announceMs: config.limits.dhtAnnounceMs,
          onPeer: (infoHash, host, port) => hub?.dhtPeer(infoHash, host, port),
          onWarning: () => {}, // DHT warnings are routine (timeouts, bad nodes): not the page's business
        }, config.portFallback)
      }
      // LSD's multicast cannot go through a proxy, and LAN peers are what a proxy is there to avoid
      // (libtorrent runs no LSD behind one either)
      if ((config.lsd ?? true) && !outgoing.proxied) {
        const started = await LsdNode.start({ peerHost: listener.host, peerPort: listener.port, onPeer: (infoHash, peer) => hub?.lsdPeer(infoHash, peer) })
        lsd = started.node
        if (!started.node) log.info({ reason: started.reason }, 'no Local Service Discovery')
      }
    } catch (err) {
      await Promise.all([listener.close(), dht?.destroy()])
      outgoing.close()
      throw err
    }
    hub = new BridgeHub(config, listener, dht, outgoing, lsd)
    return hub
  }

  get peerPort(): number {
    return this.listener.port
  }

  /** The HTTP server's `upgrade` handler. Returns false when the path is not the bridge's. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const url = new URL(req.url ?? '/', 'http://x')
    if (url.pathname !== BRIDGE_PATH) return false
    const refuse = (status: number, reason: string) => {
      socket.end(`HTTP/1.1 ${status} ${status === 401 ? 'Unauthorized' : status === 503 ? 'Service Unavailable' : 'Forbidden'}\r\n` +
        `content-type: text/plain\r\nconnection: close\r\ncontent-length: ${Buffer.byteLength(reason)}\r\n\r\n${reason}`)
      socket.destroy()
    }
    const host = checkHost(req.headers.host, this.config)
    if (!host.ok) return refuse(403, host.reason), true
    const origin = checkOrigin(req.headers.origin, req.headers.host!, this.config)
    if (!origin.ok) return refuse(403, origin.reason), true
    const token = checkToken(url.searchParams.get('token'), this.config)
    if (!token.ok) return refuse(401, token.reason), true
    if (this.sessions.size >= this.limits.maxSessions) return refuse(503, 'the bridge serves as many pages as it allows'), true
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const remote = `${req.socket.remoteAddress}:${req.socket.remotePort}`
      const session = new PageSession(ws, this, remote)
      this.sessions.add(session)
      session.send(this.statusFrame())
    })
    return true
  }

  stats(): BridgeStats {
    const perSession = [...this.sessions].map((s) => ({ remote: s.remote, streams: s.streamCount, buffered: s.buffered, registered: s.torrents.size }))
    return { sessions: this.sessions.size, streams: this.streams, buffered: this.bufferedTotal, perSession, opened: { ...this.opened } }
  }

  // ---- SessionHost ----
  reserveStream(): boolean {
    if (this.streams >= this.limits.maxStreamsTotal) return false
    this.streams++
    return true
  }
  releaseStream(): void { this.streams-- }
  streamOpened(transport: PeerTransport): void { this.opened[transport]++ }
  takeDial(): boolean { return this.dials.take() }
  accountTotal(delta: number, fromPage = false): void {
    this.bufferedTotal += delta
    if (fromPage) this.fromPagesTotal += delta
  }
  totalOverloaded(): boolean { return this.bufferedTotal > this.limits.maxBufferedTotal }
  /** One page's fair share of the bridge-wide cap: past the total, only pages above it are held back. */
  fairShare(): number { return this.limits.maxBufferedTotal / Math.max(1, this.sessions.size) }
  pageBytesOverloaded(): boolean { return this.fromPagesTotal > this.limits.maxBufferedTotal }
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
  lanPeer(infoHash: string, peer: PeerAddress): boolean {
    return this.lsd?.mayDial(infoHash, peer) ?? false
  }
  sessionEnded(session: PageSession): void {
    this.sessions.delete(session)
  }
  routeFrame(): RouteFrame | null {
    const { proxy, outgoingInterface, route } = this.outgoing
    if (!proxy && !outgoingInterface) return null
    return {
      type: FrameType.Route,
      proxy: proxy?.display ?? '',
      outgoingInterface: outgoingInterface ? describeInterface(outgoingInterface) : '',
      state: route.state,
      message: route.message,
    }
  }

  /** A peer the DHT found, as a stranger's node gave it: each page's session canonicalises it. */
  private dhtPeer(infoHash: string, host: unknown, port: unknown): void {
    for (const s of this.dhtWanted.get(infoHash) ?? []) s.guard('a DHT peer', () => s.sendPeer(infoHash, 'dht', host, port))
  }

  /** A peer LSD found on a local network (canonical already): to each page that wants the torrent. */
  private lsdPeer(infoHash: string, peer: PeerAddress): void {
    for (const s of this.lsdWanted.get(infoHash) ?? []) s.guard('an LSD peer', () => s.sendPeer(infoHash, 'lsd', peer.host, peer.port))
  }

  private routeInbound(infoHash: string, socket: net.Socket, head: Uint8Array, crypto: PeerCrypto): boolean {
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

  async close(): Promise<void> {
    for (const s of [...this.sessions]) s.close(CloseCode.ShuttingDown, 'the bridge is shutting down')
    for (const ws of this.wss.clients) ws.terminate()
    this.wss.close()
    // the router's mappings go first, while the ports they name are still this bridge's
    await this.connectivity.close()
    this.outgoing.close()
    await Promise.all([this.listener.close(), this.dht?.destroy(), this.lsd?.destroy()])
  }
}

/** bittorrent-dht speaks IPv4 only: with the peer port on the IPv6 wildcard (dual-stack), the DHT takes IPv4's. */
function ipv4Host(peerHost: string): string {
  return peerHost === '::' ? '0.0.0.0' : peerHost
}
