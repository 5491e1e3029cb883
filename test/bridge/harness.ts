// Shared parts of the bridge integration tests: an in-process bridge on loopback, a `ws` client
// playing the page, and a BitTorrent wire (bittorrent-protocol) that downloads and checks pieces.
import { createHash, randomBytes } from 'node:crypto'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
// @ts-ignore -- bittorrent-protocol ships no types; the part used is typed below.
import WireModule from 'bittorrent-protocol'
import { WebSocket } from 'ws'
import { parseOptions } from '../../bridge/options'
import type { Resolver } from '../../bridge/api-gateway/checked-address'
import type { BridgeLimits } from '../../bridge/api-gateway/limits'
import { startServer, type RunningServer } from '../../bridge/api-gateway/server'
import { BridgeClient, bridgeUrl, type WebSocketConstructor } from '../../src/bridge-client/bridge-client'
import type { Metainfo } from '../../src/core/torrent-parser/metainfo'
import { decodeBridgeFrame, encodeFrame } from '../../src/core/api-gateway/bridge-codec'
import type { BridgeFrame, BridgeToPageFrame } from '../../src/protocol/bridge-frames'

export interface TestBridge {
  running: RunningServer
  origin: string
  wsUrl: string
  peerPort: number
  close(): Promise<void>
}

let appDir: string | undefined

/** A bridge on 127.0.0.1 with loopback allowed, its own DHT (no routers) and free ports. */
export async function startTestBridge(args: string[] = [], limits: Partial<BridgeLimits> = {}, extra: { resolve?: Resolver } = {}): Promise<TestBridge> {
  if (!appDir) {
    appDir = await mkdtemp(join(tmpdir(), 'bridge-app-'))
    await writeFile(join(appDir, 'index.html'), '<!doctype html><title>test</title>')
  }
  const options = parseOptions([
    '--port', '0', '--host', '127.0.0.1', '--ice-servers', 'none', '--trackers', 'ws://127.0.0.1:9',
    '--peer-port', '0', '--peer-host', '127.0.0.1', '--dht-port', '0', '--dht-bootstrap', 'none',
    '--allow-net', '127.0.0.0/8', '--app-dir', appDir, ...args,
  ])
  Object.assign(options.bridge!.limits, limits)
  if (extra.resolve) options.bridge!.resolve = extra.resolve
  const running = await startServer(options)
  const origin = running.url.replace(/\/$/, '')
  return {
    running,
    origin,
    wsUrl: bridgeUrl(running.url),
    peerPort: running.bridge!.peerPort,
    close: () => running.close(),
  }
}

/** The `ws` WebSocket as a page would open it: with the page's Origin header. */
export function nodeWebSocket(origin: string | null): WebSocketConstructor {
  return class extends WebSocket {
    constructor(url: string) {
      super(url, origin === null ? {} : { origin })
    }
  } as unknown as WebSocketConstructor
}

export async function connectClient(bridge: TestBridge, opts: { token?: string } = {}): Promise<BridgeClient> {
  const client = new BridgeClient({
    url: bridge.wsUrl,
    WebSocket: nodeWebSocket(bridge.origin),
    reconnect: { minMs: 100, maxMs: 500 },
    ...(opts.token ? { token: opts.token } : {}),
  })
  client.start()
  await waitFor(() => client.state === 'connected', 5000, 'bridge client connected')
  return client
}

export async function waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const start = Date.now()
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for: ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

export function randomPeerId(): string {
  return Buffer.concat([Buffer.from('-TW0001-'), randomBytes(12)]).toString('hex')
}

export async function tempDir(prefix: string): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix))
  await mkdir(dir, { recursive: true })
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) }
}

// ---- a BitTorrent wire over any Duplex ----

export interface Wire {
  peerPieces: { get(i: number): boolean }
  peerChoking: boolean
  handshake(infoHash: string, peerId: string, extensions?: object): void
  interested(): void
  request(index: number, offset: number, length: number, cb: (err: Error | null, block: Uint8Array) => void): void
  destroy(): void
  pipe<T>(dest: T, cb?: (err: Error | null) => void): T
  on(event: string, fn: (...args: any[]) => void): void
  once(event: string, fn: (...args: any[]) => void): void
}

export interface PipeableDuplex {
  pipe<T>(dest: T, cb?: (err: Error | null) => void): T
  on(event: string, fn: (...args: any[]) => void): unknown
}

/** conn <-> wire, with errors swallowed: a test ends streams abruptly on purpose. */
export function pipeBoth(conn: PipeableDuplex, wire: PipeableDuplex): void {
  conn.on('error', () => {})
  wire.on('error', () => {})
  conn.pipe(wire, () => {})
  wire.pipe(conn, () => {})
}
export const WireCtor = WireModule as unknown as new () => Wire

