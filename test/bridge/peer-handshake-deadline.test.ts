// A dialed peer that accepts TCP and then says nothing held one of the page's capped bridge
// streams until webtorrent's own handshake timeout (25 s) or the bridge's idle time (5 min). The
// bridge now gives the peer its handshakeTimeoutMs after OPENED (relay-stream.ts): a silent peer's
// stream is closed then, the page counts that as the peer's failure, and /metrics counts it. A
// peer that answers in time keeps its stream.
import http from 'node:http'
import { createServer, type Server, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BridgeClient } from '../../src/bridge-client/bridge-client'
import type { BridgeStream } from '../../src/bridge-client/bridge-stream'
import { dialOutcome } from '../../src/core/peer-connection/dial-outcome'
import { CloseCode, FrameType, type BridgeToPageFrame, type CloseFrame, type DataFrame } from '../../src/protocol/bridge-frames'
import { handshakeMessage } from '../../src/core/peer-connection/seed-wire'
import { rawPage, startTestBridge, waitFor, type TestBridge } from './harness'
import { plaintextPage, type PlaintextPage } from './plaintext-page'

const INFO_HASH = 'd1'.repeat(20)

const PEER_ID = Buffer.from('-TW0001-deadline0001').toString('hex')

/** The page's 68-byte handshake, which the bridge checks before it dials. */
const pageHandshake = (): Uint8Array => handshakeMessage(INFO_HASH, PEER_ID)

function metric(url: string, name: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http.get(url, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => { text += c })
      res.on('end', () => {
        const line = text.split('\n').find((l) => l.startsWith(`${name} `))
        resolve(line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0)
      })
    }).on('error', reject)
  })
}

async function listener(onConnection: (s: Socket) => void): Promise<{ server: Server; port: number; sockets: Socket[] }> {
  const sockets: Socket[] = []
  const server = createServer((s) => { sockets.push(s); s.on('error', () => {}); onConnection(s) })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return { server, port: (server.address() as { port: number }).port, sockets }
}

describe('a dialed peer\'s handshake deadline at the bridge', () => {
  let page: PlaintextPage | undefined
  let bridge: TestBridge
  let client: BridgeClient
  let silent: Awaited<ReturnType<typeof listener>>
  let answering: Awaited<ReturnType<typeof listener>>

  beforeAll(async () => {
    silent = await listener(() => {})
    // echoes the handshake it is sent and says it has no pieces (BEP 6 have_none), as a real peer answers
    answering = await listener((s) => s.once('data', () => s.write(Buffer.concat([Buffer.from(pageHandshake()), Buffer.of(0, 0, 0, 1, 15)]))))
    // the idle time far past the deadline, so only the deadline closes a silent stream
    page = await plaintextPage({ handshakeTimeoutMs: 800, streamIdleMs: 10 * 60_000 }, INFO_HASH, PEER_ID)
    ;({ bridge, client } = page)
  }, 30_000)

  afterAll(async () => {
    await page?.close()
    for (const l of [silent, answering]) {
      for (const s of l?.sockets ?? []) s.destroy()
      await new Promise((r) => l?.server.close(r))
    }
  })

  function dial(port: number): { stream: BridgeStream; opened: Promise<void>; closed: Promise<void> } {
    const stream = client.open(INFO_HASH, { host: '127.0.0.1', port })
    const opened = new Promise<void>((r) => stream.once('open', () => r()))
    const closed = new Promise<void>((r) => stream.once('close', () => r()))
    stream.on('data', () => {})
    stream.write(pageHandshake())
    return { stream, opened, closed }
  }

  it('closes the stream of a peer that sends no handshake, as the peer\'s failure, counted in /metrics; a peer that answers keeps its stream', async () => {
    const before = await metric(`${bridge.origin}/metrics`, 'bridge_peer_handshake_timeouts_total')
    const answered = dial(answering.port)
    await answered.opened
    await waitFor(() => answered.stream.greeted, 10_000, 'the answering peer\'s handshake and first message')
    // dialed after the answering one: its deadline ends later than the answering stream's would
    const quiet = dial(silent.port)
    await quiet.opened
    await quiet.closed
    expect(quiet.stream.closeCode).toBe(CloseCode.Idle)
    expect(dialOutcome({ bridgeLost: false, duplicate: false, greeted: quiet.stream.greeted, closeCode: quiet.stream.closeCode })).toBe('failed')
    expect(await metric(`${bridge.origin}/metrics`, 'bridge_peer_handshake_timeouts_total')).toBe(before + 1)
    // the answering peer's stream, older than the closed one, is still open
    expect(answered.stream.destroyed).toBe(false)
    expect(answered.stream.closeCode).toBeUndefined()
    answered.stream.destroy()
  }, 30_000)
})

