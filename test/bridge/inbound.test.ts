// Seeding back: a real peer (webtorrent in Node, TCP) connects to the bridge's peer port with the
// info-hash the page registered, in plaintext or with MSE; the bridge routes it to the page (here a
// webtorrent seeder fed through PeerService), and the peer downloads the whole torrent, byte-exact.
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BridgeClient } from '../../src/bridge-client/bridge-client'
import { PeerService } from '../../src/engine/peer-connection/peers'
import { createLoopbackClient, destroyClient } from '../support/client'
import { multiFileFixture, sha256File, writeFixture } from '../support/fixtures'
import { startSeeder, type Seeder } from '../support/seeder'
import type { WebTorrent } from '../support/webtorrent-types'
import { connectClient, startTestBridge, tempDir, waitFor, type TestBridge } from './harness'

describe('inbound peers through the bridge', () => {
  let bridge: TestBridge
  let seeder: Seeder
  let client: BridgeClient
  let peers: PeerService
  let sha256: Map<string, string>
  let tmp: Awaited<ReturnType<typeof tempDir>>

  beforeAll(async () => {
    tmp = await tempDir('bridge-inbound-')
    const fixture = await writeFixture(tmp.dir, 'payload', multiFileFixture(6))
    sha256 = fixture.sha256
    // the "page": seeds, reachable only through the bridge
    seeder = await startSeeder({ root: fixture.root, announce: [], webrtc: false, tcpPort: false })
    bridge = await startTestBridge()
    client = await connectClient(bridge)
    peers = new PeerService(client)
    peers.attach(seeder.torrent as never)
    client.register(seeder.infoHash, (seeder.client as unknown as { peerId: string }).peerId)
  }, 60_000)

  afterAll(async () => {
    peers?.destroy()
    client?.close()
    await bridge?.close()
    await seeder?.destroy()
    await tmp?.remove()
  })

  /** A webtorrent leecher (TCP) that dials the bridge's peer port; resolves once it has everything. */
  async function leech(secure: 0 | 1, dir: string): Promise<void> {
    let leecher: WebTorrent | undefined
    try {
      leecher = await createLoopbackClient({ tcpPort: 0, webrtc: false, extra: { tracker: false, secure } })
      const torrent = leecher.add(seeder.torrentFile, { path: join(tmp.dir, dir) })
      await new Promise<void>((resolve) => (torrent.infoHash ? resolve() : torrent.once('infoHash', () => resolve())))
      ;(torrent as unknown as { addPeer(addr: string): boolean }).addPeer(`127.0.0.1:${bridge.peerPort}`)
      await waitFor(() => peers.counts(seeder.infoHash).incoming === 1, 10_000, 'inbound peer routed to the page')
      await waitFor(() => torrent.done, 30_000, 'leecher complete')
      for (const [path, hash] of sha256) expect(await sha256File(join(tmp.dir, dir, 'payload', ...path.split('/'))), path).toBe(hash)
    } finally {
      if (leecher) await destroyClient(leecher)
    }
    await waitFor(() => peers.counts(seeder.infoHash).incoming === 0, 10_000, 'the leecher gone')
  }

  it('a TCP peer downloads everything from the page via the peer port (plaintext)', async () => {
    const before = bridge.running.bridge!.stats().opened
    await leech(0, 'leecher-plain') // secure: 0, no MSE
    expect(bridge.running.bridge!.stats().opened.plaintext).toBe(before.plaintext + 1)
  }, 45_000)

  it('a TCP peer that dials with MSE (webtorrent\'s default) downloads everything after an MSE handshake', async () => {
    const before = bridge.running.bridge!.stats().opened
    // secure: 1, MSE first; it offers RC4 and plaintext, and under `prefer` the bridge picks the
    // plaintext payload (as libtorrent does); `require` picks RC4 (test/bridge/encryption.test.ts)
    await leech(1, 'leecher-mse')
    const after = bridge.running.bridge!.stats().opened
    expect(after.obfuscated).toBe(before.obfuscated + 1)
    expect(after.rc4).toBe(before.rc4)
    expect(after.plaintext).toBe(before.plaintext)
  }, 45_000)
})
