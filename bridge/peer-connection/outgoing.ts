/**
 * How the bridge opens every outgoing connection: a TCP connection to a peer, an HTTP(S) request
 * (trackers, web seeds), a UDP exchange (UDP trackers). Directly, from the outgoing interface
 * when one is set (--outgoing-interface), or through the SOCKS5 proxy (--proxy), and then only
 * through it: "proxy only". When the proxy cannot be reached nothing connects, and RouteHealth
 * says so to every page (a ROUTE frame); RouteProbe (route-probe.ts) sees when it is back.
 *
 * The destination policy still judges every destination the bridge can judge: with a proxy, an IP
 * literal is checked before the proxy is asked to connect to it; a host name is resolved by the
 * proxy, never here (no DNS query leaves around it), so its address cannot be checked: see the
 * README (Security) for what that means. The proxy itself is the operator's choice and is not
 * judged (it is often on loopback or the LAN).
 *
 * For a new kind of outgoing traffic (web seeds), use `requestOptions` (HTTP) or `connectPeer`
 * (TCP) here, never net/http/dgram directly: that is how it obeys --proxy and --outgoing-interface.
 */
import dgram from 'node:dgram'
import { lookup } from 'node:dns/promises'
import type http from 'node:http'
import net from 'node:net'
import tls from 'node:tls'
import { canonicalHost } from '../../src/core/peer-address'
import { RefusedError, pinnedLookup, requireChecked, type Resolver } from '../api-gateway/checked-address'
import { bindAddress, describeInterface, type BindAddress, type OutgoingInterface } from './outgoing-interface'
import { checkTrackerAddress, type Cidr, type Verdict } from '../api-gateway/policy'
import type { ProxyConfig } from './proxy-url'
import { connectShared } from './shared-reads'
import { hostPort, socksRequest, type ProxyEndpoint } from './socks-tcp'
import { SocksUdp, SocksUdpError } from './socks-udp'
import { RouteHealth } from './route-health'
import { RouteProbe } from './route-probe'

export interface OutgoingConfig {
  proxy: ProxyConfig | null
  outgoingInterface: OutgoingInterface | null
}

/** Where a request goes: to the address checked here, or to the destination as the proxy gets it. */
export type Destination = { via: 'direct'; address: string; family: 4 | 6 } | { via: 'proxy'; host: string }

export type PeerConnection = { ok: true; socket: net.Socket } | { ok: false; reason: string }

export interface Attempt {
  abort(): void
}

/** A UDP exchange with one destination (a tracker): datagrams from anyone else never arrive. */
export interface DatagramChannel {
  send(data: Buffer): void
  /** `family`: the address family the answer came over (BEP 15 sizes peers by it). */
  onMessage(fn: (data: Buffer, family: 4 | 6) => void): void
  close(): void
}

export interface RequestContext {
  allowNet: readonly Cidr[]
  resolve?: Resolver
  /** The rule an address is judged by (the trackers' by default; web seeds label theirs). */
  check?: (host: string, allowNet: readonly Cidr[]) => Verdict
  /** Put before a refusal's reason ('a redirect: '). */
  prefix?: string
  signal: AbortSignal
}

/** A host name goes to the proxy in one length byte (RFC 1928). */
const MAX_NAME_BYTES = 255

export class Outgoing {
  /** No proxy, no interface: what tests and callers without a bridge configuration get. */
  static readonly DIRECT = new Outgoing(null, null)

  /** Whether the route works: sent to pages when there is a proxy or an interface to tell of. */
  readonly route = new RouteHealth()
  private readonly probe: RouteProbe

  private constructor(readonly proxy: ProxyEndpoint | null, readonly outgoingInterface: OutgoingInterface | null) {
    this.probe = new RouteProbe(this.route, proxy, (family) => this.bindFor(family))
  }

  /** Resolves the proxy's name once (the operator's name: /etc/hosts counts), then probes it. */
  static async create(config: OutgoingConfig): Promise<Outgoing> {
    if (!config.proxy && !config.outgoingInterface) return new Outgoing(null, null)
    let proxy: ProxyEndpoint | null = null
    if (config.proxy) {
      const { host, port, display } = config.proxy
      let address = host
      if (!net.isIP(host)) {
        try {
          address = (await lookup(host)).address
        } catch (err) {
          throw new Error(`--proxy: cannot resolve ${host} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`)
        }
      }
      proxy = { address, port, display, ...(config.proxy.userId !== undefined ? { userId: config.proxy.userId, password: config.proxy.password ?? '' } : {}) }
    }
    const outgoing = new Outgoing(proxy, config.outgoingInterface)
    await outgoing.probe.run()
    return outgoing
  }

  /** True when host names go to the proxy, and nothing else leaves (no DHT, see bridge-hub.ts). */
  get proxied(): boolean {
    return this.proxy !== null
  }

  /** What the route is, for people: 'socks5://127.0.0.1:1080 from wg0', '' when direct. */
  describe(): string {
    const from = this.outgoingInterface ? describeInterface(this.outgoingInterface) : ''
    if (this.proxy) return from ? `${this.proxy.display} from ${from}` : this.proxy.display
    return from ? `from ${from}` : ''
  }

