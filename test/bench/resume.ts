/**
 * Resume of a half-done torrent: this app's fast resume (reload the page; it trusts the saved
 * bitfield and checks a sample) against a full re-hash ("More" → "Re-check", which hashes every
 * piece on disk as stock webtorrent does for a torrent added without resume data), in one run.
 *
 * The half-done torrent is real: a webtorrent seeder in Node seeds generated files, the page
 * downloads them into OPFS until half the pieces are verified, then the seeder stops (no peer
 * is left, so nothing changes on disk while we measure). Size: BENCH_RESUME_GIB (default 4).
 */
import { pathToFileURL } from 'node:url'
import type { Browser, Page } from '@playwright/test'
import { allowWebRtc, launchChromium } from '../support/browser'
import { spawnSeeder } from '../support/seeder-process'
import { startApp } from '../e2e/harness'
import { askFilesOff } from './app-page'

const MiB = 1024 * 1024
const GiB = 1024 * MiB
const PIECE = 1 * MiB
const TIMEOUT_MS = 30 * 60_000

interface Reading { state: string; verified: number; checked: number; percent: number }

async function read(page: Page): Promise<Reading> {
  const state = (await page.getByTestId('state').first().textContent({ timeout: 1000 }).catch(() => '')) ?? ''
  const bar = page.getByRole('progressbar').first()
  const attr = async (name: string) => Number((await bar.getAttribute(name, { timeout: 1000 }).catch(() => '0')) ?? 0)
  return { state: state.trim(), verified: await attr('data-pieces-verified'), checked: await attr('data-pieces-checked'), percent: await attr('aria-valuenow') }
}

async function until(page: Page, what: string, predicate: (r: Reading) => boolean, pollMs = 50): Promise<Reading> {
  const deadline = Date.now() + TIMEOUT_MS
  for (;;) {
    const reading = await read(page)
    if (predicate(reading)) return reading
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(reading)})`)
    await page.waitForTimeout(pollMs)
  }
}

export interface ResumeFigures { sizeGiB: number; pieces: number; verified: number; fastMs: number; fastChecked: number; fullMs: number; fullChecked: number }

export async function measureResume(browser: Browser, sizeGiB: number, log: (line: string) => void = console.log): Promise<ResumeFigures> {
  log(`bench resume: seeding ${sizeGiB} GiB…`)
  const seeder = await spawnSeeder({ name: `bench resume ${sizeGiB} GiB`, sizeMiB: sizeGiB * 1024, pieceLength: PIECE, timeoutMs: 20 * 60_000 })
  const app = await startApp([seeder.info.wsUrl!])
  const context = await browser.newContext()
  let seederStopped = false
  try {
    await allowWebRtc(context, new URL(app.url).origin)
    const page = await context.newPage()
    await page.goto(app.url)
    await page.getByText('No torrents yet').waitFor()
    // A fresh context's quota is a share of the disk; make sure the whole torrent fits.
    await (await context.newCDPSession(page)).send('Storage.overrideQuotaForOrigin', { origin: new URL(app.url).origin, quotaSize: (sizeGiB + 2) * GiB })
    await askFilesOff(page)
    await page.getByLabel('Magnet link, info hash or torrent URL').fill(seeder.info.magnetURI)
    await page.getByRole('button', { name: 'Add', exact: true }).click()
    const started = Date.now()
    await until(page, 'half the torrent', (r) => r.percent >= 50, 200)
    await seeder.stop()
    seederStopped = true
    log(`bench resume: half done after ${((Date.now() - started) / 1000).toFixed(0)} s; seeder stopped`)
    await page.waitForTimeout(3000) // resume data is written within a second of each verified piece
    const half = await read(page)
    const pieces = Math.ceil(seeder.info.length / PIECE)
    log(`bench resume: ${half.verified} pieces verified (${half.percent}%), state ${half.state}`)

    // Fast resume: from the reload until the torrent is back in Downloading with its pieces counted.
    let t0 = Date.now()
    await page.reload()
    const fast = await until(page, 'fast resume', (r) => r.state.startsWith('Downloading') && r.verified >= half.verified)
    const fastMs = Date.now() - t0
    log(`bench resume: fast resume ${fastMs} ms, ${fast.checked} pieces hashed`)

    // Full re-hash of the same data on disk.
    const name = await page.getByRole('listitem').first().getAttribute('aria-label')
    await page.getByRole('listitem').first().getByLabel(`More actions for ${name}`).click()
    t0 = Date.now()
    await page.getByRole('button', { name: `Re-check ${name}` }).click()
    await until(page, 're-check to start', (r) => r.state === 'Checking' || r.verified < half.verified, 20)
    const full = await until(page, 're-check', (r) => r.state.startsWith('Downloading') && r.verified >= half.verified)
    const fullMs = Date.now() - t0
    log(`bench resume: full re-hash ${fullMs} ms, ${full.checked} pieces hashed`)
    return { sizeGiB, pieces, verified: half.verified, fastMs, fastChecked: fast.checked, fullMs, fullChecked: full.checked }
  } finally {
    await context.close()
    await app.close()
    if (!seederStopped) await seeder.stop()
  }
}

function markdownOf(runs: ResumeFigures[]): string {
  const rows = runs.map((r) => `| ${r.sizeGiB} GiB (${r.pieces} × 1 MiB pieces, ${r.verified} verified) | ${(r.fastMs / 1000).toFixed(2)} s (${r.fastChecked} pieces hashed) | ${(r.fullMs / 1000).toFixed(2)} s (${r.fullChecked} pieces hashed) | ${(r.fullMs / r.fastMs).toFixed(1)}× |`)
  return `## Resuming a half-done torrent

A webtorrent seeder in Node seeds generated files; the page downloads them into OPFS until half the pieces are verified,
then the seeder stops. **Fast resume**: the page is reloaded; timed from the reload until the torrent is back in
Downloading with all its verified pieces counted (it trusts the saved bitfield and hashes a sample). **Full re-hash**:
"More" → "Re-check" on the same data, which hashes every piece on disk, as stock webtorrent does for a torrent added
without resume data; timed from the click until Downloading with the same pieces counted.

| torrent | fast resume | full re-hash | ratio |
|---|---|---|---|
${rows.join('\n')}

Target: fast resume at least 20 times faster than a full re-hash.
`
}

/** For `npm run bench`: BENCH_RESUME_GIB (default 4; a comma list such as "1,2" measures each). */
export async function benchResume(browser: Browser): Promise<{ markdown: string; runs: ResumeFigures[] }> {
  const sizes = (process.env.BENCH_RESUME_GIB ?? '4').split(',').map(Number).filter((n) => n > 0)
  const runs: ResumeFigures[] = []
  for (const size of sizes) runs.push(await measureResume(browser, size))
  return { markdown: markdownOf(runs), runs }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const browser = await launchChromium()
  try {
    const { markdown } = await benchResume(browser)
    console.log(markdown)
  } finally {
    await browser.close()
  }
}
