// Seeding back: a real peer (webtorrent in Node, TCP) connects to the bridge's peer port with the
// info-hash the page registered; the bridge routes it to the page (here a webtorrent seeder fed
// through PeerService), and the peer downloads the whole torrent, byte-exact.
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BridgeClient } from '../../src/bridge-client/bridge-client'
import { PeerService } from '../../src/engine/peers'
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

  it('a TCP peer downloads everything from the page via the peer port', async () => {
    let leecher: WebTorrent | undefined
    try {
      // secure: 0 -- webtorrent dials with protocol encryption (MSE) first by default; the bridge
      // reads plaintext handshakes only and closes the rest (see the report's traps)
      leecher = await createLoopbackClient({ tcpPort: 0, webrtc: false, extra: { tracker: false, secure: 0 } })
      const torrent = leecher.add(seeder.torrentFile, { path: join(tmp.dir, 'leecher') })
      await new Promise<void>((resolve) => (torrent.infoHash ? resolve() : torrent.once('infoHash', () => resolve())))
      ;(torrent as unknown as { addPeer(addr: string): boolean }).addPeer(`127.0.0.1:${bridge.peerPort}`)
      await waitFor(() => peers.counts(seeder.infoHash).incoming === 1, 10_000, 'inbound peer routed to the page')
      await waitFor(() => torrent.done, 30_000, 'leecher complete')
      for (const [path, hash] of sha256) expect(await sha256File(join(tmp.dir, 'leecher', 'payload', ...path.split('/'))), path).toBe(hash)
    } finally {
      if (leecher) await destroyClient(leecher)
    }
  }, 45_000)
})
