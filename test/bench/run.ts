/**
 * npm run bench: measures this app against its anchors in one run, on one local swarm, and
 * writes docs/BENCHMARKS.md. Figures are noisy on shared machines: read the ratios.
 */
import { writeFile } from 'node:fs/promises'
import { execFileSync } from 'node:child_process'
import type { Browser, Page } from '@playwright/test'
import { CHROMIUM_PATH, allowWebRtc, launchChromium } from '../support/browser'
import { spawnSeeder, type SeederProcess } from '../support/seeder-process'
import { startApp, type RunningApp } from '../e2e/harness'
import { measureDataChannel } from './datachannel'
import { startStockServer } from './stock-server'
import { benchStreaming } from './streaming'
import { benchBridge } from './bridge'
import { benchResume } from './resume'
import { benchHostileTorrents } from './hostile-torrents'
import { benchBridgeScale, scaleMarkdown } from './bridge-scale'
import { benchPageScale, PAGE_SCALE_INTRO, PAGE_SCALE_BEFORE, PAGE_SCALE_DATA_PATH } from './page-scale'
import { benchV2Hashing } from './v2-hashing'
import { askFilesOff } from './app-page'

const MiB = 1024 * 1024
const SPEED_MIB = Number(process.env.BENCH_SPEED_MIB ?? 256)
const MEMORY_MIB = Number(process.env.BENCH_MEMORY_MIB ?? 1024)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const TIMEOUT_MS = 15 * 60_000

interface AppRun { seconds: number; peakHeapMiB: number; longTasks: number; longTaskMs: number }

async function waitFor(page: Page, what: string, predicate: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + TIMEOUT_MS
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await page.waitForTimeout(100)
  }
}

/** This app, driven as a user drives it; samples the page's JS heap and long tasks meanwhile. */
async function appDownload(browser: Browser, app: RunningApp, seeder: SeederProcess): Promise<AppRun> {
  const context = await browser.newContext()
  await allowWebRtc(context, new URL(app.url).origin)
  await context.addInitScript(() => {
    const w = window as unknown as { longTasks: number[] }
    w.longTasks = []
    new PerformanceObserver((list) => { for (const entry of list.getEntries()) w.longTasks.push(entry.duration) })
      .observe({ type: 'longtask', buffered: true })
  })
  const page = await context.newPage()
  await page.goto(app.url)
  await page.getByText('No torrents yet').waitFor()
  const cdp = await context.newCDPSession(page)
  await cdp.send('Performance.enable')
  let peakHeap = 0
  const sampler = setInterval(() => {
    cdp.send('Performance.getMetrics').then(({ metrics }) => {
      const used = metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0
      peakHeap = Math.max(peakHeap, used)
    }).catch(() => {})
  }, 250)
  await askFilesOff(page)
  await page.evaluate(() => { (window as unknown as { longTasks: number[] }).longTasks.length = 0 })
  await page.getByLabel('Magnet link, info hash or torrent URL').fill(seeder.info.magnetURI)
  const start = Date.now()
  await page.getByRole('button', { name: 'Add', exact: true }).click()
  const state = page.getByTestId('state')
  await waitFor(page, 'the app to finish', async () => (await state.textContent().catch(() => '')) === 'Seeding')
  const seconds = (Date.now() - start) / 1000
  clearInterval(sampler)
  const longTasks = await page.evaluate(() => (window as unknown as { longTasks: number[] }).longTasks)
  await context.close()
  return { seconds, peakHeapMiB: peakHeap / MiB, longTasks: longTasks.length, longTaskMs: longTasks.reduce((a, b) => a + b, 0) }
}

/** Stock webtorrent.min.js with its default store (what instant.io does). */
async function stockDownload(browser: Browser, stockUrl: string, seeder: SeederProcess): Promise<number> {
  const context = await browser.newContext()
  await allowWebRtc(context, new URL(stockUrl).origin)
  const page = await context.newPage()
  const query = new URLSearchParams({ magnet: seeder.info.magnetURI, tracker: seeder.info.wsUrl! })
  await page.goto(`${stockUrl}?${query}`)
  await page.waitForFunction(() => 'startDownload' in window)
  const start = Date.now()
  await page.evaluate(() => (window as unknown as { startDownload(): void }).startDownload())
  await waitFor(page, 'stock webtorrent to finish', async () => {
    const bench = await page.evaluate(() => (window as unknown as { bench: { done: boolean; error: string | null } }).bench)
    if (bench.error) throw new Error(`stock webtorrent failed: ${bench.error}`)
    return bench.done
  })
  const seconds = (Date.now() - start) / 1000
  await context.close()
  return seconds
}

const mbps = (bytes: number, seconds: number) => bytes / seconds / 1e6
const fmt = (n: number, digits = 1) => n.toFixed(digits)
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!

