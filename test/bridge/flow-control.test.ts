// Credit-based flow control: a page that grants no credit pauses the TCP socket, and the bridge's
// memory for it stays under a window plus one socket read; a hostile peer costs only its stream.
import net from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CloseCode, FrameType, STREAM_WINDOW, type BridgeToPageFrame, type DataFrame } from '../../src/protocol/bridge-frames'
import { handshakeBytes, randomPeerId, rawPage, startTestBridge, waitFor, type TestBridge } from './harness'

const H = 'ee'.repeat(20)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** A peer that writes as fast as TCP lets it, and counts what it got written. */
async function floodingPeer(): Promise<{ port: number; written(): number; close(): Promise<void> }> {
  let written = 0
  const sockets = new Set<net.Socket>()
  const block = Buffer.alloc(64 * 1024, 0x5a)
  const server = net.createServer((s) => {
    sockets.add(s)
    s.on('error', () => {})
    const pump = () => {
      while (!s.destroyed && s.write(block)) written += block.length
    }
    s.on('drain', () => { written += block.length; pump() })
    pump()
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  return {
    port: (server.address() as net.AddressInfo).port,
    written: () => written,
    close: () => new Promise((r) => { for (const s of sockets) s.destroy(); server.close(() => r()) }),
  }
}

describe('flow control', () => {
  let bridge: TestBridge
  // the "peers" here are raw TCP stand-ins that speak no MSE: plaintext relays only
  beforeAll(async () => { bridge = await startTestBridge(['--encryption', 'off']) })
  afterAll(async () => { await bridge.close() })

  it('a page that grants no credit pauses the peer; bridge memory stays bounded', async () => {
    const peer = await floodingPeer()
    const p = await rawPage(bridge.wsUrl, { origin: bridge.origin })
    p.send({ type: FrameType.Register, infoHash: H, peerId: randomPeerId() })
    p.send({ type: FrameType.Open, stream: 1, infoHash: H, peer: { host: '127.0.0.1', port: peer.port } })
    p.send({ type: FrameType.Data, stream: 1, data: handshakeBytes(H) })
    const received = () => p.frames.filter((f): f is DataFrame => f.type === FrameType.Data).reduce((n, f) => n + f.data.length, 0)
    await waitFor(() => received() === STREAM_WINDOW, 5000, 'a window of data')
    let peakBuffered = 0
    for (let i = 0; i < 20; i++) {
      await sleep(50)
      peakBuffered = Math.max(peakBuffered, bridge.running.bridge!.stats().buffered)
    }
    const writtenWhilePaused = peer.written()
    expect(received()).toBe(STREAM_WINDOW) // not a byte past the credit
    // one socket read (sized to the credit left: bridge/peer-connection/shared-reads.ts) may wait in the bridge; the rest stays in the kernel and the peer
    expect(peakBuffered).toBeLessThanOrEqual(128 * 1024)
    await sleep(300)
    expect(peer.written()).toBe(writtenWhilePaused) // the peer is blocked: TCP backpressure reached it

    // credit flows again: so does data
    p.send({ type: FrameType.Credit, stream: 1, bytes: STREAM_WINDOW })
    await waitFor(() => received() === 2 * STREAM_WINDOW, 5000, 'the second window')
    p.close()
    await waitFor(() => bridge.running.bridge!.stats().streams === 0, 3000, 'stream released')
    expect(bridge.running.bridge!.stats().buffered).toBe(0)
    await peer.close()
  }, 20_000)

  it('regression, upload to aria2c fell to 0.4 MB/s: credit to the page comes in quarter windows, not per write', async () => {
    // silly window syndrome: when the bridge granted each completed socket write, a page that
    // writes small messages got small credits back and sent ever smaller frames
    let sunk = 0
    const sink = net.createServer((s) => { s.on('error', () => {}); s.on('data', (d) => { sunk += d.length }) })
    await new Promise<void>((r) => sink.listen(0, '127.0.0.1', () => r()))
    const p = await rawPage(bridge.wsUrl, { origin: bridge.origin })
    p.send({ type: FrameType.Register, infoHash: H, peerId: randomPeerId() })
    p.send({ type: FrameType.Open, stream: 1, infoHash: H, peer: { host: '127.0.0.1', port: (sink.address() as net.AddressInfo).port } })
    const hs = handshakeBytes(H)
    p.send({ type: FrameType.Data, stream: 1, data: hs })
    await p.next((f): f is Extract<BridgeToPageFrame, { type: FrameType.Opened }> => f.type === FrameType.Opened)
    // like bittorrent-protocol: a 13-byte header, then a 16 KiB block, each as far as credit allows
    const total = 4 * STREAM_WINDOW
    let credit = STREAM_WINDOW - hs.length
    let sent = 0
    let header = true
    const send = () => {
      while (sent < total && credit > 0) {
        const n = Math.min(credit, header ? 13 : 16 * 1024, total - sent)
        p.send({ type: FrameType.Data, stream: 1, data: new Uint8Array(n) })
        header = !header
        credit -= n
        sent += n
      }
    }
    const grants: number[] = []
    p.onFrame((f) => {
      if (f.type !== FrameType.Credit) return
      grants.push(f.bytes)
      credit += f.bytes
      send()
    })
    send()
    await waitFor(() => sunk === hs.length + total, 10_000, 'everything written to the peer')
    expect(grants.length).toBeGreaterThan(0)
    for (const g of grants) expect(g).toBeGreaterThanOrEqual(STREAM_WINDOW / 4)
    p.close()
    await new Promise<void>((r) => sink.close(() => r()))
  }, 20_000)

  it('a peer that floods garbage costs only its own stream', async () => {
    const hostile = await floodingPeer()
    const quiet = net.createServer((s) => { s.on('error', () => {}); s.on('data', (d) => s.write(d)) }) // echoes
    await new Promise<void>((r) => quiet.listen(0, '127.0.0.1', () => r()))
    const quietPort = (quiet.address() as net.AddressInfo).port
    const p = await rawPage(bridge.wsUrl, { origin: bridge.origin })
    p.send({ type: FrameType.Register, infoHash: H, peerId: randomPeerId() })
    p.send({ type: FrameType.Open, stream: 1, infoHash: H, peer: { host: '127.0.0.1', port: hostile.port } })
    p.send({ type: FrameType.Data, stream: 1, data: handshakeBytes(H) })
    p.send({ type: FrameType.Open, stream: 3, infoHash: H, peer: { host: '127.0.0.1', port: quietPort } })
    const hs = handshakeBytes(H)
    p.send({ type: FrameType.Data, stream: 3, data: hs })
    // the echo comes back on stream 3 while stream 1 sits at its credit limit
    const echo = await p.next((f: BridgeToPageFrame): f is DataFrame => f.type === FrameType.Data && f.stream === 3)
    expect(echo.data).toEqual(hs)
    expect(bridge.running.bridge!.stats().buffered).toBeLessThanOrEqual(128 * 1024)
    // the page drops the hostile stream: the bridge closes its socket, the other stream stays
    p.send({ type: FrameType.Close, stream: 1, code: CloseCode.BadHandshake, reason: 'garbage' })
    await waitFor(() => bridge.running.bridge!.stats().streams === 1, 3000, 'hostile stream closed')
    p.close()
    await hostile.close()
    await new Promise<void>((r) => quiet.close(() => r()))
  }, 20_000)
})
