// BitTorrent v2 (BEP 52) against real clients, in Chromium through the real server's bridge, all
// on loopback. Torrents are made by libtorrent's own creator (python3-libtorrent 2.0.8) from files
// of uneven sizes; every download is checked by the SHA-256 of each file saved through the UI.
//   1. libtorrent seeds v2-only and hybrid torrents; the page downloads each by .torrent and by
//      magnet (btmh alone for v2: metadata by BEP 9, checked by its SHA-256, then the files' piece
//      layers by BEP 52 hash requests);
//   2. a peer that answers hash requests with hashes that prove nothing is disconnected, not dialed
//      again and not let in; libtorrent, started after, delivers the torrent;
//   3. a reload while a v2 torrent (added by btmh magnet) is half done: it resumes from its
//      verified pieces, a sample re-checked by SHA-256, and completes byte-exact;
//   4. qbittorrent-nox seeds a v2-only torrent; the page downloads it by btmh magnet.
// The other way (libtorrent downloading a v2 torrent the page created and seeds) is in create.spec.ts.
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Page } from '@playwright/test'
import { bdecode, bencode, type BValue } from '../../src/core/torrent-parser/bencode'
import { parseTorrent } from '../../src/core/torrent-parser/metainfo'
import { writeFixture, type FixtureFile } from '../support/fixtures'
import { libtorrentMake, type LibtorrentMode, type LibtorrentView } from '../support/libtorrent-v2'
import { startLyingV2Peer } from '../support/lying-v2-peer'
import { startLibtorrent, type LibtorrentPeer } from '../support/peers/libtorrent'
import { startQbittorrent } from '../support/peers/qbittorrent'
import type { LocalTracker } from '../support/tracker'
import { expect, trackerTest, type PageOptions } from './fixtures'
import { SCREENSHOTS, expectSavedFilesExact, startApp, type RunningApp } from './harness'

// the spec's tracker, and the server pointed at its HTTP side too: every torrent is announced to
// the local HTTP tracker, where the seeders announce theirs
const test = trackerTest.extend<object, object>({
  app: [async ({ tracker }, use) => {
    const app = await startApp([tracker.wsUrl, tracker.httpUrl])
    await use(app)
    await app.close()
  }, { scope: 'worker', timeout: 60_000 }],
})

interface Made {
  name: string
  view: LibtorrentView
  torrentPath: string
  /** The folder that holds the torrent's root. */
  dataDir: string
  sha256: Record<string, string>
  /** The key the seeders list it by: v1 info-hash, or the v2 one cut to 20 bytes. */
  key: string
}

/** Files of uneven sizes under `name/`: a multi-piece file, a file under a piece, one under a block, nested. */
function unevenFiles(big: number): FixtureFile[] {
  return [
    { path: 'a.bin', length: big },
    { path: 'sub/b.bin', length: 17_003 },
    { path: 'sub/deeper/c.bin', length: 700_001 },
    { path: 'tiny.txt', length: 3 },
  ]
}

async function make({ tmpDir: tmp, tracker }: { tmpDir: string; tracker: LocalTracker }, name: string, mode: LibtorrentMode, pieceLength: number, files: FixtureFile[], seed: number): Promise<Made> {
  const dataDir = join(tmp, `data-${name}`)
  const { root, sha256 } = await writeFixture(dataDir, name, files, seed)
  const torrentPath = join(tmp, `${name}.torrent`)
  const view = libtorrentMake(root, torrentPath, mode, pieceLength, tracker.httpUrl)
  const key = view.v1 ?? view.v2!.slice(0, 40)
  return { name, view, torrentPath, dataDir, sha256: Object.fromEntries(sha256), key }
}

/** Opens the app: every torrent added whole (no add dialog), none waiting in the queue to download or to seed. */
async function openV2Page(openPage: (app: RunningApp, options?: PageOptions) => Promise<Page>, app: RunningApp): Promise<Page> {
  const page = await openPage(app, { acceptDownloads: true })
  await expect(page.getByRole('status', { name: 'Reach' })).toContainText('Connected to the whole swarm')
  await page.getByRole('button', { name: 'Settings' }).click()
  await page.getByLabel('Ask which files to download when adding', { exact: true }).setChecked(false)
  for (const label of ['Active downloads at most (0 = no limit)', 'Active seeds at most (0 = no limit)']) {
    const field = page.getByLabel(label, { exact: true })
    await field.fill('0')
    await field.dispatchEvent('change')
  }
  await page.getByRole('button', { name: 'Close' }).click()
  return page
}

const item = (page: Page, name: string) => page.getByRole('listitem', { name })

