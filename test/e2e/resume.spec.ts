// Downloads survive what happens to the page: a reload and a killed browser resume from the
// verified pieces (unverified bytes on disk are not trusted), a full disk pauses and more space
// lets it finish, and a second tab shows and controls the first tab's engine, then takes over.
import { join } from 'node:path'
import type { BrowserContext, Page } from '@playwright/test'
import { allowWebRtc } from '../support/browser'
import { torrentOrder } from '../support/fixtures'
import { expectAccessible } from './a11y'
import { expect, swarmTest as test } from './fixtures'
import { SCREENSHOTS, addTorrentFile, openApp, sha256File, type Swarm } from './harness'

const PIECE = 256 * 1024

// Throttled, so that a test can act while the download is under way.
const NAME = 'Resume Fixture'
test.use({ swarmOptions: { name: NAME, sizeMiB: 64, uploadLimit: 5_000_000 } })

const item = (page: Page) => page.getByRole('listitem', { name: NAME })
const bar = (page: Page) => item(page).getByRole('progressbar')
const percent = async (page: Page) => Number(await bar(page).getAttribute('aria-valuenow'))

/** Saves every file through the UI and compares its SHA-256 with the source. */
async function expectSavedFilesExact(page: Page, swarm: Swarm, dir: string, label: string): Promise<void> {
  await expect(item(page).getByTestId('state')).toHaveText('Seeding', { timeout: 120_000 })
  await item(page).getByRole('button', { name: `Files of ${swarm.name}`, exact: true }).click()
  for (const [path, sha] of Object.entries(swarm.sha256)) {
    const name = path.split('/').pop()!
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      item(page).getByRole('button', { name: `Save ${name}`, exact: true }).click(),
    ])
    const target = join(dir, `${label}-${path.replaceAll('/', '__')}`)
    await download.saveAs(target)
    expect(await sha256File(target), `SHA-256 of ${path}`).toBe(sha)
  }
}

/** A page of the app's origin that is not the app (so its storage worker holds no file open), on `context`. */
/** The torrent's saved resume bitfield, read from the app's IndexedDB before the app runs. */
async function savedBitfield(page: Page, infoHash: string): Promise<number[]> {
  return page.evaluate(async (infoHash) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open('torrent-web')
      request.onsuccess = () => resolve(request.result)
      request.onerror = () => reject(request.error)
    })
    const resume = await new Promise<{ bitfield: Uint8Array }>((resolve, reject) => {
      const request = db.transaction('resume').objectStore('resume').get(infoHash)
      request.onsuccess = () => resolve(request.result)
      request.onerror = () => reject(request.error)
    })
    db.close()
    return [...resume.bitfield]
  }, infoHash)
}

