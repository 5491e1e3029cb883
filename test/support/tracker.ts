// A local bittorrent-tracker (HTTP, UDP and WebSocket on one port) bound to loopback.
import dgram from 'node:dgram'
import type { Server as HttpServer } from 'node:http'
import net from 'node:net'
// @ts-ignore -- bittorrent-tracker ships no types. The `/server` entry does not load the tracker
// client (and so neither simple-peer nor wrtc): safe to import from the Playwright process.
import ServerModule from 'bittorrent-tracker/server'

/** What the harness uses of bittorrent-tracker's Server. */
export interface TrackerServer {
  http: HttpServer | null
  ws: { clients: Set<{ terminate(): void }> } | null
  /** Swarms by info-hash (hex). */
  torrents: Record<string, { complete: number; incomplete: number; peers: { length: number } } | undefined>
  listen(port: number | { http: number; udp: number }, hostname: { http: string; udp: string; udp6: string }): void
  close(cb?: (err?: Error | null) => void): void
  on(event: string, fn: (...args: unknown[]) => void): this
  once(event: string, fn: (...args: unknown[]) => void): this
  removeListener(event: string, fn: (...args: unknown[]) => void): this
}

type TrackerServerCtor = new (opts: { http?: boolean; udp?: boolean; ws?: boolean; stats?: boolean; interval?: number }) => TrackerServer
const Server = ServerModule as unknown as TrackerServerCtor

export interface LocalTracker {
  /** ws://127.0.0.1:PORT (or [::1], as httpUrl) — the only kind a browser (and a WebRTC-only peer) uses. */
  wsUrl: string
  /** http://127.0.0.1:PORT/announce (http://[::1]:PORT/announce with `httpHost: '::1'`) */
  httpUrl: string
  /** udp://127.0.0.1:PORT */
  udpUrl: string
  port: number
  server: TrackerServer
  close(): Promise<void>
}

export interface StartTrackerOptions {
  /** Fixed port (HTTP/WS TCP and UDP). Default: a free one. */
  port?: number
  /** Announce interval the tracker tells clients (ms). Default 5 s: a WebRTC offer that fails is retried at the next announce, and tests should not wait 10 min for it. */
  intervalMs?: number
  /**
   * Where its HTTP (and WebSocket) side listens: 127.0.0.1 (default), or ::1 for a tracker reached
   * over IPv6, which answers IPv6 peers in `peers6` (BEP 7).
   */
  httpHost?: '127.0.0.1' | '::1'
}

function probeTcp(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer()
    s.once('error', reject)
    s.listen(port, '127.0.0.1', () => {
      const { port: p } = s.address() as net.AddressInfo
      s.close(() => resolve(p))
    })
  })
}

function probeUdp(type: 'udp4' | 'udp6', host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket(type)
    s.once('error', (err) => {
      s.close()
      reject(err)
    })
    s.bind(port, host, () => s.close(() => resolve()))
  })
}

/** A port free on 127.0.0.1 for TCP and for UDP on 127.0.0.1 and ::1 (it can still be taken before use). */
export async function findFreePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await probeTcp(0)
    try {
      await probeUdp('udp4', '127.0.0.1', port)
      await probeUdp('udp6', '::1', port)
      return port
    } catch {
      // the UDP side of that number is busy: try another
    }
  }
  throw new Error('no free port found for TCP+UDP on loopback')
}

function listenOnce(port: number, intervalMs: number | undefined, httpHost: string): Promise<TrackerServer> {
  const server = new Server({ http: true, udp: true, ws: true, stats: true, ...(intervalMs ? { interval: intervalMs } : {}) })
  return new Promise((resolve, reject) => {
    let state: 'pending' | 'listening' | 'failed' = 'pending'
    // One listener for the server's whole life. TRAP: a failed HTTP listen is emitted twice
    // (by the HTTP server and again through the WebSocketServer attached to it), so a `once`
    // listener leaves the second one unhandled and the process crashes.
    server.on('error', (err) => {
      if (state === 'pending') {
        state = 'failed'
        // Don't wait for the close callback: a half-bound server may never call it.
        try {
          server.close()
        } catch {}
        reject(err)
      } else if (state === 'listening') {
        console.error('[tracker error]', (err as Error).message)
      }
    })
    server.once('listening', () => {
      if (state !== 'pending') return
      state = 'listening'
      resolve(server)
    })
    server.on('warning', () => {}) // malformed requests: bittorrent-tracker reports them as warnings
    // TRAP: `listen(port, '127.0.0.1')` fails with EINVAL (the same host is given to the udp6
    // socket). Give each socket its own loopback host. Port 0 is not usable either: the HTTP and
    // the two UDP sockets would each get a different ephemeral port, so find a free one first.
    server.listen(port, { http: httpHost, udp: '127.0.0.1', udp6: '::1' })
  })
}

export async function startTracker(opts: StartTrackerOptions = {}): Promise<LocalTracker> {
  let server: TrackerServer | undefined
  let port = 0
  for (let attempt = 0; !server; attempt++) {
    port = opts.port ?? (await findFreePort())
    try {
      server = await listenOnce(port, opts.intervalMs ?? 5000, opts.httpHost ?? '127.0.0.1')
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      if (opts.port !== undefined || code !== 'EADDRINUSE' || attempt >= 10) throw err
    }
  }
  const s = server
  let closed: Promise<void> | undefined
  const httpHost = opts.httpHost === '::1' ? '[::1]' : '127.0.0.1'
  return {
    wsUrl: `ws://${httpHost}:${port}`,
    httpUrl: `http://${httpHost}:${port}/announce`,
    udpUrl: `udp://127.0.0.1:${port}`,
    port,
    server: s,
    close() {
      closed ??= new Promise<void>((resolve) => {
        // TRAP: the WebSocket server shares the HTTP server, and ws 8's close() leaves open
        // sockets alone, so http.close() would wait for every peer to hang up. Drop them first.
        for (const client of s.ws?.clients ?? []) client.terminate()
        s.close(() => resolve())
        s.http?.closeAllConnections()
      })
      return closed
    },
  }
}
