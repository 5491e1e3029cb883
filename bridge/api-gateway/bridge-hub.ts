/**
 * The bridge: the `/bridge` WebSocket front (Origin, Host and token checks), every page's
 * session, the bridge-wide caps, the inbound peer port, the DHT node and Local Service Discovery
 * (which page each torrent's peers go to: torrent-routing.ts).
 */
import type { IncomingMessage } from 'node:http'
import type net from 'node:net'
import type { Duplex } from 'node:stream'
import { WebSocketServer } from 'ws'
import { BRIDGE_PATH, CloseCode, FrameType, MAX_FRAME_BYTES, type RouteFrame, type StatusFrame } from '../../src/protocol/bridge-frames'
import { Connectivity } from '../connectivity'
import { DhtNode } from '../dht/dht-node'
import { LsdNode } from '../peer-discovery/lsd-node'
import { TokenBucket, type BridgeLimits } from './limits'
import type { EncryptionMode, PeerCrypto, PeerTransport } from '../peer-connection/mse/peer-crypto'
import type { Resolver } from './checked-address'
import { Outgoing } from '../peer-connection/outgoing'
import { bindAddress, describeInterface, type OutgoingInterface } from '../peer-connection/outgoing-interface'
import type { ProxyConfig } from '../peer-connection/proxy-url'
import { log } from '../log'
import { BridgeMetrics } from '../metrics'
import { PageSession, type SessionHost } from './page-session'
import type { PeerAddress } from '../../src/protocol/bridge-frames'
import { RequestSlots } from './request-slots'
import { TorrentRouting } from '../peer-discovery/torrent-routing'
import { PeerListener } from '../peer-connection/peer-listener'
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
  private readonly opened: Record<PeerTransport, number> = { plaintext: 0, obfuscated: 0, rc4: 0 }
  /** Which pages each torrent's inbound, DHT and LSD peers go to. */
  private readonly routing: TorrentRouting
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
    this.routing = new TorrentRouting(dht, lsd, outgoing, this.metrics)
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
      findTorrent: (req2: Uint8Array) => hub?.routing.findTorrent(req2) ?? null,
      route: (infoHash: string, socket: net.Socket, head: Uint8Array, crypto: PeerCrypto) => hub?.routing.routeInbound(infoHash, socket, head, crypto) ?? false,
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
          onPeer: (infoHash, host, port) => hub?.routing.dhtPeer(infoHash, host, port),
          onWarning: () => {}, // DHT warnings are routine (timeouts, bad nodes): not the page's business
        }, config.portFallback)
      }
      // LSD's multicast cannot go through a proxy, and LAN peers are what a proxy is there to avoid
      // (libtorrent runs no LSD behind one either)
      if ((config.lsd ?? true) && !outgoing.proxied) {
        const started = await LsdNode.start({ peerHost: listener.host, peerPort: listener.port, onPeer: (infoHash, peer) => hub?.routing.lsdPeer(infoHash, peer) })
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

  get runsDht(): boolean {
    return this.dht !== null
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
  lanPeer(infoHash: string, peer: PeerAddress): boolean {
    return this.lsd?.mayDial(infoHash, peer) ?? false
  }
  registered(session: PageSession, infoHash: string): void { this.routing.registered(session, infoHash) }
  unregistered(session: PageSession, infoHash: string): void { this.routing.unregistered(session, infoHash) }
  wantDht(session: PageSession, infoHash: string, on: boolean): void { this.routing.wantDht(session, infoHash, on) }
  wantLsd(session: PageSession, infoHash: string, on: boolean): void { this.routing.wantLsd(session, infoHash, on) }
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