async function blankPage(context: BrowserContext, appUrl: string): Promise<Page> {
  await allowWebRtc(context, new URL(appUrl).origin)
  const page = await context.newPage()
  // past the app's service worker: it would answer this navigation with the app itself, whose
  // storage worker then holds the files open (createWritable failed, now and then, in CI)
  const cdp = await context.newCDPSession(page)
  await cdp.send('Network.enable')
  await cdp.send('Network.setBypassServiceWorker', { bypass: true })
  await page.route('**/blank-for-test', (route) => route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>blank</title>' }))
  await page.goto(new URL('/blank-for-test', appUrl).href)
  await cdp.send('Network.setBypassServiceWorker', { bypass: false })
  return page
}

// The seeder's WebRTC (@roamhq/wrtc) can crash when the page reloads; spawnSeeder starts it again
// on the same ports, so the page must find it again as it would a restarted peer.
test('a reload mid-download continues from the verified pieces, without re-hashing them', async ({ app, swarm, openPage, tmpDir }) => {
  const page = await openPage(app, { acceptDownloads: true })
  await addTorrentFile(page, swarm)
  await expect.poll(() => percent(page), { timeout: 60_000 }).toBeGreaterThanOrEqual(25)
  await page.reload()
  await expect(item(page).getByTestId('state')).toHaveText(/Downloading|Seeding/, { timeout: 30_000 })
  const verifiedAtStart = Number(await bar(page).getAttribute('data-pieces-verified'))
  const checked = Number(await bar(page).getAttribute('data-pieces-checked'))
  // Fast resume reads back a sample (at most two pieces a file), not every verified piece.
  expect(verifiedAtStart).toBeGreaterThan(30)
  expect(checked).toBeLessThanOrEqual(2 * Object.keys(swarm.sha256).length)
  await expectSavedFilesExact(page, swarm, tmpDir, 'reload')
})

test('a killed browser resumes on the same profile; bytes on disk that were never verified are not trusted', async ({ app, swarm, profileChromium, tmpDir }) => {
  const profile = join(tmpDir, 'profile')
  let chromium = await profileChromium(profile)
  let context = chromium.browser.contexts()[0]!
  let page = await openApp(context, app.url)
  await addTorrentFile(page, swarm)
  await expect.poll(() => percent(page), { timeout: 60_000 }).toBeGreaterThanOrEqual(30)
  await chromium.kill()

  // Reopened on the same profile: before the app runs, write garbage where a piece that was
  // never verified belongs (as if the tab died between writing and verifying it).
  chromium = await profileChromium(profile)
  page = await blankPage(chromium.browser.contexts()[0]!, app.url)
  context = page.context()
  const files = torrentOrder(swarm.files)
  const bitfield = await savedBitfield(page, swarm.infoHash)
  const planted = await page.evaluate(async ({ infoHash, files, pieceLength, bitfield }) => {
    const has = (i: number) => (bitfield[i >> 3]! & (0x80 >> (i & 7))) !== 0
    const verified = [...Array(bitfield.length * 8).keys()].filter(has).length
    const total = files.reduce((sum, f) => sum + f.length, 0)
    let piece = 0
    while (has(piece)) piece++
    let start = piece * pieceLength
    let offset = 0
    const fileIndex = files.findIndex((f) => { const inside = start < offset + f.length && f.length > 0; if (!inside) offset += f.length; return inside })
    const dir = await (await (await navigator.storage.getDirectory()).getDirectoryHandle('torrents')).getDirectoryHandle(infoHash)
    const handle = await dir.getFileHandle(`file-${fileIndex}`, { create: true })
    const writable = await handle.createWritable({ keepExistingData: true })
    const length = Math.min(pieceLength, files[fileIndex]!.length - (start - offset), total - start)
    await writable.write({ type: 'write', position: start - offset, data: new Uint8Array(length).fill(0xab) })
    await writable.close()
    return { piece, verified, length }
  }, { infoHash: swarm.infoHash, files, pieceLength: PIECE, bitfield })
  expect(planted.verified).toBeGreaterThan(30)
  expect(planted.length).toBeGreaterThan(0)

  await page.goto(app.url)
  await expect(item(page).getByTestId('state')).toHaveText(/Downloading|Seeding/, { timeout: 30_000 })
  expect(Number(await bar(page).getAttribute('data-pieces-checked'))).toBeLessThanOrEqual(2 * Object.keys(swarm.sha256).length)
  await expectSavedFilesExact(page, swarm, tmpDir, 'killed')
})

// A resume trusts its saved bitfield without reading every file's size first (fast-resume.ts):
// the storage worker checks them as they are used and once the torrent runs. A file cut short
// and one deleted while the browser was closed must still be found, their pieces downloaded again.
test('files truncated or deleted while the browser was closed are found at resume; their pieces come again, every file exact', async ({ app, swarm, profileChromium, tmpDir }) => {
  const profile = join(tmpDir, 'cut-profile')
  let chromium = await profileChromium(profile)
  let page = await openApp(chromium.browser.contexts()[0]!, app.url)
  await addTorrentFile(page, swarm)
  await expect.poll(() => percent(page), { timeout: 60_000 }).toBeGreaterThanOrEqual(40)
  await chromium.kill()

  chromium = await profileChromium(profile)
  page = await blankPage(chromium.browser.contexts()[0]!, app.url)
  const bitfield = await savedBitfield(page, swarm.infoHash)
  const cut = await page.evaluate(async ({ infoHash, files, pieceLength, bitfield }) => {
    const has = (i: number) => (bitfield[i >> 3]! & (0x80 >> (i & 7))) !== 0
    // each file's verified pieces' starts, in the file's own offsets
    const starts: number[][] = files.map(() => [])
    let offset = 0
    for (const [index, file] of files.entries()) {
      for (let piece = Math.floor(offset / pieceLength); piece * pieceLength < offset + file.length; piece++) {
        if (has(piece)) starts[index]!.push(Math.max(0, piece * pieceLength - offset))
      }
      offset += file.length
    }
    const holding = files.flatMap((_, index) => (starts[index]!.length ? [index] : []))
    const dir = await (await (await navigator.storage.getDirectory()).getDirectoryHandle('torrents')).getDirectoryHandle(infoHash)
    // the largest file that holds verified pieces, cut where its last one starts
    const truncated = holding.reduce((a, b) => (files[b]!.length > files[a]!.length ? b : a))
    const at = starts[truncated]!.at(-1)!
    const writable = await (await dir.getFileHandle(`file-${truncated}`)).createWritable({ keepExistingData: true })
    await writable.truncate(at)
    await writable.close()
    // and another one, deleted
    const deleted = holding.find((index) => index !== truncated)
    if (deleted !== undefined) await dir.removeEntry(`file-${deleted}`)
    return { truncated, at, deleted, holding: holding.length }
  }, { infoHash: swarm.infoHash, files: torrentOrder(swarm.files), pieceLength: PIECE, bitfield })
  expect(cut.holding, JSON.stringify(cut)).toBeGreaterThanOrEqual(2)

  await page.goto(app.url)
  await expectSavedFilesExact(page, swarm, tmpDir, 'cut')
})

test('a full disk pauses the torrent with a clear message, loses nothing verified, and more space lets it finish', async ({ app, swarm, profileChromium, tmpDir }) => {
  // Chromium applies a quota override only to a real profile (not to Playwright's incognito
  // contexts), and navigator.storage.estimate() does not reflect it: the estimate is replaced
  // by one that reports the overridden quota, the only mock here.
  const chromium = await profileChromium(join(tmpDir, 'quota-profile'))
  const context = chromium.browser.contexts()[0]!
  await context.addInitScript(() => {
    const real = navigator.storage.estimate.bind(navigator.storage)
    navigator.storage.estimate = async () => {
      const estimate = await real()
      const quota = Number(localStorage.getItem('test-quota')) || estimate.quota
      return { ...estimate, quota }
    }
  })
  const origin = new URL(app.url).origin
  const setQuota = async (page: Page, bytes: number) => {
    await (await context.newCDPSession(page)).send('Storage.overrideQuotaForOrigin', { origin, quotaSize: bytes })
    await page.evaluate((q) => localStorage.setItem('test-quota', String(q)), bytes)
  }
  const page = await openApp(context, app.url)
  await setQuota(page, 24 * 1024 * 1024)
  await addTorrentFile(page, swarm)
  // Said before starting, then again when storage is full.
  await expect(page.getByRole('alert').filter({ hasText: 'needs' })).toBeVisible()
  await expect(item(page).getByTestId('state')).toHaveText(/Paused: .*storage.*full/i, { timeout: 90_000 })
  await page.screenshot({ path: `${SCREENSHOTS}/quota-paused.png` })
  await expectAccessible(page, 'error (storage full, paused)')
  const verifiedWhenFull = Number(await bar(page).getAttribute('data-pieces-verified'))

  await setQuota(page, 1024 * 1024 * 1024)
  await expect(item(page).getByTestId('state')).toHaveText(/Downloading|Seeding/, { timeout: 30_000 })
  expect(Number(await bar(page).getAttribute('data-pieces-verified'))).toBeGreaterThanOrEqual(verifiedWhenFull)
  await expectSavedFilesExact(page, swarm, tmpDir, 'quota')
})

test('two tabs: one engine; the second tab shows progress and controls it, and takes over when the first closes', async ({ app, swarm, openPage }) => {
  const first = await openPage(app)
  const context = first.context()
  const second = await context.newPage()
  await second.goto(app.url)
  await expect(second.getByText('This app is running in another tab')).toBeVisible()
  expect(await first.evaluate(() => document.documentElement.dataset.engine)).toBe('here')
  expect(await second.evaluate(() => document.documentElement.dataset.engine)).toBe('other-tab')

  await addTorrentFile(second, swarm) // added through the second tab, run by the first
  await expect(item(first)).toBeVisible()
  await expect.poll(() => percent(second), { timeout: 60_000 }).toBeGreaterThan(5)
  await second.screenshot({ path: `${SCREENSHOTS}/second-tab.png` })
  await expectAccessible(second, 'second tab')
  await item(second).getByRole('button', { name: `Pause ${swarm.name}` }).click()
  await expect(item(first).getByTestId('state')).toHaveText('Paused')

  await first.close()
  await expect.poll(() => second.evaluate(() => document.documentElement.dataset.engine).catch(() => 'navigating'), { timeout: 15_000 }).toBe('here')
  await expect(item(second).getByTestId('state')).toHaveText('Paused')
})
