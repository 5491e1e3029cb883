// Flow control with MSE (RC4) peers, dialed and inbound: every peer socket reads into one shared
// buffer (bridge/peer-connection/shared-reads.ts), so this checks that a page granting no credit still stops the
// socket's reads (the peer is blocked by TCP, the bridge holds at most a read), and that the bytes
// that waited for credit reach the page unchanged while other sockets' reads go through the buffer.
import { createHash, randomBytes } from 'node:crypto'
import net from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CRYPTO_RC4, req2Hash, type PeerCipher } from '../../bridge/peer-connection/mse/mse-crypto'
import { MseResponder } from '../../bridge/peer-connection/mse/mse-handshake'
import { FrameType, STREAM_WINDOW, type BridgeToPageFrame, type DataFrame, type IncomingFrame } from '../../src/protocol/bridge-frames'
import { mseDial } from './mse-peer'
import { handshakeBytes, randomPeerId, rawPage, startTestBridge, waitFor, type RawPage, type TestBridge } from './harness'

const H = createHash('sha1').update('flow control with mse').digest('hex')
/** What the flooding peers send, endlessly: this pattern over and over (its length a window's plus a prime). */
const PATTERN = randomBytes(STREAM_WINDOW + 4099)
/** Bytes [from, from + n) of the endless stream. */
function source(from: number, n: number): Buffer {
  const out = Buffer.alloc(n)
  for (let off = 0; off < n;) {
    const at = (from + off) % PATTERN.length
    off += PATTERN.copy(out, off, at, Math.min(PATTERN.length, at + n - off))
  }
  return out
}
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex')
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

interface Flood {
  /** Bytes of the stream handed to the socket so far. */
  written(): number
}

/** Once MSE is done: writes the endless stream, RC4-encrypted, as fast as TCP lets it; ignores what comes in. */
function flood(socket: net.Socket, cipher: PeerCipher): Flood {
  let written = 0
  const pump = () => {
    while (!socket.destroyed) {
      const ok = socket.write(cipher.encrypt.crypt(source(written, 64 * 1024)))
      written += 64 * 1024
      if (!ok) return
    }
  }
  socket.on('drain', pump)
  pump()
  return { written: () => written }
}

