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
import { CloseCode } from '../../src/protocol/bridge-frames'
import { handshakeMessage } from '../../src/core/peer-connection/seed-wire'
import { waitFor, type TestBridge } from './harness'
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
