// HTTP and UDP tracker announces run in the bridge; the page (here a webtorrent client in Node
// with no discovery of its own) downloads a whole torrent from a real TCP seeder through
// Discovery -> PeerService -> BridgeClient -> bridge, and every file's SHA-256 matches.
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BridgeClient } from '../../src/bridge-client/bridge-client'
import { parseTorrent, type Metainfo } from '../../src/core/metainfo'
import { Discovery } from '../../src/engine/discovery'
import { PeerService } from '../../src/engine/peers'
import type { PeerAddress } from '../../src/protocol/bridge-frames'
import { createLoopbackClient, destroyClient } from '../support/client'
import { multiFileFixture, sha256File, writeFixture } from '../support/fixtures'
import { startSeeder, type Seeder } from '../support/seeder'
import { startTracker, type LocalTracker } from '../support/tracker'
import type { Torrent, WebTorrent } from '../support/webtorrent-types'
import { connectClient, randomPeerId, startTestBridge, tempDir, waitFor, type TestBridge } from './harness'

describe('trackers through the bridge', () => {
  let tracker: LocalTracker
  let seeder: Seeder
  let meta: Metainfo
  let bridge: TestBridge
  let sha256: Map<string, string>
  let tmp: Awaited<ReturnType<typeof tempDir>>

  beforeAll(async () => {
    tmp = await tempDir('bridge-trackers-')
    const fixture = await writeFixture(tmp.dir, 'payload', multiFileFixture(6))
    sha256 = fixture.sha256
    tracker = await startTracker()
    seeder = await startSeeder({ root: fixture.root, announce: [tracker.httpUrl, tracker.udpUrl], webrtc: false, tcpPort: 0 })
    meta = await parseTorrent(seeder.torrentFile)
    bridge = await startTestBridge()
  }, 60_000)

  afterAll(async () => {
    await bridge?.close()
    await seeder?.destroy()
    await tracker?.close()
    await tmp?.remove()
  })

  async function peersFrom(url: string): Promise<PeerAddress[]> {
    const client = await connectClient(bridge)
    try {
      const got = new Promise<PeerAddress[]>((resolve) => client.on('peers', (infoHash, source, peers) => {
        if (infoHash === meta.infoHash && source === 'tracker') resolve(peers)
      }))
      client.register(meta.infoHash, randomPeerId())
      client.announce(meta.infoHash, 'started', { trackers: [url], dht: false, uploaded: 0, downloaded: 0, left: meta.length })
      return await got
    } finally {
      client.close()
    }
  }

  it('an HTTP tracker announce returns the seeder', async () => {
    expect(await peersFrom(tracker.httpUrl)).toContainEqual({ host: '127.0.0.1', port: seeder.tcpPort })
  }, 15_000)

  it('a UDP tracker announce returns the seeder', async () => {
    expect(await peersFrom(tracker.udpUrl)).toContainEqual({ host: '127.0.0.1', port: seeder.tcpPort })
  }, 15_000)

  it('refuses trackers in ranges --allow-net does not allow, and says so', async () => {
    const strict = await startTestBridge(['--allow-net', '10.255.255.255/32'])
    const client = await connectClient(strict)
    const notice = new Promise<string>((resolve) => client.on('notice', (_h, message) => resolve(message)))
    client.register(meta.infoHash, randomPeerId())
    client.announce(meta.infoHash, 'started', { trackers: [tracker.httpUrl], dht: false, uploaded: 0, downloaded: 0, left: -1 })
    expect(await notice).toMatch(/tracker refused: .*loopback/)
    client.close()
    await strict.close()
  }, 15_000)

  it('a webtorrent page downloads the whole torrent via Discovery and PeerService', async () => {
    let page: WebTorrent | undefined
    let client: BridgeClient | undefined
    let peers: PeerService | undefined
    let discovery: Discovery | undefined
    try {
      // no trackers, DHT or TCP of its own: every peer comes through the bridge
      page = await createLoopbackClient({ tcpPort: false, webrtc: false, extra: { tracker: false } })
      const torrent: Torrent = page.add(seeder.torrentFile, { path: join(tmp.dir, 'page') })
      await new Promise<void>((resolve) => (torrent.infoHash ? resolve() : torrent.once('infoHash', () => resolve())))
      client = await connectClient(bridge)
      peers = new PeerService(client)
      discovery = new Discovery(client, peers, { dht: false })
      peers.attach(torrent as never)
      discovery.add({
        infoHash: meta.infoHash,
        peerId: (page as unknown as { peerId: string }).peerId,
        trackers: [tracker.httpUrl, tracker.udpUrl, 'ws://127.0.0.1:9'],
        stats: () => ({ uploaded: torrent.uploaded, downloaded: torrent.downloaded, left: meta.length - torrent.downloaded }),
      })
      await waitFor(() => torrent.done, 30_000, 'download complete')
      expect(peers.counts(meta.infoHash).tracker).toBeGreaterThanOrEqual(1)
      for (const [path, hash] of sha256) expect(await sha256File(join(tmp.dir, 'page', 'payload', ...path.split('/'))), path).toBe(hash)
    } finally {
      discovery?.destroy()
      peers?.destroy()
      client?.close()
      if (page) await destroyClient(page)
    }
  }, 45_000)
})