// The bridge's own overload held a just-dialed stream's socket paused (pump() reads nothing for a
// page over its cap), so the peer's handshake, sent at once, lay unread; the deadline then closed
// the stream as Idle, which the page counts as the peer's failure. Now the deadline waits while
// the bridge holds the socket back, and the handshake reaches the page once the overload ends.
describe('a dialed peer\'s handshake deadline while the page\'s session is over its cap', () => {
  // the page's handshake on stream 3 is due within it too: time enough to put the session over its cap first
  const DEADLINE_MS = 1500
  const CAP = 8 * 1024
  let bridge: TestBridge
  let hoarder: Awaited<ReturnType<typeof listener>>
  let answering: Awaited<ReturnType<typeof listener>>

  beforeAll(async () => {
    // a small cap (frames queued to the page count 1 KiB each towards it), so that one peer's
    // unfinished message puts the page over it; idle time far past the deadline
    bridge = await startTestBridge(['--encryption', 'off'], { maxBufferedPerSession: CAP, handshakeTimeoutMs: DEADLINE_MS, streamIdleMs: 10 * 60_000 })
    // answers with its handshake, then the start of a 100,000-byte message and never the rest:
    // the bridge holds the 20,000 bytes until the message is whole (it sends whole messages), over the cap
    hoarder = await listener((s) => s.once('data', () => {
      const length = Buffer.alloc(4)
      length.writeUInt32BE(100_000)
      s.write(Buffer.concat([Buffer.from(pageHandshake()), length, Buffer.alloc(20_000, 7)]))
    }))
    answering = await listener((s) => s.once('data', () => s.write(Buffer.from(pageHandshake()))))
  }, 30_000)

  afterAll(async () => {
    await bridge?.close()
    for (const l of [hoarder, answering]) {
      for (const s of l?.sockets ?? []) s.destroy()
      await new Promise((r) => l?.server.close(r))
    }
  })

  it('does not close the stream as the peer\'s failure; the peer\'s handshake reaches the page once the bridge reads again', async () => {
    const p = await rawPage(bridge.wsUrl, { origin: bridge.origin })
    const isClose = (stream: number) => (f: BridgeToPageFrame): f is CloseFrame => f.type === FrameType.Close && f.stream === stream
    const isData = (stream: number) => (f: BridgeToPageFrame): f is DataFrame => f.type === FrameType.Data && f.stream === stream
    const isOpened = (stream: number) => (f: BridgeToPageFrame): f is BridgeToPageFrame => f.type === FrameType.Opened && f.stream === stream
    p.send({ type: FrameType.Register, infoHash: INFO_HASH, peerId: PEER_ID })
    // stream 3 opened first, while nothing is held (an OPEN over the cap is refused); its handshake comes later
    p.send({ type: FrameType.Open, stream: 3, infoHash: INFO_HASH, peer: { host: '127.0.0.1', port: answering.port } })
    p.send({ type: FrameType.Open, stream: 1, infoHash: INFO_HASH, peer: { host: '127.0.0.1', port: hoarder.port } })
    p.send({ type: FrameType.Data, stream: 1, data: pageHandshake() })
    await p.next(isOpened(1))
    await waitFor(() => hoarder.sockets.length === 1, 5000, 'the hoarding peer\'s connection')
    // the hoarder's unfinished message held at the bridge: this page's session is over its cap
    for (let i = 0; (await metric(`${bridge.origin}/metrics`, 'bridge_buffered_bytes')) <= CAP; i++) {
      if (i === 200) throw new Error('the page\'s session never went over its cap')
      await new Promise((r) => setTimeout(r, 10))
    }
    p.send({ type: FrameType.Data, stream: 3, data: pageHandshake() })
    await p.next(isOpened(3))
    // several deadlines pass with the session still over its cap
    await new Promise((r) => setTimeout(r, 3 * DEADLINE_MS))
    expect(p.frames.filter(isClose(3)), 'stream 3 closed while the bridge held its socket back').toEqual([])
    expect(p.frames.some(isData(3))).toBe(false)
    // the overload ends: the bridge reads the peer's handshake and passes it on
    p.send({ type: FrameType.Close, stream: 1, code: CloseCode.Normal, reason: 'done' })
    const data = await p.next(isData(3))
    expect(Buffer.from(data.data.subarray(0, 68))).toEqual(Buffer.from(pageHandshake()))
    expect(p.frames.filter(isClose(3))).toEqual([])
    p.close()
  }, 30_000)
})

