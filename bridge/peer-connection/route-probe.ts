/**
 * Whether the bridge's way out works while nothing uses it: at start-up, and now and then while
 * the route is down for a reason a probe can see mended (the proxy does not answer, the outgoing
 * interface has no address), so that the pages hear it is back without a failed connection first.
 */
import net from 'node:net'
import type { BindAddress } from './outgoing-interface'
import type { RouteHealth } from './route-health'
import { proxyUnreachable } from './socks-failure'
import type { ProxyEndpoint } from './socks-tcp'

/** How long a probe of a proxy that is down waits, and how often it runs while the proxy stays down. */
const PROBE_TIMEOUT_MS = 5000
const PROBE_EVERY_MS = 10_000

export class RouteProbe {
  private timer: NodeJS.Timeout | null = null
  private probing = false

  /** `bindFor`: the local address a socket to an address of that family is bound to (outgoing.ts). */
  constructor(
    private readonly route: RouteHealth,
    private readonly proxy: ProxyEndpoint | null,
    private readonly bindFor: (family: 4 | 6) => BindAddress | { ok: true; address: undefined },
  ) {
    route.onChange(() => this.schedule())
  }

  /** Whether the route works now: the interface has an address and the proxy takes a connection. */
  async run(): Promise<void> {
    if (this.probing) return
    this.probing = true
    try {
      const proxy = this.proxy
      const bind = this.bindFor(proxy && net.isIPv6(proxy.address) ? 6 : 4)
      if (!bind.ok) return this.route.down(bind.reason)
      if (!proxy) return this.route.up()
      // a connection only (no SOCKS5 bytes): is anyone there? Logins are judged by real use
      const error = await new Promise<string | null>((resolve) => {
        const socket = net.connect({ host: proxy.address, port: proxy.port, ...(bind.address ? { localAddress: bind.address } : {}) })
        const end = (result: string | null) => {
          clearTimeout(timer)
          socket.removeAllListeners()
          socket.on('error', () => {})
          socket.destroy()
          resolve(result)
        }
        const timer = setTimeout(() => end('timed out'), PROBE_TIMEOUT_MS)
        socket.once('connect', () => end(null))
        socket.once('error', (err: NodeJS.ErrnoException) => end(err.code ?? err.message))
      })
      if (error) this.route.down(proxyUnreachable(proxy.display, error).reason)
      else if (this.route.state !== 'down' || this.route.probeMends) this.route.up()
    } finally {
      this.probing = false
    }
  }

  /** While the route is down for a reason a probe can see mended (unreachable, no address), probe now and then. */
  private schedule(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    if (this.route.state !== 'down' || !this.route.probeMends) return
    this.timer = setTimeout(() => {
      this.timer = null
      void this.run().then(() => this.schedule())
    }, PROBE_EVERY_MS)
    this.timer.unref()
  }

  /** Stops probing (the bridge is closing). */
  close(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
  }
}
