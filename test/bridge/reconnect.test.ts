// The bridge restarts mid-download: the page's BridgeClient reconnects with backoff, registers and
// announces again, PeerService re-dials, and the download completes byte-exact.
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BridgeClient } from '../../src/bridge-client/bridge-client'
import { parseTorrent, type Metainfo } from '../../src/core/torrent-parser/metainfo'
import { Discovery } from '../../src/engine/peer-discovery/discovery'
import { PeerService } from '../../src/engine/peer-connection/peers'
import { createLoopbackClient, destroyClient } from '../support/client'
import { multiFileFixture, sha256File, writeFixture } from '../support/fixtures'
import { startSeeder, type Seeder } from '../support/seeder'
import { startTracker, type LocalTracker } from '../support/tracker'
import type { WebTorrent } from '../support/webtorrent-types'
import { nodeWebSocket, startTestBridge, tempDir, waitFor, type TestBridge } from './harness'

describe('bridge restart', () => {
  let tracker: LocalTracker
  let seeder: Seeder
  let meta: Metainfo
  let sha256: Map<string, string>
  let tmp: Awaited<ReturnType<typeof tempDir>>

  beforeAll(async () => {
    tmp = await tempDir('bridge-restart-')
    const fixture = await writeFixture(tmp.dir, 'payload', multiFileFixture(8))
    sha256 = fixture.sha256
    tracker = await startTracker()
    // throttled, so the restart lands mid-download
    seeder = await startSeeder({ root: fixture.root, announce: [tracker.httpUrl], webrtc: false, tcpPort: 0, uploadLimit: 3 * 1024 * 1024 })
    meta = await parseTorrent(seeder.torrentFile)
  }, 60_000)

  afterAll(async () => {
    await seeder?.destroy()
    await tracker?.close()
    await tmp?.remove()
  })

  it('reconnects, re-registers and completes with correct bytes', async () => {
    let bridge: TestBridge | undefined = await startTestBridge()
    const port = new URL(bridge.wsUrl).port
    let page: WebTorrent | undefined
    const client = new BridgeClient({ url: bridge.wsUrl, WebSocket: nodeWebSocket(bridge.origin), reconnect: { minMs: 200, maxMs: 400, jitter: 0 } })
    const states: string[] = []
    client.on('state', (s) => states.push(s))
    const peers = new PeerService(client)
    const discovery = new Discovery(client, peers, { dht: false })
    try {
      client.start()
      page = await createLoopbackClient({ tcpPort: false, webrtc: false, extra: { tracker: false } })
      const torrent = page.add(seeder.torrentFile, { path: join(tmp.dir, 'page') })
      await new Promise<void>((resolve) => (torrent.infoHash ? resolve() : torrent.once('infoHash', () => resolve())))
      peers.attach(torrent as never)
      discovery.add({
        infoHash: meta.infoHash,
        peerId: (page as unknown as { peerId: string }).peerId,
        trackers: [tracker.httpUrl],
        stats: () => ({ uploaded: torrent.uploaded, downloaded: torrent.downloaded, left: meta.length - torrent.downloaded }),
      })
      // the download's stream widens its window past STREAM_WINDOW (credit the real bridge accepts)
      await waitFor(() => client.wideWindowBytes > 0, 20_000, 'the download under way, its window widened')
      expect(torrent.done).toBe(false)
      await bridge.close()
      bridge = undefined
      await waitFor(() => client.state === 'disconnected', 5000, 'the page sees the bridge gone')
      expect(client.wideWindowBytes).toBe(0) // the closed streams gave their width back
      const before = torrent.downloaded
      bridge = await startTestBridge(['--port', port])
      await waitFor(() => client.state === 'connected', 10_000, 'reconnected')
      await waitFor(() => bridge!.running.bridge!.stats().perSession[0]?.registered === 1, 5000, 're-registered')
      await waitFor(() => torrent.done, 30_000, 'download complete after the restart')
      expect(torrent.downloaded).toBeGreaterThan(before)
      expect(states).toEqual(expect.arrayContaining(['connecting', 'connected', 'disconnected']))
      for (const [path, hash] of sha256) expect(await sha256File(join(tmp.dir, 'page', 'payload', ...path.split('/'))), path).toBe(hash)
    } finally {
      discovery.destroy()
      peers.destroy()
      client.close()
      if (page) await destroyClient(page)
      await bridge?.close()
    }
  }, 55_000)
})