async function main(): Promise<void> {
  const chromium = execFileSync(CHROMIUM_PATH, ['--version']).toString().trim()
  console.log(`bench: ${chromium}; ${SPEED_MIB} MiB speed runs x${ROUNDS}, ${MEMORY_MIB} MiB memory run`)
  const browser = await launchChromium()
  const stock = await startStockServer()

  console.log('bench: raw data channel…')
  const channelBytesPerSecond = await measureDataChannel(browser, stock.url, 256 * MiB)

  console.log(`bench: seeding ${SPEED_MIB} MiB…`)
  const speedSeeder = await spawnSeeder({ name: 'bench speed', sizeMiB: SPEED_MIB, pieceLength: 256 * 1024 })
  const app = await startApp([speedSeeder.info.wsUrl!])
  const appTimes: number[] = []
  const stockTimes: number[] = []
  for (let round = 1; round <= ROUNDS; round++) {
    // Alternate who goes first, so neither always meets a warm seeder.
    const order = round % 2 ? ['app', 'stock'] : ['stock', 'app']
    for (const who of order) {
      if (who === 'app') appTimes.push((await appDownload(browser, app, speedSeeder)).seconds)
      else stockTimes.push(await stockDownload(browser, stock.url, speedSeeder))
      console.log(`bench: round ${round} ${who}: ${fmt(who === 'app' ? appTimes.at(-1)! : stockTimes.at(-1)!)} s`)
    }
  }
  await app.close()
  await speedSeeder.stop()

  console.log(`bench: seeding ${MEMORY_MIB} MiB for the memory run…`)
  const bigSeeder = await spawnSeeder({ name: 'bench memory', sizeMiB: MEMORY_MIB, pieceLength: 1024 * 1024 })
  const bigApp = await startApp([bigSeeder.info.wsUrl!])
  const big = await appDownload(browser, bigApp, bigSeeder)
  await bigApp.close()
  await bigSeeder.stop()
  await stock.close()
  console.log('bench: streaming…')
  const streaming = await benchStreaming(browser)
  console.log('bench: resume of a half-done torrent…')
  const resume = await benchResume(browser)
  console.log('bench: the bridge against aria2c…')
  const bridge = await benchBridge(browser)
  console.log('bench: the main thread while adding hostile .torrent files…')
  const hostile = await benchHostileTorrents(browser)
  console.log('bench: BitTorrent v2 re-check against v1 (4 GiB in a worker)…')
  const v2Hashing = await benchV2Hashing(browser)
  console.log('bench: the page with 1,000 torrents, and a 100 GiB torrent of 10,000 files…')
  const pageScale = await benchPageScale(browser)
  await browser.close()
  console.log('bench: the bridge with 1,000 peer connections…')
  const scale = scaleMarkdown(await benchBridgeScale())

  const speedBytes = SPEED_MIB * MiB
  const appMBps = mbps(speedBytes, median(appTimes))
  const stockMBps = mbps(speedBytes, median(stockTimes))
  const channelMBps = channelBytesPerSecond / 1e6
  const report = `# Benchmarks

Written by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)} (${chromium}, Node ${process.version},
${execFileSync('nproc').toString().trim()} cores). Everything on loopback, in one run: one local WebSocket tracker and
one webtorrent seeder in Node (WebRTC through @roamhq/wrtc). These machines are noisy: compare the ratios, not the
absolute figures. Median of ${ROUNDS} rounds, alternating which client goes first.

## Download speed from a WebRTC seeder (${SPEED_MIB} MiB, 256 KiB pieces)

| client | MB/s | ratio to stock |
|---|---|---|
| this app (OPFS storage worker) | ${fmt(appMBps)} | ${fmt(appMBps / stockMBps, 2)} |
| stock \`webtorrent.min.js\`, default store (what instant.io does) | ${fmt(stockMBps)} | 1.00 |
| raw data channel between two pages of the same browser (ceiling) | ${fmt(channelMBps)} | ${fmt(channelMBps / stockMBps, 2)} |

Rounds (seconds): app ${appTimes.map((t) => fmt(t)).join(', ')}; stock ${stockTimes.map((t) => fmt(t)).join(', ')}.
Target: ratio at least 1.0, aim 1.5.

## Memory and main thread while downloading ${MEMORY_MIB} MiB (1 MiB pieces)

| measure | this app | target |
|---|---|---|
| download speed | ${fmt(mbps(MEMORY_MIB * MiB, big.seconds))} MB/s | |
| peak JS heap of the page (CDP \`Performance.getMetrics\`, sampled every 250 ms) | ${fmt(big.peakHeapMiB)} MiB | under 150 MB |
| main-thread long tasks over 50 ms | ${big.longTasks} tasks, ${fmt(big.longTaskMs, 0)} ms in all over ${fmt(big.seconds, 0)} s | |

${streaming.markdown}
${resume.markdown}
${bridge.markdown}
${hostile.markdown}
${scale}
${PAGE_SCALE_INTRO}
${pageScale.markdown}
${PAGE_SCALE_BEFORE}
${PAGE_SCALE_DATA_PATH}
${v2Hashing.markdown}`
  await writeFile('docs/BENCHMARKS.md', report)
  console.log(report)
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