/** A peer the bridge dials: MSE responder taking RC4 only, then a flood per connection (in the order they finished MSE). */
async function encryptedSeeder(): Promise<{ port: number; floods: Flood[]; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>()
  const floods: Flood[] = []
  const server = net.createServer((s) => {
    sockets.add(s)
    s.on('error', () => {})
    const responder = new MseResponder({ findTorrent: (req2) => (Buffer.from(req2).equals(Buffer.from(req2Hash(Buffer.from(H, 'hex')))) ? H : null), accept: CRYPTO_RC4 })
    const onData = (chunk: Buffer) => {
      const step = responder.push(chunk)
      if (step.type === 'failed') return s.destroy()
      if (step.send) s.write(step.send)
      if (step.type !== 'done') return
      s.off('data', onData)
      s.resume() // the page's handshake and anything after it: dropped
      floods.push(flood(s, step.cipher!))
    }
    s.on('data', onData)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  return {
    port: (server.address() as net.AddressInfo).port,
    floods,
    close: () => new Promise((r) => { for (const s of sockets) s.destroy(); server.close(() => r()) }),
  }
}

/** A peer that dials the bridge's port with MSE (RC4), its handshake inside, then floods. */
async function encryptedLeecherFlooding(port: number, handshake: Uint8Array): Promise<{ socket: net.Socket; flood: Flood }> {
  const { socket, done } = await mseDial(port, H, handshake)
  socket.resume()
  return { socket, flood: flood(socket, done.cipher!) }
}

const dataOf = (p: RawPage, stream: number) => Buffer.concat(p.frames.filter((f): f is DataFrame => f.type === FrameType.Data && f.stream === stream).map((f) => f.data))

interface Relayed {
  stream: number
  flood: Flood
  /** Bytes the page gets before the flood (an inbound peer's handshake). */
  skip: number
}

/**
 * The page holds its credit: each peer must stall (TCP backpressure) with the bridge holding at
 * most a read per stream. Then the page takes `total` bytes of each, one stream after the other, a
 * window at a time, and they must be the stream's: the bytes a stalled stream holds must not be
 * the shared buffer, which the other stream's reads overwrite meanwhile.
 */
async function stallThenDrain(bridge: TestBridge, p: RawPage, relayed: Relayed[], total: number): Promise<void> {
  const got = (r: Relayed) => dataOf(p, r.stream).length - r.skip
  for (const r of relayed) await waitFor(() => got(r) === STREAM_WINDOW - r.skip, 5000, `a window of data on stream ${r.stream}`)
  let peakBuffered = 0
  for (let i = 0; i < 20; i++) {
    await sleep(50)
    peakBuffered = Math.max(peakBuffered, bridge.running.bridge!.stats().buffered)
  }
  const writtenWhilePaused = relayed.map((r) => r.flood.written())
  for (const r of relayed) expect(got(r)).toBe(STREAM_WINDOW - r.skip) // not a byte past the credit
  expect(peakBuffered).toBeLessThanOrEqual(relayed.length * 128 * 1024) // a socket read per stream
  await sleep(300)
  expect(relayed.map((r) => r.flood.written())).toEqual(writtenWhilePaused) // no reads: the peers are blocked

  for (const r of relayed) {
    let granted = STREAM_WINDOW
    while (granted < total + r.skip) {
      p.send({ type: FrameType.Credit, stream: r.stream, bytes: STREAM_WINDOW })
      granted += STREAM_WINDOW
      await waitFor(() => got(r) >= Math.min(granted, total + r.skip) - r.skip, 5000, `${granted} bytes granted on stream ${r.stream}`)
      expect(bridge.running.bridge!.stats().buffered).toBeLessThanOrEqual(STREAM_WINDOW + relayed.length * 128 * 1024)
    }
    expect(sha256(dataOf(p, r.stream).subarray(r.skip, r.skip + total)), `stream ${r.stream}`).toBe(sha256(source(0, total)))
  }
}

describe('flow control with MSE and shared reads', () => {
  let bridge: TestBridge
  beforeAll(async () => { bridge = await startTestBridge(['--encryption', 'require']) })
  afterAll(async () => { await bridge.close() })

  it('dialed RC4 peers: no credit stops their sockets; what waited reaches the page intact', async () => {
    const seeder = await encryptedSeeder()
    const p = await rawPage(bridge.wsUrl, { origin: bridge.origin })
    p.send({ type: FrameType.Register, infoHash: H, peerId: randomPeerId() })
    const relayed: Relayed[] = []
    for (const stream of [1, 3]) {
      p.send({ type: FrameType.Open, stream, infoHash: H, peer: { host: '127.0.0.1', port: seeder.port } })
      p.send({ type: FrameType.Data, stream, data: handshakeBytes(H) })
      await p.next((f): f is Extract<BridgeToPageFrame, { type: FrameType.Opened }> => f.type === FrameType.Opened && f.stream === stream)
      await waitFor(() => seeder.floods.length === relayed.length + 1, 3000, 'the seeder floods')
      relayed.push({ stream, flood: seeder.floods.at(-1)!, skip: 0 })
    }
    await stallThenDrain(bridge, p, relayed, 4 * STREAM_WINDOW)
    expect(bridge.running.bridge!.stats().opened.rc4).toBeGreaterThanOrEqual(2)
    p.close()
    await waitFor(() => bridge.running.bridge!.stats().streams === 0, 3000, 'streams released')
    expect(bridge.running.bridge!.stats().buffered).toBe(0)
    await seeder.close()
  }, 30_000)

  it('inbound RC4 peers: no credit stops their sockets; what waited reaches the page intact', async () => {
    const p = await rawPage(bridge.wsUrl, { origin: bridge.origin })
    p.send({ type: FrameType.Register, infoHash: H, peerId: randomPeerId() })
    await sleep(50)
    const relayed: Relayed[] = []
    const sockets: net.Socket[] = []
    for (let i = 0; i < 2; i++) {
      const peerHandshake = handshakeBytes(H)
      const peer = await encryptedLeecherFlooding(bridge.peerPort, peerHandshake)
      sockets.push(peer.socket)
      const inc = await p.next((f: BridgeToPageFrame): f is IncomingFrame => f.type === FrameType.Incoming && !relayed.some((r) => r.stream === f.stream))
      p.send({ type: FrameType.Data, stream: inc.stream, data: handshakeBytes(H) }) // the page answers: the stream opens
      // the page gets the peer's handshake first, then the flood
      await waitFor(() => dataOf(p, inc.stream).length >= peerHandshake.length, 3000, "the peer's handshake")
      expect(dataOf(p, inc.stream).subarray(0, peerHandshake.length).equals(peerHandshake)).toBe(true)
      relayed.push({ stream: inc.stream, flood: peer.flood, skip: peerHandshake.length })
    }
    await stallThenDrain(bridge, p, relayed, 4 * STREAM_WINDOW)
    for (const s of sockets) s.destroy()
    p.close()
    await waitFor(() => bridge.running.bridge!.stats().streams === 0, 3000, 'streams released')
    expect(bridge.running.bridge!.stats().buffered).toBe(0)
  }, 30_000)
})
