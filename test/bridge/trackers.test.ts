// HTTP and UDP tracker announces run in the bridge; the page (here a webtorrent client in Node
// with no discovery of its own) downloads a whole torrent from a real TCP seeder through
// Discovery -> PeerService -> BridgeClient -> bridge, and every file's SHA-256 matches.
import net from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BridgeClient } from '../../src/bridge-client/bridge-client'
import { parseTorrent, type Metainfo } from '../../src/core/torrent-parser/metainfo'
import { Discovery } from '../../src/engine/peer-discovery/discovery'
import { PeerService } from '../../src/engine/peer-connection/peers'
import type { PeerAddress, TrackerFrame } from '../../src/protocol/bridge-frames'
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
    const state = new Promise<TrackerFrame>((resolve) => client.on('tracker', (frame) => { if (frame.state !== 'announcing') resolve(frame) }))
    client.register(meta.infoHash, randomPeerId())
    client.announce(meta.infoHash, 'started', { trackers: [tracker.httpUrl], dht: false, uploaded: 0, downloaded: 0, left: -1 })
    expect(await notice).toMatch(/tracker refused: .*loopback/)
    expect(await state).toMatchObject({ url: tracker.httpUrl, state: 'refused', message: expect.stringMatching(/loopback/) })
    client.close()
    await strict.close()
  }, 15_000)

  it('reports each tracker\'s state: working, with the swarm\'s counts and the peers it gave, or why it failed', async () => {
    // a port nothing listens on: connections to it are refused at once
    const closed = net.createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const dead = `http://127.0.0.1:${(closed.address() as net.AddressInfo).port}/announce`
    await new Promise((resolve) => closed.close(resolve))
    const client = await connectClient(bridge)
    try {
      const states = new Map<string, TrackerFrame[]>()
      const last = (url: string) => states.get(url)?.at(-1)
      const settled = new Promise<void>((resolve) => client.on('tracker', (frame) => {
        states.set(frame.url, [...states.get(frame.url) ?? [], frame])
        if (last(tracker.httpUrl)?.state === 'working' && last(tracker.udpUrl)?.state === 'working' && last(dead)?.state === 'error') resolve()
      }))
      client.register(meta.infoHash, randomPeerId())
      client.announce(meta.infoHash, 'started', { trackers: [tracker.httpUrl, tracker.udpUrl, dead], dht: false, uploaded: 0, downloaded: 0, left: meta.length })
      await settled
      for (const url of [tracker.httpUrl, tracker.udpUrl, dead]) expect(states.get(url)![0]!.state).toBe('announcing')
      for (const url of [tracker.httpUrl, tracker.udpUrl]) {
        // the seeder is a seeder; this page a leecher; the seeder among the peers given
        expect(last(url)).toMatchObject({ infoHash: meta.infoHash, message: '', seeders: expect.any(Number), leechers: expect.any(Number) })
        expect(last(url)!.seeders).toBeGreaterThanOrEqual(1)
        expect(last(url)!.leechers).toBeGreaterThanOrEqual(1)
        expect(last(url)!.peers).toBeGreaterThanOrEqual(1)
      }
      expect(last(dead)).toMatchObject({ peers: 0, seeders: -1, leechers: -1, message: expect.stringMatching(/ECONNREFUSED|refused/i) })
    } finally {
      client.close()
    }
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
