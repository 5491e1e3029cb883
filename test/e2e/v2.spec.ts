// BitTorrent v2 (BEP 52) against real clients, in Chromium through the real server's bridge, all
// on loopback. Torrents are made by libtorrent's own creator (python3-libtorrent 2.0.8) from files
// of uneven sizes; every download is checked by the SHA-256 of each file saved through the UI.
//   1. libtorrent and qbittorrent-nox each seed a v2-only and a hybrid torrent; the page downloads
//      each by .torrent and by magnet link (btmh alone for v2: metadata by BEP 9, checked by its
//      SHA-256, then the files' piece layers by BEP 52 hash requests);
//   2. a peer that answers hash requests with hashes that prove nothing is disconnected and not
//      dialed again; libtorrent, beside it, delivers the torrent;
//   3. a reload while a v2 torrent (added by btmh magnet) is half done: it resumes from its
//      verified pieces, without hashing them all again, and completes byte-exact.
// The other way (clients downloading v2 and hybrid torrents the page created and seeds) is in
// create.spec.ts.
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test, type Browser, type Page } from '@playwright/test'
import { launchChromium } from '../support/browser'
import { writeFixture, type FixtureFile } from '../support/fixtures'
import { libtorrentMake, type LibtorrentMode, type LibtorrentView } from '../support/libtorrent-v2'
import { startLibtorrent, type LibtorrentPeer } from '../support/peers/libtorrent'
import { startTracker, type LocalTracker } from '../support/tracker'
import { SCREENSHOTS, expectSavedFilesExact, openApp, startApp, type RunningApp } from './harness'

let browser: Browser
let tracker: LocalTracker
let app: RunningApp
let tmp: string

test.beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'v2-e2e-'))
  tracker = await startTracker()
  // every torrent is announced to the local HTTP tracker, where the seeders announce theirs
  app = await startApp([tracker.wsUrl, tracker.httpUrl])
  browser = await launchChromium()
})

test.afterAll(async () => {
  await browser?.close()
  await app?.close()
  await tracker?.close()
  if (tmp) await rm(tmp, { recursive: true, force: true })
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

async function make(name: string, mode: LibtorrentMode, pieceLength: number, files: FixtureFile[], seed: number): Promise<Made> {
  const dataDir = join(tmp, `data-${name}`)
  const { root, sha256 } = await writeFixture(dataDir, name, files, seed)
  const torrentPath = join(tmp, `${name}.torrent`)
  const view = libtorrentMake(root, torrentPath, mode, pieceLength, tracker.httpUrl)
  const key = view.v1 ?? view.v2!.slice(0, 40)
  return { name, view, torrentPath, dataDir, sha256: Object.fromEntries(sha256), key }
}

/** Opens the app: every torrent added whole (no add dialog), none waiting in the queue to download or to seed. */
async function openPage(): Promise<Page> {
  const context = await browser.newContext({ acceptDownloads: true })
  const page = await openApp(context, app.url)
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

test('1. libtorrent seeds v2-only and hybrid torrents of uneven files; the page downloads each by .torrent and by magnet (btmh alone for v2): byte-exact', async () => {
  test.setTimeout(150_000)
  const v2File = await make('lt-v2-file', 'v2', 65_536, unevenFiles(1_300_001), 11)
  // 16 KiB pieces: a.bin has 577, so its piece layer comes in two hash requests (512, then the rest)
  const v2Magnet = await make('lt-v2-magnet', 'v2', 16_384, unevenFiles(9_437_185), 12)
  // hybrids run through their v1 half (webtorrent's SHA-1), each piece checked against the v2 piece layer too
  const hybridFile = await make('lt-hybrid-file', 'hybrid', 32_768, unevenFiles(1_000_001), 13)
  const hybridMagnet = await make('lt-hybrid-magnet', 'hybrid', 65_536, unevenFiles(2_000_001), 14)
  const all = [v2File, v2Magnet, hybridFile, hybridMagnet]
  const lt = await startLibtorrent()
  try {
    for (const made of all) expect(await lt.add({ torrent: made.torrentPath }, made.dataDir)).toBe(made.key)
    for (const made of all) await lt.waitSeeding(made.key)
    const page = await openPage()
    expect(v2Magnet.view.magnet).toMatch(/^magnet:\?xt=urn:btmh:1220[0-9a-f]{64}&/) // btmh alone
    expect(hybridMagnet.view.magnet).toMatch(/xt=urn:btih:[0-9a-f]{40}.*xt=urn:btmh:1220/)
    await addByFile(page, v2File)
    await addByFile(page, hybridFile)
    await addByMagnet(page, v2Magnet.view.magnet)
    await addByMagnet(page, hybridMagnet.view.magnet)
    for (const made of all) await expect(item(page, made.name).getByTestId('state')).toHaveText('Seeding', { timeout: 60_000 })
    await page.screenshot({ path: `${SCREENSHOTS}/v2-downloads.png` })
    for (const made of all) await expectSavedFilesExact(page, { name: made.name, sha256: made.sha256 }, tmp)
    // libtorrent was the only peer: it sent each torrent's bytes
    const ltStatus = await lt.status()
    for (const made of all) expect(ltStatus[made.key]?.uploaded, `libtorrent's upload of ${made.name}`).toBeGreaterThan(0)
    await page.context().close()
  } finally {
    await lt.stop()
  }
})
