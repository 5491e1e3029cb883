// --proxy and --outgoing-interface against real SOCKS5 servers on loopback (Debian's dante-server
// and microsocks), a real webtorrent TCP seeder behind a watcher (tcp-tap.ts: it writes down the
// address of every connection that reaches the seeder) and a real HTTP+UDP tracker that writes
// down the address of every announce. Each proxy's own connections leave from an address of its
// own (127.0.0.3, 127.0.0.4), the bridge's from 127.0.0.1: who reached the seeder or the tracker
// tells whether anything went around the proxy.
import { randomBytes } from 'node:crypto'
import net from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { setReader } from '../../bridge/peer-connection/shared-reads'
import type { BridgeClient } from '../../src/bridge-client/bridge-client'
import { parseTorrent, type Metainfo } from '../../src/core/torrent-parser/metainfo'
import { CloseCode, FrameType, type RouteFrame, type TrackerFrame } from '../../src/protocol/bridge-frames'
import { multiFileFixture, writeFixture } from '../support/fixtures'
import { startDante, startMicrosocks, type SocksProxy } from '../support/peers/socks-proxy'
import { startSeeder, type Seeder } from '../support/seeder'
import { startTcpTap, type TcpTap } from '../support/tcp-tap'
import { startTracker, type LocalTracker } from '../support/tracker'
import { connectClient, downloadPieces, handshakeBytes, randomPeerId, rawPage, startTestBridge, tempDir, waitFor, type RawPage, type TestBridge } from './harness'
import { startPage, waitDone, type Page } from './node-page'
import { expectSameFiles } from './real-peers-checks'

const NAME = 'payload'

interface Announce { event: string; type: string; ip: string }

/** Every announce the tracker received: its event, over what, and from which address. */
function recordAnnounces(tracker: LocalTracker): Announce[] {
  const seen: Announce[] = []
  for (const event of ['start', 'update', 'complete', 'stop']) {
    tracker.server.on(event, (_addr: unknown, params: unknown) => {
      const p = params as { type: string; ip: string }
      seen.push({ event, type: p.type, ip: p.ip })
    })
  }
  return seen
}

/**
 * Waits for the goodbyes ('stopped') a closed page's trackers get from `ip`, so that they do not
 * land in the next test's count (they went through the same route as everything else).
 */
function goodbyes(announces: Announce[], ip: string, types: string[]): Promise<void> {
  const want = [...types].sort().join()
  return waitFor(() => announces.filter((a) => a.event === 'stop' && a.ip === ip).map((a) => a.type).sort().join() === want, 10_000, `goodbyes from ${ip} over ${want}`)
}

/** A raw page's next ROUTE frame that `match`es. */
function nextRoute(page: RawPage, match: (f: RouteFrame) => boolean, timeoutMs = 10_000): Promise<RouteFrame> {
  return page.next((f): f is RouteFrame => f.type === FrameType.Route && match(f), timeoutMs)
}

/** A raw page's TRACKER frame for `url` in one of the final states. */
function trackerOutcome(page: RawPage, url: string, timeoutMs = 20_000): Promise<TrackerFrame> {
  return page.next((f): f is TrackerFrame => f.type === FrameType.Tracker && f.url === url && f.state !== 'announcing', timeoutMs)
}

/** Registers `meta` on a raw page and asks the bridge to announce it to `trackers`. */
function announceRaw(page: RawPage, meta: Metainfo, trackers: string[]): void {
  page.send({ type: FrameType.Register, infoHash: meta.infoHash, peerId: randomPeerId() })
  page.send({ type: FrameType.Announce, infoHash: meta.infoHash, event: 'started', trackers, dht: false, uploaded: 0, downloaded: 0, left: meta.length })
}

/** Opens a stream to 127.0.0.1:port on a raw page and sends a handshake: the CLOSE (or OPENED) that follows. */
async function dialRaw(page: RawPage, meta: Metainfo, port: number, stream: number) {
  page.send({ type: FrameType.Open, stream, infoHash: meta.infoHash, peer: { host: '127.0.0.1', port } })
  page.send({ type: FrameType.Data, stream, data: handshakeBytes(meta.infoHash) })
  return page.next((f): f is Extract<typeof f, { type: FrameType.Close | FrameType.Opened }> =>
    (f.type === FrameType.Close || f.type === FrameType.Opened) && f.stream === stream, 15_000)
}