  /** The local address for a socket to an address of `family` (undefined: any). */
  bindFor(family: 4 | 6): BindAddress | { ok: true; address: undefined } {
    return this.outgoingInterface ? bindAddress(this.outgoingInterface, family) : { ok: true, address: undefined }
  }

  /**
   * A TCP connection to a peer (`host` an IP literal the caller has judged by the destination
   * policy), with shared reads (shared-reads.ts): connected, paused, no reader, no listeners.
   */
  connectPeer(host: string, port: number, timeoutMs: number, done: (result: PeerConnection) => void): Attempt {
    const where = hostPort(host, port)
    if (this.proxy) return this.viaProxy(host, port, timeoutMs, true, (r) => done(r.ok ? { ok: true, socket: r.socket } : r))
    const bind = this.bindFor(net.isIPv6(host) ? 6 : 4)
    if (!bind.ok) return this.refuse(bind.reason, done)
    const socket = connectShared(host, port, bind.address)
    let finished = false
    const finish = (result: PeerConnection) => {
      if (finished) return
      finished = true
      clearTimeout(timer)
      socket.off('connect', onConnect)
      socket.off('error', onError)
      if (!result.ok) {
        socket.on('error', () => {})
        socket.destroy()
      }
      done(result)
    }
    const onConnect = () => {
      if (bind.address) this.route.up()
      socket.pause()
      finish({ ok: true, socket })
    }
    const onError = (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRNOTAVAIL' && bind.address) {
        const reason = `cannot send from ${bind.address} (EADDRNOTAVAIL: not an address of this machine now)`
        this.route.down(reason)
        return finish({ ok: false, reason })
      }
      finish({ ok: false, reason: `cannot connect to ${where} (${err.code ?? err.message})` })
    }
    socket.on('connect', onConnect)
    socket.on('error', onError)
    const timer = setTimeout(() => finish({ ok: false, reason: `no answer from ${where}` }), timeoutMs)
    return {
      abort() {
        if (finished) return
        finished = true
        clearTimeout(timer)
        socket.removeAllListeners()
        socket.on('error', () => {})
        socket.destroy()
      },
    }
  }

  /**
   * Where a request to `hostname` (a tracker's, a web seed's) may go, or throws (RefusedError for
   * the destination policy's no). Direct: resolved here, every address checked, the first one used
   * (checked-address.ts). Through the proxy: an IP literal is checked; a name is left to the
   * proxy to resolve ('localhost' and *.localhost are judged as the loopback they name).
   */
  async destination(hostname: string, ctx: RequestContext): Promise<Destination> {
    const prefix = ctx.prefix ?? ''
    if (!this.proxy) {
      const checked = await requireChecked(hostname, ctx.allowNet, ctx.resolve, prefix, ctx.signal, ctx.check)
      return { via: 'direct', ...checked }
    }
    const bare = hostname.replace(/^\[|\]$/g, '')
    const judged = net.isIP(bare) ? bare : /(^|\.)localhost\.?$/i.test(bare) ? '127.0.0.1' : null
    if (judged) {
      const verdict = (ctx.check ?? checkTrackerAddress)(judged, ctx.allowNet)
      if (!verdict.ok) throw new RefusedError(prefix + verdict.reason)
    }
    if (Buffer.byteLength(bare) > MAX_NAME_BYTES) throw new Error(`${prefix}a host name of over ${MAX_NAME_BYTES} bytes cannot go through a SOCKS5 proxy`)
    return { via: 'proxy', host: bare }
  }

  /**
   * Options for `http.get` / `https.get(url, …)` that send the request to `dest` (from
   * `destination`), bound to the outgoing interface or through the proxy; never a pooled socket.
   */
  httpOptions(url: URL, dest: Destination, signal: AbortSignal): http.RequestOptions {
    const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80)
    if (dest.via === 'direct') {
      const bind = this.bindFor(dest.family)
      if (!bind.ok) {
        this.route.down(bind.reason)
        throw new Error(bind.reason)
      }
      if (bind.address) this.route.up() // bindable now (a failed connection says no more than that)
      // no keep-alive pool: a pooled socket was connected for an earlier check
      return { lookup: pinnedLookup(dest), agent: false, ...(bind.address ? { localAddress: bind.address } : {}) }
    }
    const secure = url.protocol === 'https:'
    const servername = net.isIP(dest.host) ? undefined : dest.host
    const createConnection = (_opts: unknown, callback: (err: Error | null, socket?: net.Socket) => void) => {
      const attempt = this.viaProxy(dest.host, port, REQUEST_PROXY_TIMEOUT_MS, false, (r) => {
        signal.removeEventListener('abort', onAbort)
        if (!r.ok) return callback(new Error(r.reason))
        if (!secure) return callback(null, r.socket)
        // TLS over the proxied connection, checked against the tracker's name as a direct one is
        callback(null, tls.connect({ socket: r.socket, ...(servername ? { servername } : {}) }))
      })
      const onAbort = () => attempt.abort()
      signal.addEventListener('abort', onAbort, { once: true })
      return undefined
    }
    return { createConnection: createConnection as never }
  }

  /** `destination` and `httpOptions` in one: the options for one request (one hop) to `url`. */
  async requestOptions(url: URL, ctx: RequestContext): Promise<http.RequestOptions> {
    const dest = await this.destination(url.hostname, ctx)
    if (ctx.signal.aborted) throw new Error('timed out')
    return this.httpOptions(url, dest, ctx.signal)
  }

  /** A UDP exchange with dest:port: a connected socket, or an association with the proxy's relay. */
  async datagrams(dest: Destination, port: number, signal: AbortSignal): Promise<DatagramChannel> {
    if (dest.via === 'proxy') {
      const bind = this.proxy ? this.bindFor(net.isIPv6(this.proxy.address) ? 6 : 4) : { ok: true as const, address: undefined }
      if (!bind.ok) {
        this.route.down(bind.reason)
        throw new Error(bind.reason)
      }
      let relay: SocksUdp
      try {
        relay = await SocksUdp.open(this.proxy!, bind.address, PROXY_UDP_TIMEOUT_MS, signal)
      } catch (err) {
        if (err instanceof SocksUdpError) {
          if (err.failure.proxyDown) this.route.down(err.failure.reason, err.failure.unreachable === true)
          else this.route.up()
          // a proxy that relays no UDP is a refusal, not a failure that a retry could mend
          if (err.failure.reply) throw new RefusedError(err.failure.reason)
        }
        throw err
      }
      this.route.up()
      const listeners: ((data: Buffer, family: 4 | 6) => void)[] = []
      relay.onDatagram(({ data, from }) => {
        // an IP destination must be who answered; a name's address is known to the proxy only
        if (from.port !== port || (net.isIP(dest.host) && !sameAddress(from.host, dest.host))) return
        const family = net.isIPv6(from.host) ? 6 : 4
        for (const fn of listeners) fn(data, family)
      })
      return { send: (data) => relay.send(dest.host, port, data), onMessage: (fn) => { listeners.push(fn) }, close: () => relay.close() }
    }
    const bind = this.bindFor(dest.family)
    if (!bind.ok) {
      this.route.down(bind.reason)
      throw new Error(bind.reason)
    }
    const socket = dgram.createSocket(dest.family === 6 ? 'udp6' : 'udp4')
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject)
      const connect = () => socket.connect(port, dest.address, () => {
        socket.off('error', reject)
        resolve()
      })
      if (bind.address) socket.bind(0, bind.address, connect)
      else connect()
    }).catch((err: NodeJS.ErrnoException) => {
      socket.close()
      throw new Error(`cannot send to ${hostPort(dest.address, port)} (${err.code ?? err.message})`)
    })
    if (bind.address) this.route.up()
    socket.on('error', () => {}) // ICMP refusals etc. end the exchange through its timeout
    return { send: (data) => socket.send(data), onMessage: (fn) => { socket.on('message', (msg, rinfo) => fn(msg, rinfo.family === 'IPv6' ? 6 : 4)) }, close: () => socket.close() }
  }

  /** Stops probing (the bridge is closing). */
  close(): void {
    this.probe.close()
    this.route.clear()
  }

  /** A connection through the proxy; the route's health is updated from what happened. */
  private viaProxy(host: string, port: number, timeoutMs: number, sharedReads: boolean,
    done: (result: { ok: true; socket: net.Socket } | { ok: false; reason: string }) => void): Attempt {
    const proxy = this.proxy!
    const bind = this.bindFor(net.isIPv6(proxy.address) ? 6 : 4)
    if (!bind.ok) return this.refuse(bind.reason, done)
    return socksRequest({ proxy, command: 'connect', target: { host, port }, timeoutMs, sharedReads, ...(bind.address ? { localAddress: bind.address } : {}) }, (result) => {
      if (result.ok) {
        this.route.up()
        return done({ ok: true, socket: result.socket })
      }
      if (result.proxyDown) this.route.down(result.reason, result.unreachable === true)
      else this.route.up() // it answered: only this destination failed
      done({ ok: false, reason: result.reason })
    })
  }

  /** No way out now (the interface has no address): the route is down, and `done` hears why, later, unless aborted. */
  private refuse(reason: string, done: (result: { ok: false; reason: string }) => void): Attempt {
    this.route.down(reason)
    let aborted = false
    queueMicrotask(() => { if (!aborted) done({ ok: false, reason }) })
    return { abort() { aborted = true } }
  }

}

/** A proxied HTTP request's connection and SOCKS exchange (the request's own deadline covers the rest). */
const REQUEST_PROXY_TIMEOUT_MS = 10_000
const PROXY_UDP_TIMEOUT_MS = 10_000

function sameAddress(a: string, b: string): boolean {
  const x = canonicalHost(a)
  return x !== null && x === canonicalHost(b)
}