async function addByFile(page: Page, made: Made): Promise<void> {
  await page.getByLabel('Open torrent file').setInputFiles({ name: `${made.name}.torrent`, mimeType: 'application/x-bittorrent', buffer: await readFile(made.torrentPath) })
  await expect(item(page, made.name)).toBeVisible()
}

async function addByMagnet(page: Page, magnet: string): Promise<void> {
  await page.getByLabel('Magnet link, info hash or torrent URL').fill(magnet)
  await page.getByRole('button', { name: 'Add', exact: true }).click()
}

test('1. libtorrent seeds v2-only and hybrid torrents of uneven files; the page downloads each by .torrent and by magnet (btmh alone for v2): byte-exact', async ({ app, tracker, tmpDir, openPage }) => {
  test.setTimeout(150_000)
  const v2File = await make({ tmpDir, tracker }, 'lt-v2-file', 'v2', 65_536, unevenFiles(1_300_001), 11)
  // 16 KiB pieces: a.bin has 577, so its piece layer comes in two hash requests (512, then the rest)
  const v2Magnet = await make({ tmpDir, tracker }, 'lt-v2-magnet', 'v2', 16_384, unevenFiles(9_437_185), 12)
  // hybrids run through their v1 half (webtorrent's SHA-1), each piece checked against the v2 piece layer too
  const hybridFile = await make({ tmpDir, tracker }, 'lt-hybrid-file', 'hybrid', 32_768, unevenFiles(1_000_001), 13)
  const hybridMagnet = await make({ tmpDir, tracker }, 'lt-hybrid-magnet', 'hybrid', 65_536, unevenFiles(2_000_001), 14)
  const all = [v2File, v2Magnet, hybridFile, hybridMagnet]
  const lt = await startLibtorrent()
  try {
    for (const made of all) expect(await lt.add({ torrent: made.torrentPath }, made.dataDir)).toBe(made.key)
    for (const made of all) await lt.waitSeeding(made.key)
    const page = await openV2Page(openPage, app)
    expect(v2Magnet.view.magnet).toMatch(/^magnet:\?xt=urn:btmh:1220[0-9a-f]{64}&/) // btmh alone
    expect(hybridMagnet.view.magnet).toMatch(/xt=urn:btih:[0-9a-f]{40}.*xt=urn:btmh:1220/)
    await addByFile(page, v2File)
    await addByFile(page, hybridFile)
    await addByMagnet(page, v2Magnet.view.magnet)
    await addByMagnet(page, hybridMagnet.view.magnet)
    for (const made of all) await expect(item(page, made.name).getByTestId('state')).toHaveText('Seeding', { timeout: 60_000 })
    await page.screenshot({ path: `${SCREENSHOTS}/v2-downloads.png` })
    for (const made of all) await expectSavedFilesExact(page, { name: made.name, sha256: made.sha256 }, tmpDir)
    // libtorrent was the only peer: it sent each torrent's bytes
    const ltStatus = await lt.status()
    for (const made of all) expect(ltStatus[made.key]?.uploaded, `libtorrent's upload of ${made.name}`).toBeGreaterThan(0)
  } finally {
    await lt.stop()
  }
})

/** The .torrent without its `piece layers` (its info-hash unchanged): each file's layer must come from peers. */
function withoutPieceLayers(torrentFile: Uint8Array): Uint8Array {
  const torrent = bdecode(torrentFile) as Map<string, BValue>
  torrent.delete('piece layers')
  return bencode(torrent)
}

