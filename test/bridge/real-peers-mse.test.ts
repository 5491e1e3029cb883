// Real clients that insist on protocol encryption (MSE/PE), through the bridge, all on loopback.
// The page (node-page.ts) speaks plaintext BitTorrent over its frames; the bridge does MSE on the
// TCP side. Every downloaded file is checked against the fixture's SHA-256.
//   (a) qbittorrent-nox with "Require encryption" seeds; the page downloads from it (prefer, the
//       bridge's default, dials with MSE);
//   (b) aria2c with --bt-require-crypto (RC4 only) downloads the whole torrent from the page
//       through the bridge's peer port;
//   (c) qbittorrent-nox with encryption disabled: a `prefer` bridge falls back to plaintext and the
//       page downloads; a `require` bridge refuses to speak plaintext to it.
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseTorrent } from '../../src/core/torrent-parser/metainfo'
import { multiFileFixture, writeFixture } from '../support/fixtures'
import { startAria2Leecher, type Aria2 } from '../support/peers/aria2'
import { makeTorrent } from '../support/peers/mktorrent'
import { pollUntil, stopAllDaemons } from '../support/peers/process'
import { startQbittorrent, type Qbittorrent } from '../support/peers/qbittorrent'
import { startTracker, type LocalTracker } from '../support/tracker'
import { connectClient, downloadPieces, randomPeerId, startTestBridge, tempDir, type TestBridge } from './harness'
import { startPage, startSeedingPage, waitDone, type Page } from './node-page'
import { expectSameFiles, logThroughput } from './real-peers-checks'

const SIZE_MIB = 24
const NAME = 'payload'

describe('real peers that require encryption, through the bridge', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>
  let sha256: Map<string, string>
  let dataDir: string
  let tracker: LocalTracker
  let bridge: TestBridge

  beforeAll(async () => {
    tmp = await tempDir('real-peers-mse-')
    dataDir = join(tmp.dir, 'data')
    sha256 = (await writeFixture(dataDir, NAME, multiFileFixture(SIZE_MIB))).sha256
    tracker = await startTracker()
    bridge = await startTestBridge() // --encryption prefer, the default
  }, 60_000)

  afterAll(async () => {
    await stopAllDaemons()
    await bridge?.close()
    await tracker?.close()
    await tmp?.remove()
  }, 30_000)

  const opened = () => bridge.running.bridge!.stats().opened

  it('(a) downloads from qbittorrent-nox that requires encryption', async () => {
    const made = await makeTorrent({ path: join(dataDir, NAME), announce: [tracker.httpUrl], pieceLengthLog2: 18, source: 'mse-a' })
    let qbt: Qbittorrent | undefined
    let page: Page | undefined
    let watching = true
    try {
      qbt = await startQbittorrent({ encryption: 1 })
      await qbt.seed(made.torrent, made.infoHash, dataDir, 30_000)
      const before = opened()
      const out = join(tmp.dir, 'page-a')
      const t0 = Date.now()
      page = await startPage(bridge, made.torrent, out, { trackers: [tracker.httpUrl], dht: false })
      // qBittorrent's own view of its peers: "E" = RC4-encrypted traffic
      const flags = new Set<string>()
      const q = qbt
      void (async () => {
        while (watching) {
          for (const peer of await q.peers(made.infoHash).catch(() => [])) for (const f of peer.flags.split(/\s+/)) flags.add(f)
          await new Promise((r) => setTimeout(r, 300))
        }
      })()
      await waitDone(page, 40_000, 'download from qbittorrent-nox (encryption required)', () => q.info(made.infoHash))
      logThroughput('(a) qbittorrent-nox (require encryption) -> bridge (MSE, RC4) -> page', SIZE_MIB, made.meta.length, t0)
      await expectSameFiles(sha256, join(out, NAME))
      expect(opened().rc4).toBeGreaterThan(before.rc4)
      expect(flags.has('E')).toBe(true) // and a plaintext connection it would have closed
      await pollUntil(async () => ((await q.info(made.infoHash))[0]?.uploaded ?? 0) >= made.meta.length, { timeoutMs: 10_000, what: 'qBittorrent counting its upload' })
    } finally {
      watching = false
      await page?.close()
      await qbt?.stop()
    }
  }, 60_000)

  it('(b) aria2c that requires RC4 downloads the whole torrent from the page through the peer port', async () => {
    const made = await makeTorrent({ path: join(dataDir, NAME), announce: [tracker.httpUrl], pieceLengthLog2: 18, source: 'mse-b' })
    let leecher: Aria2 | undefined
    let page: Page | undefined
    try {
      page = await startSeedingPage(bridge, made, dataDir, tracker)
      const p = page
      const before = opened()
      const out = join(tmp.dir, 'aria2-b')
      const t0 = Date.now()
      leecher = await startAria2Leecher({ torrent: made.torrent, dir: out, crypto: 'require-arc4' })
      await leecher.waitComplete(45_000)
      logThroughput('(b) page -> bridge (MSE, RC4) -> aria2c (require arc4)', SIZE_MIB, made.meta.length, t0)
      expect(p.maxCounts.incoming + p.maxCounts.tracker).toBeGreaterThanOrEqual(1)
      expect(p.torrent.uploaded).toBeGreaterThanOrEqual(made.meta.length)
      expect(opened().rc4).toBeGreaterThan(before.rc4)
      await expectSameFiles(sha256, join(out, NAME))
    } finally {
      await leecher?.stop()
      await page?.close()
    }
  }, 60_000)

  it('(c) qbittorrent-nox with encryption off: prefer falls back to plaintext, require refuses', async () => {
    const made = await makeTorrent({ path: join(dataDir, NAME), announce: [tracker.httpUrl], pieceLengthLog2: 18, source: 'mse-c' })
    let qbt: Qbittorrent | undefined
    let page: Page | undefined
    let strict: TestBridge | undefined
    try {
      qbt = await startQbittorrent({ encryption: 2 })
      await qbt.seed(made.torrent, made.infoHash, dataDir, 30_000)
      const q = qbt
      // require: the dial fails before OPENED, with the reason
      strict = await startTestBridge(['--encryption', 'require'])
      const client = await connectClient(strict)
      try {
        const meta = await parseTorrent(made.torrent)
        client.register(meta.infoHash, randomPeerId())
        const stream = client.open(meta.infoHash, { host: '127.0.0.1', port: q.listenPort })
        const failed = new Promise<Error>((resolve) => stream.on('error', resolve))
        await expect(downloadPieces(stream, meta, [0], 15_000)).rejects.toThrow('wire closed before the handshake') // not a timeout
        expect((await failed).message).toMatch(/requires encryption/)
        expect(stream.opened).toBe(false)
        expect(strict.running.bridge!.stats().opened).toEqual({ rc4: 0, obfuscated: 0, plaintext: 0 })
      } finally {
        client.close()
      }
      // prefer: MSE refused, plaintext on a fresh connection
      const before = opened()
      const out = join(tmp.dir, 'page-c')
      page = await startPage(bridge, made.torrent, out, { trackers: [tracker.httpUrl], dht: false })
      await waitDone(page, 40_000, 'download from qbittorrent-nox (encryption disabled)', () => q.info(made.infoHash))
      await expectSameFiles(sha256, join(out, NAME))
      expect(opened().plaintext).toBeGreaterThan(before.plaintext)
    } finally {
      await page?.close()
      await qbt?.stop()
      await strict?.close()
    }
  }, 60_000)
})
