// Web seeds (BEP 19) fetched through the bridge, all on loopback. The "page" is webtorrent in Node
// (node-page.ts) with the app's own web seeds (src/engine/peer-connection/web-seeds.ts) and no fetch of its own,
// as a browser page is against a server that sends no CORS headers: every range goes through the
// bridge. The good web seed is nginx (Debian's nginx-light: Range, no CORS headers); the lying ones
// are a small Node server (test/support/lying-web-seed.ts) for faults nginx cannot be made to show.
//   (a) a multi-file torrent (nested folders, an empty file, spaces and a non-ASCII name) made by
//       mktorrent with nginx in its url-list, no peer at all: every file byte-exact;
//   (b) the same torrent with lying web seeds: wrong bytes, answers cut short, another range, 500s,
//       a redirect to 169.254.169.254, an address in 10.0.0.0/8: each liar is dropped with its
//       reason; then nginx completes the torrent byte-exact; the peers list shows the web seeds by
//       host, nginx's with its speed, the dropped ones with their reasons;
//   (c) the bridge's side alone, with a raw page: a fetch for a torrent not registered, the cap on
//       fetches at once, a server that ignores Range, a cancel, and a page that reads slowly (the
//       bridge stops reading the server rather than holding the bytes).
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FrameType, MAX_WEB_SEED_FETCH_BYTES, WebSeedOutcome, type BridgeToPageFrame, type WebSeedDataFrame, type WebSeedEndFrame } from '../../src/protocol/bridge-frames'
import { peerSnapshots } from '../../src/engine/peer-connection/peer-list'
import { WebSeeds } from '../../src/engine/peer-connection/web-seeds'
import type { PeerSnapshot } from '../../src/protocol/engine-events'
import { multiFileFixture, writeFixture } from '../support/fixtures'
import { startLyingWebSeed, type Lie, type LyingWebSeed } from '../support/lying-web-seed'
import { makeTorrent, type MadeTorrent } from '../support/peers/mktorrent'
import { startNginx } from '../support/peers/nginx'
import { pollUntil, stopAllDaemons } from '../support/peers/process'
import { randomPeerId, rawPage, startTestBridge, tempDir, waitFor, type RawPage, type TestBridge } from './harness'
import { startPage, waitDone, type Page } from './node-page'
import { expectSameFiles, logThroughput } from './real-peers-checks'

const SIZE_MIB = 16
const NAME = 'payload'

/** A page whose web seeds go through the bridge only (node-page.ts has no web seeds of its own). */
async function webSeedPage(bridge: TestBridge, made: MadeTorrent, dir: string, opts: { urls?: string[]; backoffMs?: number } = {}): Promise<{ page: Page; seeds: WebSeeds; dropped: Map<string, string> }> {
  const page = await startPage(bridge, made.torrent, dir, { trackers: [], dht: false })
  const dropped = new Map<string, string>()
  const seeds = new WebSeeds({
    direct: null,
    bridge: (infoHash) => (url, start, length, signal) => page.client.fetchRange(infoHash, url, start, length, signal),
    onDropped: (_infoHash, url, reason) => dropped.set(url, reason),
    ...(opts.backoffMs !== undefined ? { backoffMs: opts.backoffMs } : {}),
  })
  await waitFor(() => (page.torrent as unknown as { ready: boolean }).ready, 10_000, 'the page\'s torrent ready')
  seeds.attach(page.torrent as never, made.meta, opts.urls ?? made.meta.urlList)
  return { page, seeds, dropped }
}