test('2. a peer that answers hash requests with hashes that prove nothing is disconnected and not dialed again; libtorrent then delivers the torrent', async ({ app, tracker, tmpDir, openPage }) => {
  test.setTimeout(120_000)
  const made = await make({ tmpDir, tracker }, 'lt-v2-liar', 'v2', 32_768, unevenFiles(3_000_001), 31)
  const full = new Uint8Array(await readFile(made.torrentPath))
  const stripped = withoutPieceLayers(full)
  const meta = await parseTorrent(stripped)
  expect(meta.infoHash).toBe(made.key)
  expect(meta.files.some((f) => f.pieceLayer)).toBe(false)
  // the liar is the only peer at first (on its own address: a ban is by host), listed by the tracker
  const liar = await startLyingV2Peer({ host: '127.0.0.2', infoHash: made.key, pieceCount: meta.pieceCount })
  let lt: LibtorrentPeer | undefined
  try {
    await liar.announce(tracker.httpUrl)
    const page = await openV2Page(openPage, app)
    await page.getByLabel('Open torrent file').setInputFiles({ name: `${made.name}.torrent`, mimeType: 'application/x-bittorrent', buffer: Buffer.from(stripped) })
    await expect(item(page, made.name)).toBeVisible()
    await expect.poll(() => liar.connections.length, { timeout: 30_000 }).toBeGreaterThan(0)
    const first = liar.connections[0]!
    await first.closed // the page hung up on it, after its lies
    expect(first.lies).toBeGreaterThan(0)
    expect(first.peerId.startsWith('-WW')).toBe(true)
    // libtorrent, started only now, finds the page through the tracker and answers truthfully
    lt = await startLibtorrent()
    expect(await lt.add({ torrent: made.torrentPath }, made.dataDir)).toBe(made.key)
    await expect(item(page, made.name).getByTestId('state')).toHaveText('Seeding', { timeout: 60_000 })
    await expectSavedFilesExact(page, { name: made.name, sha256: made.sha256 }, tmpDir)
    // the page never dialed it again (the tracker lists it at every announce), nor lets it in
    expect(liar.connections.filter((c) => c.peerId.startsWith('-WW'))).toHaveLength(1)
    expect(await liar.dialIn(app.peerPort), 'the banned peer dialing in is answered').toBe(false)
    // a peer that did nothing wrong, from another address, is let in to the same torrent
    const stranger = await startLyingV2Peer({ host: '127.0.0.3', infoHash: made.key, pieceCount: meta.pieceCount })
    try {
      expect(await stranger.dialIn(app.peerPort), 'another peer dialing in is answered').toBe(true)
    } finally {
      await stranger.close()
    }
  } finally {
    await lt?.stop()
    await liar.close()
  }
})

test('3. a reload while a v2 torrent (added by btmh magnet) is half done: it resumes from its verified pieces, a sample re-checked by SHA-256, and completes byte-exact', async ({ app, tracker, tmpDir, openPage }) => {
  test.setTimeout(120_000)
  const made = await make({ tmpDir, tracker }, 'lt-v2-resume', 'v2', 65_536, unevenFiles(11_000_001), 41)
  // throttled, so that the page is reloaded mid-download
  const lt = await startLibtorrent({ uploadLimit: 1_500_000 })
  try {
    expect(await lt.add({ torrent: made.torrentPath }, made.dataDir)).toBe(made.key)
    await lt.waitSeeding(made.key)
    const page = await openV2Page(openPage, app)
    await addByMagnet(page, made.view.magnet)
    const bar = item(page, made.name).getByRole('progressbar')
    await expect.poll(async () => Number(await bar.getAttribute('aria-valuenow')), { timeout: 60_000 }).toBeGreaterThanOrEqual(25)
    await page.reload()
    await expect(item(page, made.name).getByTestId('state')).toHaveText(/Downloading|Seeding/, { timeout: 30_000 })
    const verifiedAtStart = Number(await bar.getAttribute('data-pieces-verified'))
    const checked = Number(await bar.getAttribute('data-pieces-checked'))
    console.log(`3. after the reload: ${verifiedAtStart} pieces verified, ${checked} read back and hashed`)
    // fast resume: the verified pieces kept, a sample (at most two pieces a file) hashed again, the v2 way
    expect(verifiedAtStart).toBeGreaterThan(30)
    expect(checked).toBeGreaterThan(0)
    expect(checked).toBeLessThanOrEqual(2 * Object.keys(made.sha256).length)
    await expect(item(page, made.name).getByTestId('state')).toHaveText('Seeding', { timeout: 60_000 })
    await expectSavedFilesExact(page, { name: made.name, sha256: made.sha256 }, tmpDir)
  } finally {
    await lt.stop()
  }
})

test('4. qbittorrent-nox seeds a v2-only torrent; the page downloads it by btmh magnet (metadata, piece layers and pieces from qBittorrent): byte-exact', async ({ app, tracker, tmpDir, openPage }) => {
  test.setTimeout(120_000)
  const made = await make({ tmpDir, tracker }, 'qbt-v2-magnet', 'v2', 32_768, unevenFiles(2_500_001), 51)
  const qbt = await startQbittorrent()
  try {
    await qbt.addTorrent(new Uint8Array(await readFile(made.torrentPath)), made.dataDir)
    await qbt.waitSeeding(made.key, 30_000)
    const page = await openV2Page(openPage, app)
    await addByMagnet(page, made.view.magnet)
    await expect(item(page, made.name).getByTestId('state')).toHaveText('Seeding', { timeout: 60_000 })
    await expectSavedFilesExact(page, { name: made.name, sha256: made.sha256 }, tmpDir)
    // qBittorrent refreshes the counts its Web API gives every second or so: read until they show
    // (CI once read 0 just after the page had every byte)
    await expect.poll(async () => (await qbt.info(made.key))[0]?.uploaded ?? 0, { message: 'qBittorrent sent the bytes', timeout: 15_000 }).toBeGreaterThan(0)
  } finally {
    await qbt.stop()
  }
})
