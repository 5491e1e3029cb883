import { expect, test, type Browser, type Page } from '@playwright/test'
import type { RunningServer } from '../../bridge/server'
import { launchChromium } from '../support/browser'
import { torrentOrder } from '../support/fixtures'
import { SCREENSHOTS, openApp, startApp, startSwarm, type Swarm, confirmAddDialog } from './harness'

const PIECE = 256 * 1024
let browser: Browser
let swarm: Swarm
let app: RunningServer

test.beforeAll(async () => {
  swarm = await startSwarm({ name: 'Manager Fixture', sizeMiB: 64, uploadLimit: 5_000_000 })
  app = await startApp([swarm.wsUrl])
  browser = await launchChromium()
})

test.afterAll(async () => {
  await browser?.close()
  await app?.close()
  await swarm?.stop()
})

const item = (page: Page) => page.getByRole('listitem', { name: swarm.name })
const bar = (page: Page) => item(page).getByRole('progressbar')
const percent = async (page: Page) => Number(await bar(page).getAttribute('aria-valuenow'))

async function addTorrentFile(page: Page): Promise<void> {
  await page.getByLabel('Open torrent file').setInputFiles({ name: 'fixture.torrent', mimeType: 'application/x-bittorrent', buffer: swarm.torrentFile })
  await confirmAddDialog(page)
}

test('a skipped file is not downloaded; the others complete', async () => {
  const page = await openApp(await browser.newContext(), app.url)
  await addTorrentFile(page)
  await item(page).getByRole('button', { name: `Pause ${swarm.name}` }).click()
  await expect(item(page).getByTestId('state')).toHaveText('Paused')
  const files = torrentOrder(swarm.files)
  const skipped = files.reduce((best, file, index) => (file.length > files[best]!.length ? index : best), 0)
  const skippedName = files[skipped]!.path.split('/').pop()!
  await item(page).getByRole('button', { name: `Files of ${swarm.name}`, exact: true }).click()
  await item(page).getByLabel(`Priority of ${skippedName}`).selectOption('0')
  await item(page).getByRole('button', { name: `Resume ${swarm.name}` }).click()
  await expect(item(page).getByTestId('state')).toHaveText('Seeding', { timeout: 120_000 })
  await page.screenshot({ path: `${SCREENSHOTS}/file-skipped.png`, fullPage: true })
  await expect(item(page).getByRole('button', { name: `Save ${skippedName}`, exact: true })).toBeDisabled()

  // On disk, the skipped file holds at most the pieces it shares with its neighbours.
  const offset = files.slice(0, skipped).reduce((sum, f) => sum + f.length, 0)
  const length = files[skipped]!.length
  const headroom = { before: PIECE - (offset % PIECE), after: (offset + length) % PIECE || PIECE }
  const written = await page.evaluate(async ({ infoHash, index, headroom, length }) => {
    const dir = await (await (await navigator.storage.getDirectory()).getDirectoryHandle('torrents')).getDirectoryHandle(infoHash)
    let file: File
    try { file = await (await dir.getFileHandle(`file-${index}`)).getFile() } catch { return 0 }
    const inner = new Uint8Array(await file.slice(headroom.before, Math.max(headroom.before, length - headroom.after)).arrayBuffer())
    return inner.reduce((count, byte) => count + (byte !== 0 ? 1 : 0), 0)
  }, { infoHash: swarm.infoHash, index: skipped, headroom, length })
  expect(written).toBe(0)
  // The files that were wanted are complete.
  for (const [index, file] of files.entries()) {
    if (index === skipped || file.length === 0) continue
    const name = file.path.split('/').pop()!
    await expect(item(page).getByRole('button', { name: `Save ${name}`, exact: true })).toBeEnabled()
  }
  await page.context().close()
})

test('a download limit holds the speed near the limit, and is kept', async () => {
  const page = await openApp(await browser.newContext(), app.url)
  await page.getByRole('button', { name: 'Settings' }).click()
  await page.getByLabel('Download limit, KiB/s (0 = none)').fill('1024')
  await page.getByLabel('Download limit, KiB/s (0 = none)').dispatchEvent('change')
  await page.getByRole('button', { name: 'Close' }).click()
  await addTorrentFile(page)
  await expect.poll(() => percent(page), { timeout: 60_000 }).toBeGreaterThan(1)
  await page.waitForTimeout(2000)
  const [p0, t0] = [await percent(page), Date.now()]
  await page.waitForTimeout(8000)
  const [p1, t1] = [await percent(page), Date.now()]
  const bytesPerSecond = (((p1 - p0) / 100) * 64 * 1024 * 1024) / ((t1 - t0) / 1000)
  // Behaviour, not a benchmark: generous bounds around 1 MiB/s (unthrottled it runs at 5 MB/s).
  expect(bytesPerSecond).toBeLessThan(1.6 * 1024 * 1024)
  expect(bytesPerSecond).toBeGreaterThan(0.3 * 1024 * 1024)

  await page.reload()
  await page.getByRole('button', { name: 'Settings' }).click()
  await expect(page.getByLabel('Download limit, KiB/s (0 = none)')).toHaveValue('1024')
  await page.screenshot({ path: `${SCREENSHOTS}/settings.png` })
  await page.context().close()
})