describe('web seeds through the bridge', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>
  let dataDir: string
  let sha256: Map<string, string>
  let bridge: TestBridge

  beforeAll(async () => {
    tmp = await tempDir('web-seeds-')
    dataDir = join(tmp.dir, 'data')
    sha256 = (await writeFixture(dataDir, NAME, multiFileFixture(SIZE_MIB))).sha256
    bridge = await startTestBridge()
  }, 60_000)

  afterAll(async () => {
    await stopAllDaemons()
    await bridge?.close()
    await tmp?.remove()
  })

  it('(a) nginx with no CORS headers, no peer at all: the page gets every file through the bridge, byte-exact', async () => {
    const nginx = await startNginx({ root: dataDir })
    let p: Page | undefined
    try {
      const made = await makeTorrent({ path: join(dataDir, NAME), webSeeds: [nginx.url], source: 'web seed (a)' })
      expect(made.meta.urlList).toEqual([nginx.url])
      const out = join(tmp.dir, 'out-a')
      const t0 = Date.now()
      const { page, dropped } = await webSeedPage(bridge, made, out)
      p = page
      await waitDone(page, 60_000, 'the download from nginx')
      logThroughput('(a) nginx -> bridge -> page', SIZE_MIB, made.meta.length, t0)
      await expectSameFiles(sha256, join(out, NAME))
      expect(dropped).toEqual(new Map())
      // every byte came as a range nginx served (206), through the bridge: the page had no other peer
      const served = await nginx.requests()
      expect(served.length).toBeGreaterThan(0)
      expect(served.filter((r) => !/^GET \/payload\/\S+ 206$/.test(r) && !/^HEAD \/ /.test(r))).toEqual([])
      expect(served.some((r) => r.includes('/payload/%C3%9Cn%C3%AFc%C3%B8d%C3%A9%20%E6%97%A5%E6%9C%AC%E8%AA%9E.txt'))).toBe(true)
      expect(page.torrent.wires.every((w) => (w as unknown as { type: string }).type === 'webSeed')).toBe(true)
    } finally {
      await p?.close()
      await nginx.stop()
    }
  }, 90_000)

  it('(b) lying web seeds are dropped, each with its reason; the torrent then completes from nginx, byte-exact', async () => {
    const nginx = await startNginx({ root: dataDir })
    const liars: LyingWebSeed[] = []
    let p: Page | undefined
    try {
      const lies: Lie[] = ['wrong-bytes', 'short', 'other-range', 'error-500', 'redirect']
      for (const lie of lies) liars.push(await startLyingWebSeed({ root: dataDir, lie, redirectTo: 'http://169.254.169.254/latest/meta-data/' }))
      const privateSeed = 'http://10.0.0.1:8080/'
      const made = await makeTorrent({ path: join(dataDir, NAME), webSeeds: [...liars.map((l) => l.url), privateSeed, nginx.url], source: 'web seed (b)' })
      const out = join(tmp.dir, 'out-b')
      // first the liars alone, so that each is asked (the torrent cannot complete without nginx),
      // then nginx: a second set of web seeds on the same torrent, as a page that learns of one later
      const { page, seeds, dropped } = await webSeedPage(bridge, made, out, { urls: made.meta.urlList.filter((u) => u !== nginx.url), backoffMs: 100 })
      p = page
      await waitFor(() => dropped.size === lies.length + 1, 30_000, `every lying web seed dropped (so far: ${JSON.stringify([...dropped])})`)
      expect(page.torrent.downloaded).toBeLessThan(made.meta.length)
      const good = new WebSeeds({ direct: null, bridge: (infoHash) => (url, start, length, signal) => page.client.fetchRange(infoHash, url, start, length, signal) })
      good.attach(page.torrent as never, made.meta, [nginx.url])
      const lookup = {
        describe: (wire: { peerId?: string | null }) => seeds.describe(page.torrent.infoHash, wire) ?? good.describe(page.torrent.infoHash, wire),
        list: () => [...seeds.list(page.torrent.infoHash), ...good.list(page.torrent.infoHash)],
      }
      const snapshots = () => peerSnapshots(page.torrent as never, made.meta.pieceCount, () => undefined, lookup)
      // while it downloads, the peers list shows nginx by host, through the bridge, with its speed
      const nginxHost = `127.0.0.1:${nginx.port}`
      let seen: PeerSnapshot | undefined
      await pollUntil(() => (seen = snapshots().find((s) => s.address === nginxHost && s.dropped === undefined && s.downloadSpeed > 0)),
        { timeoutMs: 30_000, intervalMs: 20, what: 'nginx in the peers list with a speed' })
      expect(seen).toMatchObject({ source: 'webseed', client: 'Web seed, through the bridge', progress: 1 })
      await waitDone(page, 60_000, 'the download from nginx after the liars')
      await expectSameFiles(sha256, join(out, NAME))
      const reasons = Object.fromEntries([...dropped].map(([url, reason]) => [url, reason]))
      const of = (lie: Lie) => reasons[liars[lies.indexOf(lie)]!.url]
      expect(of('wrong-bytes')).toMatch(/^it sent data that does not match the torrent \(piece \d+\)$/)
      expect(of('short')).toMatch(/cut (off|short)/)
      expect(of('other-range')).toMatch(/^it answered bytes \d+-\d+ for \d+-\d+$/)
      expect(of('error-500')).toBe('HTTP 500')
      expect(of('redirect')).toMatch(/^a redirect: web seed address 169\.254\.169\.254 is a linkLocal address; start the bridge with --allow-net/)
      expect(reasons[privateSeed]).toMatch(/^web seed address 10\.0\.0\.1 is a private address/)
      expect(good.list(page.torrent.infoHash)).toEqual([expect.objectContaining({ url: nginx.url, dropped: null })])
      // the redirect's target was refused before any connection: only the liar saw a request
      expect(liars[lies.indexOf('redirect')]!.requests.length).toBeGreaterThan(0)
      // the peers list names each dropped web seed with its reason
      const listed = snapshots().filter((s) => s.dropped !== undefined)
      expect(listed.map((s) => s.address).sort()).toEqual([...liars.map((l) => new URL(l.url).host), '10.0.0.1:8080'].sort())
      expect(listed.find((s) => s.address === '10.0.0.1:8080')?.dropped).toBe(reasons[privateSeed])
      good.detach(page.torrent.infoHash)
    } finally {
      await p?.close()
      for (const liar of liars) await liar.close()
      await nginx.stop()
    }
  }, 120_000)
})

