// A page with a library of 1,000 torrents (issue 17): the bridge announces every one of them and
// keeps the page's session. It once refused the 301st registration by closing the session (its cap
// was the stream cap), so in a library of 1,000 the torrents past the 300th got no peer, and every
// reconnect registered them all again into the same close.
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BridgeClient } from '../../src/bridge-client/bridge-client'
import { parseTorrent, type Metainfo } from '../../src/core/torrent-parser/metainfo'
import type { PeerAddress } from '../../src/protocol/bridge-frames'
import { multiFileFixture, writeFixture } from '../support/fixtures'
import { startSeeder, type Seeder } from '../support/seeder'
import { startTracker, type LocalTracker } from '../support/tracker'
import { connectClient, randomPeerId, startTestBridge, tempDir, type TestBridge } from './harness'

const LIBRARY = 1000

describe('a page with 1,000 torrents', () => {
  let tracker: LocalTracker
  let seeder: Seeder
  let meta: Metainfo
  let bridge: TestBridge
  let client: BridgeClient | undefined
  let tmp: Awaited<ReturnType<typeof tempDir>>

  beforeAll(async () => {
    tmp = await tempDir('bridge-many-')
    const fixture = await writeFixture(tmp.dir, 'payload', multiFileFixture(4))
    tracker = await startTracker()
    seeder = await startSeeder({ root: fixture.root, announce: [tracker.httpUrl], webrtc: false, tcpPort: 0 })
    meta = await parseTorrent(seeder.torrentFile)
    bridge = await startTestBridge()
  }, 60_000)

  afterAll(async () => {
    client?.close()
    await bridge?.close()
    await seeder?.destroy()
    await tracker?.close()
    await tmp?.remove()
  })

  it('announces the torrent after 1,000 others, which gets its peer, and the session stays', async () => {
    client = await connectClient(bridge)
    const states: string[] = []
    client.on('state', (state) => states.push(state))
    // a library of made-up torrents, registered (not announced: the bridge's announce rate, 20 a
    // second after a burst of 600, is a limit of its own, not this test's)
    for (let i = 0; i < LIBRARY; i++) client.register(randomBytes(20).toString('hex'), randomPeerId())
    const c = client
    const peers = new Promise<PeerAddress[]>((resolve) => c.on('peers', (infoHash, source, list) => {
      if (infoHash === meta.infoHash && source === 'tracker') resolve(list)
    }))
    client.register(meta.infoHash, randomPeerId())
    client.announce(meta.infoHash, 'started', { trackers: [tracker.httpUrl], dht: false, uploaded: 0, downloaded: 0, left: meta.length })
    expect(await peers).toContainEqual({ host: '127.0.0.1', port: seeder.tcpPort })
    expect(states).toEqual([])
    expect(client.state).toBe('connected')
  }, 30_000)

  it('over its cap, refuses the torrent with a notice, not the page', async () => {
    const capped = await startTestBridge([], { maxTorrentsPerSession: 3 })
    const page = await connectClient(capped)
    try {
      const states: string[] = []
      page.on('state', (state) => states.push(state))
      const hashes = Array.from({ length: 4 }, () => randomBytes(20).toString('hex'))
      const notice = new Promise<[string, string]>((resolve) => page.on('notice', (infoHash, message) => resolve([infoHash, message])))
      for (const h of hashes) page.register(h, randomPeerId())
      expect(await notice).toEqual([hashes[3], expect.stringMatching(/at most 3 torrents/)])
      expect(states).toEqual([])
    } finally {
      page.close()
      await capped.close()
    }
  }, 15_000)
})