const BLOCK = 16 * 1024

/**
 * Handshakes on `conn`, then downloads `pieces` and checks each against the torrent's SHA-1.
 * Returns how many bytes were verified.
 */
export async function downloadPieces(conn: PipeableDuplex, meta: Metainfo, pieces: number[], timeoutMs = 20_000): Promise<number> {
  const wire = new WireCtor()
  pipeBoth(conn, wire)
  wire.handshake(meta.infoHash, randomPeerId(), { dht: false })
  let timer: NodeJS.Timeout | undefined
  const work = (async () => {
    await new Promise<void>((resolve, reject) => {
      wire.once('handshake', (infoHash: string) => infoHash === meta.infoHash ? resolve() : reject(new Error(`handshake for ${infoHash}`)))
      wire.once('close', () => reject(new Error('wire closed before the handshake')))
    })
    wire.interested()
    if (wire.peerChoking) await new Promise<void>((resolve) => wire.once('unchoke', () => resolve()))
    let verified = 0
    for (const index of pieces) {
      const length = index === meta.pieceCount - 1 ? meta.lastPieceLength : meta.pieceLength
      const blocks = await Promise.all(Array.from({ length: Math.ceil(length / BLOCK) }, (_, b) => new Promise<Uint8Array>((resolve, reject) => {
        const off = b * BLOCK
        wire.request(index, off, Math.min(BLOCK, length - off), (err, block) => err ? reject(err) : resolve(block))
      })))
      const sha1 = createHash('sha1')
      for (const block of blocks) sha1.update(block)
      const expected = Buffer.from(meta.pieceHashes.subarray(index * 20, index * 20 + 20)).toString('hex')
      if (sha1.digest('hex') !== expected) throw new Error(`piece ${index}: SHA-1 mismatch`)
      verified += length
    }
    return verified
  })()
  try {
    return await Promise.race([work, new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`download of ${pieces.length} pieces timed out`)), timeoutMs)
    })])
  } finally {
    clearTimeout(timer)
    wire.destroy()
  }
}

// ---- a raw page: speaks frames directly, for the tests that break the rules on purpose ----


export interface RawPage {
  ws: WebSocket
  frames: BridgeToPageFrame[]
  closed: Promise<{ code: number; reason: string }>
  send(frame: BridgeFrame): void
  sendRaw(bytes: Uint8Array | string): void
  next<T extends BridgeToPageFrame>(match: (f: BridgeToPageFrame) => f is T, timeoutMs?: number): Promise<T>
  /** Calls `listener` with every frame from now on. */
  onFrame(listener: (frame: BridgeToPageFrame) => void): void
  close(): void
}

export async function rawPage(url: string, opts: { origin?: string; headers?: Record<string, string> } = {}): Promise<RawPage> {
  const ws = new WebSocket(url, { ...(opts.origin ? { origin: opts.origin } : {}), ...(opts.headers ? { headers: opts.headers } : {}) })
  const frames: BridgeToPageFrame[] = []
  const waiters = new Set<() => void>()
  const listeners: ((frame: BridgeToPageFrame) => void)[] = []
  ws.on('message', (data: Buffer) => {
    const r = decodeBridgeFrame(new Uint8Array(data))
    if (!r.ok) throw new Error(`the bridge sent a bad frame: ${r.reason}`)
    frames.push(r.frame)
    for (const w of [...waiters]) w()
    for (const l of listeners) l(r.frame)
  })
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })))
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve())
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)))
    ws.once('error', reject)
  })
  return {
    ws,
    frames,
    closed,
    send: (frame) => ws.send(encodeFrame(frame)),
    sendRaw: (bytes) => ws.send(bytes),
    next(match, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        let seen = 0
        const check = () => {
          for (; seen < frames.length; seen++) {
            const f = frames[seen]!
            if (match(f)) {
              waiters.delete(check)
              clearTimeout(timer)
              resolve(f)
              return
            }
          }
        }
        const timer = setTimeout(() => {
          waiters.delete(check)
          reject(new Error('timed out waiting for a frame'))
        }, timeoutMs)
        waiters.add(check)
        check()
      })
    },
    onFrame: (listener) => { listeners.push(listener) },
    close: () => ws.terminate(),
  }
}

/** The 68-byte BitTorrent handshake for `infoHash`. */
export function handshakeBytes(infoHash: string, peerId = randomPeerId()): Uint8Array {
  const b = Buffer.alloc(68)
  b[0] = 19
  b.write('BitTorrent protocol', 1, 'latin1')
  Buffer.from(infoHash, 'hex').copy(b, 28)
  Buffer.from(peerId, 'hex').copy(b, 48)
  return new Uint8Array(b)
}