describe('web seed fetches on the bridge (raw page)', () => {
  let bridge: TestBridge
  let server: Server
  let origin: string
  /** Requests the server holds open (never answered), and those it saw closed. */
  const held: import('node:http').ServerResponse[] = []
  let closedEarly = 0
  const FILE = Buffer.from(Array.from({ length: 3 * 1024 * 1024 }, (_, i) => (i * 7 + (i >> 10)) & 0xff))

  beforeAll(async () => {
    bridge = await startTestBridge([], { maxWebSeedFetchesPendingPerSession: 6 })
    // /whole: 200 with the whole file, Range ignored; /hold: never answers; /range: 206 as asked
    server = createServer((req, res) => {
      req.on('close', () => { if (!res.writableEnded) closedEarly++ })
      if (req.url === '/hold') return void held.push(res)
      if (req.url === '/whole') return void res.writeHead(200, { 'content-length': FILE.length }).end(FILE)
      const m = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '')!
      const [first, last] = [Number(m[1]), Number(m[2])]
      res.writeHead(206, { 'content-range': `bytes ${first}-${last}/${FILE.length}`, 'content-length': last - first + 1 }).end(FILE.subarray(first, last + 1))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })

  afterAll(async () => {
    for (const res of held) res.destroy()
    server?.closeAllConnections()
    await new Promise<void>((resolve) => server ? server.close(() => resolve()) : resolve())
    await bridge?.close()
  })

  const HASH = 'ab'.repeat(20)
  const isEnd = (fetch: number) => (f: BridgeToPageFrame): f is WebSeedEndFrame => f.type === FrameType.WebSeedEnd && f.fetch === fetch
  const bytesOf = (page: RawPage, fetch: number) => Buffer.concat(page.frames.filter((f): f is WebSeedDataFrame => f.type === FrameType.WebSeedData && f.fetch === fetch).map((f) => f.data))

  async function registeredPage(): Promise<RawPage> {
    const page = await rawPage(bridge.wsUrl, { origin: bridge.origin })
    await page.next((f): f is BridgeToPageFrame => f.type === FrameType.Welcome)
    page.send({ type: FrameType.Register, infoHash: HASH, peerId: randomPeerId() })
    return page
  }

  it('(c) refuses a torrent not registered, answers Busy past the cap, ignores Range only near a file\'s start, and stops on cancel', async () => {
    const page = await registeredPage()
    try {
      page.send({ type: FrameType.WebSeedFetch, fetch: 1, infoHash: 'cd'.repeat(20), url: `${origin}/range`, start: 0, length: 10 })
      expect(await page.next(isEnd(1))).toMatchObject({ outcome: WebSeedOutcome.Failed, reason: expect.stringMatching(/register the torrent/) })
      // a server that ignores Range: the range near the start is cut out of its 200; one further in is refused
      page.send({ type: FrameType.WebSeedFetch, fetch: 2, infoHash: HASH, url: `${origin}/whole`, start: 1000, length: 5000 })
      expect(await page.next(isEnd(2))).toMatchObject({ outcome: WebSeedOutcome.Ok })
      expect(bytesOf(page, 2).equals(FILE.subarray(1000, 6000))).toBe(true)
      page.send({ type: FrameType.WebSeedFetch, fetch: 3, infoHash: HASH, url: `${origin}/whole`, start: 2 * 1024 * 1024, length: 10 })
      expect(await page.next(isEnd(3))).toMatchObject({ outcome: WebSeedOutcome.Failed, reason: expect.stringMatching(/ignores range requests/) })
      // six at once is the cap here: the seventh is Busy, not queued
      for (const fetch of [4, 5, 6, 9, 10, 20]) page.send({ type: FrameType.WebSeedFetch, fetch, infoHash: HASH, url: `${origin}/hold`, start: 0, length: 10 })
      page.send({ type: FrameType.WebSeedFetch, fetch: 7, infoHash: HASH, url: `${origin}/range`, start: 0, length: 10 })
      expect(await page.next(isEnd(7))).toMatchObject({ outcome: WebSeedOutcome.Busy })
      await waitFor(() => held.length === 6, 5000, 'six held requests at the server')
      // a cancel frees its place and closes its connection; no END follows it
      const before = closedEarly
      page.send({ type: FrameType.WebSeedCancel, fetch: 4 })
      await waitFor(() => closedEarly > before, 5000, 'the server seeing the cancelled request closed')
      page.send({ type: FrameType.WebSeedFetch, fetch: 8, infoHash: HASH, url: `${origin}/range`, start: 5, length: 100 })
      expect(await page.next(isEnd(8))).toMatchObject({ outcome: WebSeedOutcome.Ok })
      expect(bytesOf(page, 8).equals(FILE.subarray(5, 105))).toBe(true)
      expect(page.frames.some(isEnd(4))).toBe(false)
      // unregistering the torrent ends its fetches too
      page.send({ type: FrameType.Unregister, infoHash: HASH })
      await waitFor(() => closedEarly >= before + 6, 5000, 'the held requests closed with their torrent')
    } finally {
      page.close()
    }
  }, 30_000)

  it('(c) a page that reads slowly: the bridge stops reading the web seed instead of holding its bytes, then delivers every byte', async () => {
    const page = await registeredPage()
    const socket = (page.ws as unknown as { _socket: import('node:net').Socket })._socket
    try {
      socket.pause()
      const fetches = [11, 12, 13, 14, 15, 16]
      // 6 x 3 MiB asked for, more than the bridge may queue to a page (maxQueuedToPage, 4 MiB) twice over
      for (const fetch of fetches) page.send({ type: FrameType.WebSeedFetch, fetch, infoHash: HASH, url: `${origin}/range`, start: 0, length: Math.min(MAX_WEB_SEED_FETCH_BYTES, FILE.length) })
      let most = 0
      for (let i = 0; i < 20; i++) {
        await new Promise((r) => setTimeout(r, 50))
        most = Math.max(most, bridge.running.bridge!.stats().buffered)
      }
      // at most its WebSocket's high-water mark and a chunk per fetch (each frame counted with its cost)
      expect(most).toBeLessThan(4 * 1024 * 1024)
      socket.resume()
      for (const fetch of fetches) expect(await page.next(isEnd(fetch), 20_000)).toMatchObject({ outcome: WebSeedOutcome.Ok })
      for (const fetch of fetches) expect(bytesOf(page, fetch).equals(FILE), `fetch ${fetch}`).toBe(true)
    } finally {
      page.close()
    }
  }, 60_000)
})
