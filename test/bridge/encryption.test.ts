// Message Stream Encryption on the bridge's TCP side, the page speaking plaintext all along:
// inbound MSE peers routed like plaintext ones, hostile handshakes costing one connection, and the
// three policies (prefer falls back to plaintext, require never does, off never encrypts) against
// webtorrent in Node (bittorrent-protocol's own MSE) as the peer. Real clients: real-peers-mse.test.ts.
import { createHash, randomBytes } from 'node:crypto'
import net from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dhKeyPair } from '../../bridge/peer-connection/mse/mse-crypto'
import type { BridgeClient } from '../../src/bridge-client/bridge-client'
import { parseTorrent, type Metainfo } from '../../src/core/torrent-parser/metainfo'
import { FrameType, type BridgeToPageFrame, type DataFrame, type IncomingFrame } from '../../src/protocol/bridge-frames'
import { multiFileFixture, writeFixture } from '../support/fixtures'
import { startSeeder, type Seeder } from '../support/seeder'
import { mseDial, connectTcp } from './mse-peer'
import { connectClient, downloadPieces, handshakeBytes, randomPeerId, rawPage, startTestBridge, tempDir, waitFor, type TestBridge } from './harness'

const connect = connectTcp
const closedWithin = (s: net.Socket, ms: number) => new Promise<boolean>((resolve) => {
  if (s.destroyed) return resolve(true)
  const t = setTimeout(() => resolve(false), ms)
  s.once('close', () => { clearTimeout(t); resolve(true) })
})

const isIncoming = (f: BridgeToPageFrame): f is IncomingFrame => f.type === FrameType.Incoming

describe('MSE on the inbound peer port', () => {
  let bridge: TestBridge
  const H = createHash('sha1').update('mse inbound').digest('hex')
  beforeAll(async () => { bridge = await startTestBridge([], { handshakeTimeoutMs: 2500, maxPendingInbound: 4 }) })
  afterAll(async () => { await bridge.close() })

  it('routes an encrypted peer to the page that registered the torrent; RC4 both ways, plaintext for the page', async () => {
    const p = await rawPage(bridge.wsUrl, { origin: bridge.origin })
    p.send({ type: FrameType.Register, infoHash: H, peerId: randomPeerId() })
    await new Promise((r) => setTimeout(r, 50))
    const before = bridge.running.bridge!.stats().opened.rc4
    const hs = handshakeBytes(H)
    const { socket, done } = await mseDial(bridge.peerPort, H, hs)
    expect(done.transport).toBe('rc4')
    const inc = await p.next(isIncoming)
    expect(inc.infoHash).toBe(H)
    const pageGot = () => Buffer.concat(p.frames.filter((f): f is DataFrame => f.type === FrameType.Data && f.stream === inc.stream).map((f) => f.data))
    await waitFor(() => pageGot().length >= hs.length, 3000, 'the page got the handshake')
    expect(pageGot().equals(hs)).toBe(true)
    // the page answers in plaintext; the peer reads RC4
    const answer = Buffer.concat([handshakeBytes(H), randomBytes(1000)])
    const peerGot: Buffer[] = []
    socket.on('data', (d: Buffer) => peerGot.push(Buffer.from(done.cipher!.decrypt.crypt(d))))
    p.send({ type: FrameType.Data, stream: inc.stream, data: answer })
    await waitFor(() => Buffer.concat(peerGot).length >= answer.length, 3000, 'the peer got the answer')
    expect(Buffer.concat(peerGot).equals(answer)).toBe(true)
    // what the peer sends next goes encrypted, the page gets it in plaintext
    const message = randomBytes(5000)
    socket.write(done.cipher!.encrypt.crypt(Uint8Array.from(message)))
    await waitFor(() => pageGot().length >= hs.length + message.length, 3000, 'the page got the message')
    expect(pageGot().subarray(hs.length).equals(message)).toBe(true)
    expect(bridge.running.bridge!.stats().opened.rc4).toBe(before + 1)
    socket.destroy()
    p.close()
    await waitFor(() => bridge.running.bridge!.stats().streams === 0, 3000, 'stream released')
  })

  it('hostile handshakes cost one connection each: garbage, endless padding, an unknown torrent, a truncated key', async () => {
    const p = await rawPage(bridge.wsUrl, { origin: bridge.origin })
    p.send({ type: FrameType.Register, infoHash: H, peerId: randomPeerId() })
    await new Promise((r) => setTimeout(r, 50))
    // garbage: taken for a key, then no sync marker within 532 bytes: closed long before the timeout
    const garbage = await connect(bridge.peerPort)
    garbage.on('error', () => {})
    garbage.write(randomBytes(2000))
    expect(await closedWithin(garbage, 1000)).toBe(true)
    // endless padding after a valid key: closed once 532 bytes hold no marker
    const padding = await connect(bridge.peerPort)
    padding.on('error', () => {})
    padding.write(dhKeyPair().publicKey)
    let padded = 0
    const trickle = setInterval(() => {
      if (padding.destroyed) return
      padding.write(randomBytes(32))
      padded += 32
    }, 5)
    expect(await closedWithin(padding, 2000)).toBe(true)
    clearInterval(trickle)
    expect(padded).toBeLessThanOrEqual(532 + 32 * 20) // closed at the limit, give or take the packets in flight
    // a well-formed MSE handshake for a torrent nobody registered
    await expect(mseDial(bridge.peerPort, 'dd'.repeat(20), handshakeBytes('dd'.repeat(20)))).rejects.toThrow(/closed/)
    // half a key, then silence: only the handshake timeout ends it
    const truncated = await connect(bridge.peerPort)
    truncated.on('error', () => {})
    truncated.write(randomBytes(50))
    expect(await closedWithin(truncated, 1000)).toBe(false)
    expect(await closedWithin(truncated, 3000)).toBe(true)
    // nothing was routed to the page, and an honest peer still gets through
    expect(p.frames.some(isIncoming)).toBe(false)
    const { socket } = await mseDial(bridge.peerPort, H, handshakeBytes(H))
    expect((await p.next(isIncoming)).infoHash).toBe(H)
    socket.destroy()
    p.close()
  }, 20_000)

  it('keeps the pending-inbound cap for connections stuck in MSE', async () => {
    const stuck = await Promise.all([0, 1, 2, 3].map(async () => {
      const s = await connect(bridge.peerPort)
      s.on('error', () => {})
      s.write(randomBytes(50)) // a key that never completes
      return s
    }))
    await new Promise((r) => setTimeout(r, 100))
    const fifth = await connect(bridge.peerPort)
    fifth.on('error', () => {})
    expect(await closedWithin(fifth, 1000)).toBe(true) // over the cap: closed at once
    for (const s of stuck) s.destroy()
  })
})