// The frames the bridge queues to the page count towards its cap (1 KiB each more than their
// bytes): with a cap that small, the OPENED frame alone puts the session over it as the stream
// opens, pump() pauses the new socket, and the queue then drains. Back under the cap as that queue
// drains, the session grants and resumes its streams (page-session.ts); and at the deadline the
// bridge pumps the stream again instead of leaving it paused until its idle time (or, before,
// closing it as the peer's failure). With a deadline of a minute, the handshake must come long
// before it: it did not before the session's fix (it waited for the deadline's pump).
for (const [title, deadlineMs, waitMs] of [
  ['a dialed peer\'s handshake deadline after an overload that ended on its own', 500, 10_000],
  ['a session back under its cap as its queue to the page drains, with a deadline of a minute', 60_000, 10_000],
] as const) {
  describe(title, () => {
    let bridge: TestBridge
    let answering: Awaited<ReturnType<typeof listener>>

    beforeAll(async () => {
      bridge = await startTestBridge(['--encryption', 'off'], { maxBufferedPerSession: 1000, handshakeTimeoutMs: deadlineMs, streamIdleMs: 10 * 60_000 })
      answering = await listener((s) => s.once('data', () => s.write(Buffer.from(pageHandshake()))))
    }, 30_000)

    afterAll(async () => {
      await bridge?.close()
      for (const s of answering?.sockets ?? []) s.destroy()
      await new Promise((r) => answering?.server.close(r))
    })

    it('reads the peer\'s handshake and passes it on', async () => {
      const p = await rawPage(bridge.wsUrl, { origin: bridge.origin })
      const isWelcome = (f: BridgeToPageFrame): f is BridgeToPageFrame => f.type === FrameType.Welcome
      await p.next(isWelcome)
      p.send({ type: FrameType.Register, infoHash: INFO_HASH, peerId: PEER_ID })
      p.send({ type: FrameType.Open, stream: 1, infoHash: INFO_HASH, peer: { host: '127.0.0.1', port: answering.port } })
      p.send({ type: FrameType.Data, stream: 1, data: pageHandshake() })
      const answer = await p.next((f): f is DataFrame | CloseFrame => (f.type === FrameType.Data || f.type === FrameType.Close) && f.stream === 1, waitMs)
      expect(answer.type, answer.type === FrameType.Close ? answer.reason : '').toBe(FrameType.Data)
      expect(Buffer.from((answer as DataFrame).data.subarray(0, 68))).toEqual(Buffer.from(pageHandshake()))
      p.close()
    }, 30_000)
  })
}