describe('through a SOCKS5 proxy', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>
  let sha256: Map<string, string>
  let seeder: Seeder
  let meta: Metainfo
  let tap: TcpTap
  let tracker: LocalTracker
  let announces: Announce[]

  beforeAll(async () => {
    tmp = await tempDir('bridge-proxy-')
    const fixture = await writeFixture(tmp.dir, NAME, multiFileFixture(8))
    sha256 = fixture.sha256
    // no trackers of its own: the page learns of it from the test, at the watcher's port only
    seeder = await startSeeder({ root: fixture.root, announce: [], webrtc: false, tcpPort: 0 })
    meta = await parseTorrent(seeder.torrentFile)
    tap = await startTcpTap({ host: '127.0.0.1', port: seeder.tcpPort! })
    tracker = await startTracker()
    announces = recordAnnounces(tracker)
  }, 60_000)

  afterAll(async () => {
    await tap?.close()
    await tracker?.close()
    await seeder?.destroy()
    await tmp?.remove()
  })

  describe('dante: CONNECT and UDP ASSOCIATE', () => {
    let dante: SocksProxy
    let bridge: TestBridge

    beforeAll(async () => {
      dante = await startDante({ external: '127.0.0.3' })
      bridge = await startTestBridge(['--proxy', dante.url])
    }, 30_000)

    afterAll(async () => {
      await bridge?.close()
      await dante?.stop()
    })

    it('a download completes through the proxy, bytes exact; the seeder and the trackers hear from the proxy only; no DHT', async () => {
      expect(bridge.running.bridge!.dht).toBeNull()
      const tapBefore = tap.connections.length
      let page: Page | undefined
      try {
        page = await startPage(bridge, seeder.torrentFile, join(tmp.dir, 'page-dante'), { trackers: [tracker.httpUrl, tracker.udpUrl], dht: false })
        const p = page
        p.peers.addCandidates(meta.infoHash, 'magnet', [{ host: '127.0.0.1', port: tap.port }])
        await waitDone(p, 30_000, 'download through dante')
        await expectSameFiles(sha256, join(tmp.dir, 'page-dante', NAME))
        // both trackers answered, over HTTP (CONNECT) and UDP (ASSOCIATE), and saw the proxy's address
        await waitFor(() => p.discovery.trackers(meta.infoHash).every((t) => t.state === 'working'), 20_000, 'both trackers working')
        expect(new Set(announces.map((a) => a.type))).toEqual(new Set(['http', 'udp']))
        expect(new Set(announces.map((a) => a.ip))).toEqual(new Set(['127.0.0.3']))
        expect(dante.udpAssociations()).toBeGreaterThanOrEqual(1)
        // every connection that reached the seeder came from the proxy, and the proxy made each
        const reached = tap.connections.slice(tapBefore)
        expect(reached.length).toBeGreaterThanOrEqual(1)
        expect(new Set(reached)).toEqual(new Set(['127.0.0.3']))
        expect(dante.connects()).toBeGreaterThanOrEqual(reached.length + 1) // + the HTTP tracker's
        expect(p.client.route).toMatchObject({ proxy: dante.url, outgoingInterface: '', state: 'up', message: '' })
      } finally {
        await page?.close()
      }
      await goodbyes(announces, '127.0.0.3', ['http', 'udp'])
    }, 60_000)

    it('host names are resolved by the proxy, never by the bridge', async () => {
      const asked: string[] = []
      const named = await startTestBridge(['--proxy', dante.url], {}, {
        resolve: async (hostname) => {
          asked.push(hostname)
          throw new Error('the bridge must not resolve names behind a proxy')
        },
      })
      const page = await rawPage(named.wsUrl, { origin: named.origin })
      const httpUrl = tracker.httpUrl.replace('127.0.0.1', 'localhost')
      const udpUrl = tracker.udpUrl.replace('127.0.0.1', 'localhost')
      try {
        announceRaw(page, meta, [httpUrl, udpUrl])
        const [http, udp] = await Promise.all([trackerOutcome(page, httpUrl), trackerOutcome(page, udpUrl)])
        expect([http.state, http.message, udp.state, udp.message]).toEqual(['working', '', 'working', ''])
        expect(asked).toEqual([])
        page.close()
        await goodbyes(announces, '127.0.0.3', ['http', 'udp'])
      } finally {
        page.close()
        await named.close()
      }
    }, 30_000)

    it('what a peer sends at once, before it is spoken to, comes through whole and in order', async () => {
      // a "peer" that writes 256 KiB the moment it accepts: its first bytes may share a read with the proxy's reply
      const banner = randomBytes(256 * 1024)
      const server = net.createServer((socket) => socket.end(banner))
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
      try {
        const outgoing = bridge.running.bridge!.outgoing
        const socket = await new Promise<net.Socket>((resolve, reject) => {
          outgoing.connectPeer('127.0.0.1', (server.address() as net.AddressInfo).port, 10_000, (r) => r.ok ? resolve(r.socket) : reject(new Error(r.reason)))
        })
        const got: Buffer[] = []
        await new Promise<void>((resolve) => {
          socket.on('end', () => resolve())
          setReader(socket, (bytes) => { got.push(Buffer.from(bytes)) })
          socket.resume()
        })
        socket.destroy()
        expect(Buffer.concat(got).equals(banner)).toBe(true)
      } finally {
        server.close()
      }
    }, 20_000)

    it('with the proxy stopped, nothing connects, directly or otherwise, and the page is told why', async () => {
      await dante.stop()
      const tapBefore = tap.connections.length
      const announcesBefore = announces.length
      const page = await rawPage(bridge.wsUrl, { origin: bridge.origin })
      try {
        announceRaw(page, meta, [tracker.httpUrl, tracker.udpUrl])
        const [http, udp, closed] = await Promise.all([
          trackerOutcome(page, tracker.httpUrl),
          trackerOutcome(page, tracker.udpUrl),
          dialRaw(page, meta, tap.port, 1),
        ])
        const unreachable = new RegExp(`the proxy socks5://127\\.0\\.0\\.1:${dante.port} cannot be reached \\(ECONNREFUSED\\); nothing connects without it`)
        expect(closed).toMatchObject({ type: FrameType.Close, code: CloseCode.ConnectFailed })
        expect((closed as { reason: string }).reason).toMatch(unreachable)
        expect(http).toMatchObject({ state: 'error' })
        expect(http.message).toMatch(unreachable)
        expect(udp).toMatchObject({ state: 'error' })
        expect(udp.message).toMatch(unreachable)
        const route = await nextRoute(page, (f) => f.state === 'down')
        expect(route.message).toMatch(unreachable)
        // what the bridge tried went nowhere: the seeder and the tracker heard nothing at all
        expect(tap.connections.length).toBe(tapBefore)
        expect(announces.length).toBe(announcesBefore)
      } finally {
        page.close()
      }
    }, 40_000)
  })

  describe('microsocks: a login, and no UDP', () => {
    let socks: SocksProxy
    let bridge: TestBridge
    let client: BridgeClient | undefined

    beforeAll(async () => {
      socks = await startMicrosocks({ bind: '127.0.0.4', login: { user: 'torrent', password: 'p@ss:word' } })
      bridge = await startTestBridge(['--proxy', socks.url])
    }, 30_000)

    afterAll(async () => {
      client?.close()
      await bridge?.close()
      await socks?.stop()
    })

    it('peers and HTTP trackers go through it; a UDP tracker is refused with the reason', async () => {
      const tapBefore = tap.connections.length
      const page = await rawPage(bridge.wsUrl, { origin: bridge.origin })
      try {
        const route = await nextRoute(page, () => true)
        expect(route).toMatchObject({ proxy: `socks5://127.0.0.1:${socks.port}`, state: 'up' }) // no credentials shown
        announceRaw(page, meta, [tracker.httpUrl, tracker.udpUrl])
        const [http, udp] = await Promise.all([trackerOutcome(page, tracker.httpUrl), trackerOutcome(page, tracker.udpUrl)])
        expect(http).toMatchObject({ state: 'working' })
        expect(udp).toMatchObject({ state: 'refused' })
        expect(udp.message).toMatch(new RegExp(`the proxy socks5://127\\.0\\.0\\.1:${socks.port} does not relay UDP \\(it answered command not supported to UDP ASSOCIATE\\)`))
      } finally {
        page.close()
      }
      expect(announces.at(-1)).toEqual({ event: 'start', type: 'http', ip: '127.0.0.4' })
      await goodbyes(announces, '127.0.0.4', ['http'])
      // a whole torrent's pieces through the proxy (MSE with the seeder, the page in plaintext)
      client = await connectClient(bridge)
      client.register(meta.infoHash, randomPeerId())
      const stream = client.open(meta.infoHash, { host: '127.0.0.1', port: tap.port })
      const bytes = await downloadPieces(stream, meta, Array.from({ length: meta.pieceCount }, (_, i) => i))
      expect(bytes).toBe(meta.length)
      expect(tap.connections.slice(tapBefore)).toEqual(['127.0.0.4'])
      expect(socks.connects()).toBeGreaterThanOrEqual(2) // the HTTP tracker and the seeder
    }, 40_000)

    it('a wrong password: nothing connects, and the page is told the proxy refused the login', async () => {
      const wrong = await startTestBridge(['--proxy', `socks5://torrent:wrong@127.0.0.1:${socks.port}`])
      const tapBefore = tap.connections.length
      const page = await rawPage(wrong.wsUrl, { origin: wrong.origin })
      try {
        announceRaw(page, meta, [])
        const closed = await dialRaw(page, meta, tap.port, 1)
        const refused = new RegExp(`the proxy socks5://127\\.0\\.0\\.1:${socks.port} refused the user name and password`)
        expect((closed as { reason: string }).reason).toMatch(refused)
        expect((await nextRoute(page, (f) => f.state === 'down')).message).toMatch(refused)
        expect(tap.connections.length).toBe(tapBefore)
      } finally {
        page.close()
        await wrong.close()
      }
    }, 30_000)
  })

  describe('--outgoing-interface', () => {
    it('an address: every connection and announce leaves from it', async () => {
      const bridge = await startTestBridge(['--outgoing-interface', '127.0.0.6'])
      const tapBefore = tap.connections.length
      const announcesBefore = announces.length
      let client: BridgeClient | undefined
      const page = await rawPage(bridge.wsUrl, { origin: bridge.origin })
      try {
        expect(await nextRoute(page, () => true)).toMatchObject({ proxy: '', outgoingInterface: '127.0.0.6', state: 'up' })
        announceRaw(page, meta, [tracker.httpUrl, tracker.udpUrl])
        const [http, udp] = await Promise.all([trackerOutcome(page, tracker.httpUrl), trackerOutcome(page, tracker.udpUrl)])
        expect([http.state, udp.state]).toEqual(['working', 'working'])
        expect(announces.slice(announcesBefore).map((a) => a.ip)).toEqual(['127.0.0.6', '127.0.0.6'])
        page.close()
        await goodbyes(announces, '127.0.0.6', ['http', 'udp'])
        client = await connectClient(bridge)
        client.register(meta.infoHash, randomPeerId())
        const bytes = await downloadPieces(client.open(meta.infoHash, { host: '127.0.0.1', port: tap.port }), meta, [0, meta.pieceCount - 1])
        expect(bytes).toBeGreaterThan(0)
        expect(tap.connections.slice(tapBefore)).toEqual(['127.0.0.6'])
        expect(bridge.running.bridge!.dht!.host).toBe('127.0.0.6')
      } finally {
        page.close()
        client?.close()
        await bridge.close()
      }
    }, 30_000)

    it('an interface that is not there: nothing connects, and the page is told why', async () => {
      const bridge = await startTestBridge(['--outgoing-interface', 'nosuch0', '--no-dht'])
      const tapBefore = tap.connections.length
      const announcesBefore = announces.length
      const page = await rawPage(bridge.wsUrl, { origin: bridge.origin })
      try {
        const missing = /there is no interface nosuch0 \(is the VPN down\?\); nothing connects without it/
        expect((await nextRoute(page, () => true)).message).toMatch(missing) // known from the start
        announceRaw(page, meta, [tracker.httpUrl, tracker.udpUrl])
        const [http, udp, closed] = await Promise.all([trackerOutcome(page, tracker.httpUrl), trackerOutcome(page, tracker.udpUrl), dialRaw(page, meta, tap.port, 1)])
        for (const why of [http.message, udp.message, (closed as { reason: string }).reason]) expect(why).toMatch(missing)
        expect(tap.connections.length).toBe(tapBefore)
        expect(announces.length).toBe(announcesBefore)
      } finally {
        page.close()
        await bridge.close()
      }
    }, 30_000)
  })
})