describe('encryption policies against a webtorrent peer', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>
  /** secure 0: no MSE at all (closes an encrypted handshake); secure 1: MSE or plaintext. */
  let plainOnly: Seeder
  let either: Seeder
  let meta: Metainfo
  let prefer: TestBridge
  let require: TestBridge
  let off: TestBridge
  const clients: BridgeClient[] = []
  const pieces = () => Array.from({ length: meta.pieceCount }, (_, i) => i)

  beforeAll(async () => {
    tmp = await tempDir('bridge-mse-')
    const { root } = await writeFixture(tmp.dir, 'payload', multiFileFixture(4))
    plainOnly = await startSeeder({ root, announce: [], webrtc: false, tcpPort: 0, secure: 0 })
    either = await startSeeder({ root, announce: [], webrtc: false, tcpPort: 0, secure: 1 })
    meta = await parseTorrent(plainOnly.torrentFile)
    ;[prefer, require, off] = await Promise.all([startTestBridge(), startTestBridge(['--encryption', 'require']), startTestBridge(['--encryption', 'off'])])
  }, 60_000)

  afterAll(async () => {
    for (const c of clients) c.close()
    await Promise.all([prefer?.close(), require?.close(), off?.close()])
    await plainOnly?.destroy()
    await either?.destroy()
    await tmp?.remove()
  })

  async function page(bridge: TestBridge): Promise<BridgeClient> {
    const client = await connectClient(bridge)
    clients.push(client)
    client.register(meta.infoHash, randomPeerId())
    return client
  }

  it('prefer: a peer with no MSE is dialed again in plaintext, and the download completes', async () => {
    const client = await page(prefer)
    const bytes = await downloadPieces(client.open(meta.infoHash, { host: '127.0.0.1', port: plainOnly.tcpPort! }), meta, pieces())
    expect(bytes).toBe(meta.length)
    expect(prefer.running.bridge!.stats().opened).toEqual({ rc4: 0, obfuscated: 0, plaintext: 1 })
  }, 30_000)

  it('require: never plaintext; the page is told why the dial failed', async () => {
    const client = await page(require)
    const stream = client.open(meta.infoHash, { host: '127.0.0.1', port: plainOnly.tcpPort! })
    const failed = new Promise<Error>((resolve) => stream.on('error', resolve))
    await expect(downloadPieces(stream, meta, [0], 10_000)).rejects.toThrow('wire closed before the handshake') // not a timeout
    expect((await failed).message).toMatch(/did not complete an encrypted handshake.*requires encryption/)
    expect(stream.opened).toBe(false) // a failed dial, for the page's backoff
    // an MSE peer is fine
    expect(await downloadPieces(client.open(meta.infoHash, { host: '127.0.0.1', port: either.tcpPort! }), meta, pieces())).toBe(meta.length)
    expect(require.running.bridge!.stats().opened).toEqual({ rc4: 1, obfuscated: 0, plaintext: 0 })
    // and a plaintext peer on the port is turned away
    const s = await connect(require.peerPort)
    s.on('error', () => {})
    s.write(handshakeBytes(meta.infoHash))
    expect(await closedWithin(s, 2000)).toBe(true)
  }, 30_000)

  it('off: plaintext only, even with a peer that could encrypt; encrypted peers are turned away', async () => {
    const client = await page(off)
    expect(await downloadPieces(client.open(meta.infoHash, { host: '127.0.0.1', port: either.tcpPort! }), meta, pieces())).toBe(meta.length)
    expect(off.running.bridge!.stats().opened).toEqual({ rc4: 0, obfuscated: 0, plaintext: 1 })
    await expect(mseDial(off.peerPort, meta.infoHash, handshakeBytes(meta.infoHash))).rejects.toThrow(/closed/)
  }, 30_000)
})
