// The bridge's front door and its limits, against a running bridge on loopback.
import net from 'node:net'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { BRIDGE_PROTOCOL_VERSION, CloseCode, FrameType, MAX_FRAME_BYTES, WS_CLOSE_PROTOCOL_ERROR, type BridgeToPageFrame, type CloseFrame, type GoodbyeFrame } from '../../src/protocol/bridge-frames'
import { handshakeBytes, randomPeerId, rawPage, startTestBridge, waitFor, type RawPage, type TestBridge } from './harness'

const H = 'aa'.repeat(20)
const isClose = (stream: number) => (f: BridgeToPageFrame): f is CloseFrame => f.type === FrameType.Close && f.stream === stream
const isGoodbye = (f: BridgeToPageFrame): f is GoodbyeFrame => f.type === FrameType.Goodbye

/** A TCP server on loopback; `onConnection` decides what a "peer" does. */
async function tcpServer(onConnection: (s: net.Socket) => void): Promise<{ port: number; close(): Promise<void>; sockets: Set<net.Socket> }> {
  const sockets = new Set<net.Socket>()
  const server = net.createServer((s) => {
    sockets.add(s)
    s.on('error', () => {})
    s.on('close', () => sockets.delete(s))
    onConnection(s)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  return {
    port: (server.address() as net.AddressInfo).port,
    sockets,
    close: () => new Promise((r) => { for (const s of sockets) s.destroy(); server.close(() => r()) }),
  }
}

describe('bridge front door', () => {
  let bridge: TestBridge
  beforeAll(async () => { bridge = await startTestBridge() })
  afterAll(async () => { await bridge.close() })

  it('accepts its own origin and a client without one', async () => {
    const a = await rawPage(bridge.wsUrl, { origin: bridge.origin })
    expect((await a.next((f): f is BridgeToPageFrame => f.type === FrameType.Welcome)).type).toBe(FrameType.Welcome)
    a.close()
    const b = await rawPage(bridge.wsUrl)
    b.close()
  })

  it('refuses another origin', async () => {
    await expect(rawPage(bridge.wsUrl, { origin: 'http://evil.example' })).rejects.toThrow(/HTTP 403/)
    await expect(rawPage(bridge.wsUrl, { origin: bridge.origin.replace(/\d+$/, '1') })).rejects.toThrow(/HTTP 403/)
  })

  it('refuses a Host that is not its address (DNS rebinding)', async () => {
    const port = new URL(bridge.wsUrl).port
    await expect(rawPage(bridge.wsUrl, { origin: `http://evil.example:${port}`, headers: { host: `evil.example:${port}` } })).rejects.toThrow(/HTTP 403/)
  })

  it('closes other paths on the upgrade', async () => {
    // the socket is dropped with no HTTP answer at all ('socket hang up' in ws), not refused with a status
    await expect(rawPage(bridge.wsUrl.replace('/bridge', '/other'), { origin: bridge.origin })).rejects.toThrow(/^socket hang up$/)
  })
})

describe('token', () => {
  let bridge: TestBridge
  beforeAll(async () => { bridge = await startTestBridge(['--token', 'correct-horse']) })
  afterAll(async () => { await bridge.close() })
  it('is required when configured', async () => {
    await expect(rawPage(bridge.wsUrl, { origin: bridge.origin })).rejects.toThrow(/HTTP 401/)
    await expect(rawPage(`${bridge.wsUrl}?token=wrong-horse!`, { origin: bridge.origin })).rejects.toThrow(/HTTP 401/)
    const ok = await rawPage(`${bridge.wsUrl}?token=correct-horse`, { origin: bridge.origin })
    ok.close()
  })
})

describe('destinations, caps and timeouts', () => {
  let strict: TestBridge // no --allow-net: loopback is off limits
  let bridge: TestBridge
  let pages: RawPage[] = []
  const open = async (b: TestBridge) => {
    const p = await rawPage(b.wsUrl, { origin: b.origin })
    pages.push(p)
    p.send({ type: FrameType.Register, infoHash: H, peerId: randomPeerId() })
    return p
  }
  beforeAll(async () => {
    strict = await startTestBridge(['--allow-net', '10.255.255.255/32'])
    // the "peers" here are raw TCP stand-ins that speak no MSE: plaintext relays only
    bridge = await startTestBridge(['--encryption', 'off'], { maxStreamsPerSession: 3, dialsPerSecond: 1, dialBurst: 4, handshakeTimeoutMs: 400, streamIdleMs: 400 })
  })
  afterEach(() => { for (const p of pages) p.close(); pages = [] })
  afterAll(async () => { await Promise.all([strict.close(), bridge.close()]) })

  it('refuses loopback, private and low-port destinations unless allowed', async () => {
    const p = await open(strict)
    const cases: [string, number][] = [['127.0.0.1', 6881], ['192.168.1.1', 6881], ['169.254.169.254', 8080], ['::1', 6881], ['8.8.8.8', 22], ['100.64.1.1', 6881]]
    let id = 1
    for (const [host, port] of cases) {
      p.send({ type: FrameType.Open, stream: id, infoHash: H, peer: { host, port } })
      const c = await p.next(isClose(id))
      expect(c.code, host).toBe(CloseCode.Refused)
      id += 2
    }
  })

  it('refuses to dial for an unregistered info-hash', async () => {
    const p = await open(bridge)
    p.send({ type: FrameType.Open, stream: 1, infoHash: 'bb'.repeat(20), peer: { host: '127.0.0.1', port: 9999 } })
    expect((await p.next(isClose(1))).code).toBe(CloseCode.NotRegistered)
  })

  it('caps streams and dial rate per page', async () => {
    const silent = await tcpServer(() => {})
    const p = await open(bridge)
    for (const id of [1, 3, 5, 7]) p.send({ type: FrameType.Open, stream: id, infoHash: H, peer: { host: '127.0.0.1', port: silent.port } })
    expect((await p.next(isClose(7))).code).toBe(CloseCode.TooManyStreams)
    const q = await open(bridge)
    // burst of 4, 1/s: the 5th dial within a second is refused
    for (const id of [1, 3, 5]) q.send({ type: FrameType.Open, stream: id, infoHash: H, peer: { host: '127.0.0.1', port: silent.port } })
    for (const id of [1, 3, 5]) q.send({ type: FrameType.Close, stream: id, code: CloseCode.Normal, reason: '' })
    for (const id of [7, 9]) q.send({ type: FrameType.Open, stream: id, infoHash: H, peer: { host: '127.0.0.1', port: silent.port } })
    const c = await Promise.race([q.next(isClose(7)), q.next(isClose(9))])
    expect(c.code).toBe(CloseCode.RateLimited)
    await silent.close()
  })

  it('closes a stream whose page sends no handshake, a bad one, or goes idle', async () => {
    const peer = await tcpServer(() => {})
    const p = await open(bridge)
    p.send({ type: FrameType.Open, stream: 1, infoHash: H, peer: { host: '127.0.0.1', port: peer.port } })
    expect((await p.next(isClose(1))).code).toBe(CloseCode.BadHandshake)
    expect(peer.sockets.size).toBe(0) // never dialed
    p.send({ type: FrameType.Open, stream: 3, infoHash: H, peer: { host: '127.0.0.1', port: peer.port } })
    p.send({ type: FrameType.Data, stream: 3, data: handshakeBytes('cc'.repeat(20)) })
    expect((await p.next(isClose(3))).code).toBe(CloseCode.BadHandshake)
    p.send({ type: FrameType.Open, stream: 5, infoHash: H, peer: { host: '127.0.0.1', port: peer.port } })
    p.send({ type: FrameType.Data, stream: 5, data: handshakeBytes(H) })
    await p.next((f): f is BridgeToPageFrame => f.type === FrameType.Opened && f.stream === 5)
    expect((await p.next(isClose(5))).code).toBe(CloseCode.Idle)
    await peer.close()
  })

  it('a malformed frame ends that page only, with a reason; other pages keep working', async () => {
    const bad = await open(bridge)
    const good = await open(bridge)
    bad.sendRaw(new Uint8Array([BRIDGE_PROTOCOL_VERSION, FrameType.Credit, 0, 0]))
    const bye = await bad.next(isGoodbye)
    expect(bye.code).toBe(CloseCode.ProtocolError)
    expect(bye.reason).toMatch(/truncated/)
    expect((await bad.closed).code).toBe(WS_CLOSE_PROTOCOL_ERROR)
    const text = await open(bridge)
    text.sendRaw('hello')
    expect((await text.next(isGoodbye)).reason).toMatch(/text frame/)
    const big = await open(bridge)
    big.sendRaw(new Uint8Array(MAX_FRAME_BYTES + 1))
    expect((await big.closed).code).toBe(1009) // ws: message too big
    // the good page is still served
    good.send({ type: FrameType.Open, stream: 1, infoHash: 'bb'.repeat(20), peer: { host: '127.0.0.1', port: 9999 } })
    expect((await good.next(isClose(1))).code).toBe(CloseCode.NotRegistered)
  })

  it('a page that sends past its credit is a protocol error', async () => {
    // a peer that never reads: once the kernel's buffers are full the bridge grants no more credit
    const peer = await tcpServer((s) => s.pause())
    const p = await open(bridge)
    p.send({ type: FrameType.Open, stream: 1, infoHash: H, peer: { host: '127.0.0.1', port: peer.port } })
    const chunk = new Uint8Array(64 * 1024)
    chunk.set(handshakeBytes(H))
    p.send({ type: FrameType.Data, stream: 1, data: chunk })
    // past the connection's opening: before it, a page may send only a little (the next test)
    await p.next((f): f is BridgeToPageFrame => f.type === FrameType.Opened && f.stream === 1)
    chunk.fill(0, 0, 68)
    for (let i = 0; i < 800 && p.ws.readyState === p.ws.OPEN; i++) {
      p.send({ type: FrameType.Data, stream: 1, data: chunk }) // ignoring the credit
      if (i % 16 === 0) await new Promise((r) => setTimeout(r, 5))
    }
    expect((await p.next(isGoodbye)).reason).toMatch(/credit/)
    await peer.close()
  }, 20_000)
})

describe('peers that take nothing', () => {
  let bridge: TestBridge
  // a small cap and a quick heartbeat: the page is paused at once, and stays paused (about 3 s) past
  // two heartbeats, which dropped it before (1 s, not less: a busy test process answers pings late)
  beforeAll(async () => { bridge = await startTestBridge(['--encryption', 'off'], { maxBufferedPerSession: 512 * 1024, heartbeatMs: 1000, writeStallMs: 3000 }) })
  afterAll(async () => { await bridge.close() })

  it('regression: a stream whose peer reads nothing is closed; its page, paused meanwhile, is not dropped by the heartbeat', async () => {
    const peer = await tcpServer((s) => s.pause()) // accepts, reads nothing
    const p = await rawPage(bridge.wsUrl, { origin: bridge.origin })
    p.send({ type: FrameType.Register, infoHash: H, peerId: randomPeerId() })
    p.send({ type: FrameType.Open, stream: 1, infoHash: H, peer: { host: '127.0.0.1', port: peer.port } })
    p.send({ type: FrameType.Data, stream: 1, data: handshakeBytes(H) })
    await p.next((f): f is BridgeToPageFrame => f.type === FrameType.Opened && f.stream === 1)
    // send as far as the credit goes, for as long as it comes back: the kernel's buffers fill, then the bridge's
    let credit = 1024 * 1024 - 68
    p.onFrame((f) => { if (f.type === FrameType.Credit && f.stream === 1) credit += f.bytes })
    const closed = p.next(isClose(1), 30_000)
    let done = false
    void closed.then(() => { done = true })
    const chunk = new Uint8Array(64 * 1024)
    while (!done) {
      while (credit >= chunk.length && !done) {
        p.send({ type: FrameType.Data, stream: 1, data: chunk })
        credit -= chunk.length
      }
      await new Promise((r) => setTimeout(r, 20))
    }
    expect((await closed).reason).toMatch(/the peer takes none of the data sent to it/)
    const ended = await Promise.race([p.closed, new Promise((r) => setTimeout(() => r(null), 100))])
    expect(ended, 'the page is still connected').toBeNull()
    p.close()
    await peer.close()
  }, 40_000)
})

describe('inbound peer port', () => {
  let bridge: TestBridge
  beforeAll(async () => { bridge = await startTestBridge([], { handshakeTimeoutMs: 300, maxPendingInbound: 6, maxPendingInboundPerAddress: 2 }) })
  afterAll(async () => { await bridge.close() })

  const connect = (from = '127.0.0.1') => new Promise<net.Socket>((resolve, reject) => {
    const s = net.connect({ port: bridge.peerPort, host: '127.0.0.1', localAddress: from }, () => resolve(s))
    s.on('error', reject)
  })
  const closedWithin = (s: net.Socket, ms: number) => new Promise<boolean>((resolve) => {
    const t = setTimeout(() => resolve(false), ms)
    s.once('close', () => { clearTimeout(t); resolve(true) })
  })

  it('closes unknown info-hashes, garbage and silence', async () => {
    const unknown = await connect()
    unknown.write(handshakeBytes('dd'.repeat(20)))
    expect(await closedWithin(unknown, 2000)).toBe(true)
    const garbage = await connect()
    garbage.write(Buffer.from('GET / HTTP/1.1\r\n\r\n'))
    expect(await closedWithin(garbage, 2000)).toBe(true)
    const silent = await connect()
    expect(await closedWithin(silent, 2000)).toBe(true)
  })

  it('one address cannot hold every pending handshake slot: a peer from another address still gets in', async () => {
    // silent connections from one address: past its share of the pending slots, each is dropped at once
    const hogs = await Promise.all(Array.from({ length: 4 }, () => connect('127.0.0.9')))
    const dropped = await Promise.all(hogs.map((s) => closedWithin(s, 100)))
    expect(dropped.filter(Boolean)).toHaveLength(2)
    const p = await rawPage(bridge.wsUrl, { origin: bridge.origin })
    p.send({ type: FrameType.Register, infoHash: H, peerId: randomPeerId() })
    await new Promise((r) => setTimeout(r, 50))
    const real = await connect('127.0.0.10')
    real.write(handshakeBytes(H))
    const inc = await p.next((f): f is Extract<BridgeToPageFrame, { type: FrameType.Incoming }> => f.type === FrameType.Incoming)
    expect(inc.peer.host).toBe('127.0.0.10')
    for (const s of [...hogs, real]) s.destroy()
    p.close()
  })

  it('routes a registered info-hash to the page that registered it', async () => {
    const p = await rawPage(bridge.wsUrl, { origin: bridge.origin })
    p.send({ type: FrameType.Register, infoHash: H, peerId: randomPeerId() })
    await new Promise((r) => setTimeout(r, 50))
    const s = await connect()
    const hs = handshakeBytes(H)
    s.write(Buffer.concat([hs, Buffer.from('extra')]))
    const inc = await p.next((f): f is Extract<BridgeToPageFrame, { type: FrameType.Incoming }> => f.type === FrameType.Incoming)
    expect(inc.infoHash).toBe(H)
    expect(inc.peer.host).toBe('127.0.0.1')
    // in one frame or more: the bridge cuts frames after whole BitTorrent messages
    const sent = Buffer.concat([hs, Buffer.from('extra')])
    const received = () => Buffer.concat(p.frames.flatMap((f) => (f.type === FrameType.Data && f.stream === inc.stream ? [f.data] : [])))
    await waitFor(() => received().length >= sent.length, 3000, 'the peer\'s bytes')
    expect(received()).toEqual(sent)
    // the page answers with its handshake, the peer gets it
    const got = new Promise<Buffer>((resolve) => s.once('data', resolve))
    const answer = handshakeBytes(H)
    p.send({ type: FrameType.Data, stream: inc.stream, data: answer })
    expect(new Uint8Array(await got)).toEqual(answer)
    s.destroy()
    p.close()
    await waitFor(() => bridge.running.bridge!.stats().streams === 0, 3000, 'stream released')
  })
})
