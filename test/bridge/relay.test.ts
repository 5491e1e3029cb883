// Outbound: the page dials a real TCP peer (webtorrent in Node) through the bridge and downloads
// pieces over the relayed stream, every piece checked against the torrent's SHA-1; the bridge
// speaks MSE with RC4 to the peer, the page plaintext.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseTorrent, type Metainfo } from '../../src/core/torrent-parser/metainfo'
import { multiFileFixture, writeFixture } from '../support/fixtures'
import { startSeeder, type Seeder } from '../support/seeder'
import type { BridgeClient } from '../../src/bridge-client/bridge-client'
import { connectClient, downloadPieces, randomPeerId, startTestBridge, tempDir, waitFor, type TestBridge } from './harness'

describe('bridge relay to a real TCP peer', () => {
  let bridge: TestBridge
  let seeder: Seeder
  let meta: Metainfo
  let client: BridgeClient
  let tmp: Awaited<ReturnType<typeof tempDir>>

  beforeAll(async () => {
    tmp = await tempDir('bridge-relay-')
    const { root } = await writeFixture(tmp.dir, 'payload', multiFileFixture(4))
    seeder = await startSeeder({ root, announce: [], webrtc: false, tcpPort: 0 })
    meta = await parseTorrent(seeder.torrentFile)
    bridge = await startTestBridge()
    client = await connectClient(bridge)
  }, 60_000)

  afterAll(async () => {
    client?.close()
    await bridge?.close()
    await seeder?.destroy()
    await tmp?.remove()
  })

  it('downloads pieces through the bridge with correct SHA-1s', async () => {
    client.register(meta.infoHash, randomPeerId())
    const stream = client.open(meta.infoHash, { host: '127.0.0.1', port: seeder.tcpPort! })
    let opened = false
    stream.on('open', () => { opened = true })
    const pieces = Array.from({ length: meta.pieceCount }, (_, i) => i) // the whole torrent, last piece short
    const bytes = await downloadPieces(stream, meta, pieces)
    expect(opened).toBe(true)
    expect(bytes).toBe(meta.length)
    // --encryption prefer (the default): an MSE handshake with webtorrent's own MSE
    // (bittorrent-protocol); offered RC4 or plaintext, it picked the plaintext payload
    expect(bridge.running.bridge!.stats().opened).toEqual({ rc4: 0, obfuscated: 1, plaintext: 0 })
    await waitFor(() => bridge.running.bridge!.stats().streams === 0, 5000, 'stream closed on the bridge')
    expect(bridge.running.bridge!.stats().buffered).toBe(0)
  }, 30_000)

  it('refuses to dial for an info-hash the page did not register', async () => {
    const other = 'ab'.repeat(20)
    client.register(other, randomPeerId())
    client.unregister(other)
    expect(() => client.open(other, { host: '127.0.0.1', port: seeder.tcpPort! })).toThrow(/register/)
  })
})
