/**
 * Issue 17's two long-task phases alone, with V8's sampling profiler in the trace
 * (long-task-profile.ts): 1,000 .torrent files dropped on the page at once until all are listed,
 * then a reload until the list shows them all and 5 s after. No seeder: what is measured is the
 * page's own work of adding and restoring (the trackers are a local one, reached by nobody).
 *
 *   unshare -n bash -c 'ip link set lo up && BENCH_APP_DIR=DIR node --import tsx test/bench/add-reload-profile.ts'
 *
 * DIR: an unminified build (`npx vite build --minify false --outDir DIR`) for readable function names.
 * BENCH_ADD_BY=drop adds them with Chromium's drag events (drop-files.ts), as a person's drop;
 * the default is "Open torrent file" (Playwright's setInputFiles).
 * Then the list's own cost at that size: the longest main-thread task of a reload until every row is
 * drawn, of every row drawn anew (the name filter emptied, then cleared), and of one refresh in which
 * every torrent's snapshot changes (BENCH_SCALE_SMALL=50: the longest list drawn whole,
 * core/download-manager/list-window.ts DRAW_ALL_UP_TO; 100 was, until measured so).
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { allowWebRtc, launchChromium } from '../support/browser'
import { isMain } from '../support/is-main'
import { startTracker } from '../support/tracker'
import { startApp } from '../e2e/harness'
import { profileLongTasks, type LongTaskProfile } from './long-task-profile'
import { profileMainThread } from './main-thread-trace'
import { setQuota, untilList } from './scale-page'
import { DRAW_ALL_UP_TO } from '../../src/core/download-manager/list-window'
import { randomBytes, sameBytesTorrents } from './scale-torrents'
import { dropFiles } from './drop-files'

const COUNT = Number(process.env.BENCH_SCALE_SMALL ?? 1000)

function show(what: string, p: LongTaskProfile): void {
  console.log(`${what}: ${p.longTasks.length} tasks of 50 ms and over: ${p.longTasks.join(', ')} ms`)
  console.log(`${what}: ${p.cpuLongTasks.length} tasks of 50 ms and over of the thread's own CPU time: ${p.cpuLongTasks.join(', ')} ms`)
  console.log('  self time in them (ms):')
  for (const [fn, ms] of p.self.slice(0, 15)) console.log(`    ${String(ms).padStart(6)}  ${fn}`)
  console.log('  inclusive (ms):')
  for (const [fn, ms] of p.inclusive.slice(0, 25)) console.log(`    ${String(ms).padStart(6)}  ${fn}`)
  console.log('  trace events in them (inclusive, ms):')
  for (const [name, ms] of p.events.slice(0, 15)) console.log(`    ${String(ms).padStart(6)}  ${name}`)
}

if (isMain(import.meta.url)) {
  const dir = await mkdtemp(join(tmpdir(), 'add-reload-'))
  const tracker = await startTracker({ intervalMs: 60_000 })
  const browser = await launchChromium()
  const appDir = process.env.BENCH_APP_DIR
  const app = await startApp([tracker.wsUrl], 0, appDir ? ['--app-dir', appDir] : [])
  try {
    const names = Array.from({ length: COUNT }, (_, i) => `Profile ${String(i + 1).padStart(4, '0')}`)
    const made = await sameBytesTorrents(dir, names, randomBytes(32 * 1024), 16 * 1024, tracker.httpUrl)
    const context = await browser.newContext()
    const origin = new URL(app.url).origin
    await allowWebRtc(context, origin)
    const page = await context.newPage()
    await page.goto(app.url)
    await page.getByText('No torrents yet').waitFor()
    await setQuota(context, page, origin, 4 * 1024 ** 3)
    let addSeconds = 0
    const add = await profileLongTasks(browser, page, async () => {
      const began = Date.now()
      const files = made.map((t) => t.file)
      if (process.env.BENCH_ADD_BY === 'drop') await dropFiles(context, page, files)
      else await page.getByLabel('Open torrent file').setInputFiles(files)
      await untilList(page, 'every torrent listed', (s) => s.count === COUNT, 600_000, 250)
      addSeconds = (Date.now() - began) / 1000
      await page.waitForTimeout(2000)
    })
    console.log(`added ${COUNT} in ${addSeconds.toFixed(1)} s`)
    show('add', add)
    await page.waitForTimeout(5000)
    let reloadSeconds = 0
    const reload = await profileLongTasks(browser, page, async () => {
      const began = Date.now()
      await page.reload()
      await untilList(page, 'the list after a reload', (s) => s.shown === COUNT && s.rows > 0, 120_000, 50)
      reloadSeconds = (Date.now() - began) / 1000
      await page.waitForTimeout(5000)
    })
    console.log(`reload to list ${reloadSeconds.toFixed(2)} s`)
    show('reload', reload)
    await page.waitForTimeout(5000)
    // a list drawn whole has all its rows; a windowed one those near the view
    const allDrawn = (s: { shown: number; rows: number }) => s.shown === COUNT && s.rows > 0 && (COUNT > DRAW_ALL_UP_TO || s.rows === COUNT)
    let drawn = 0
    const shown = await profileMainThread(browser, page, async () => {
      await page.reload()
      drawn = (await untilList(page, 'the rows after a reload', allDrawn, 120_000, 50)).rows
      await page.waitForTimeout(2000)
    })
    // every row made anew, the page loaded: the name filter emptied the list, then cleared
    const search = page.getByRole('searchbox', { name: 'Filter torrents by name' })
    await search.fill('no torrent is named so')
    await untilList(page, 'no row', (s) => s.rows === 0, 30_000, 50)
    await page.waitForTimeout(1000)
    const fromNone = await profileMainThread(browser, page, async () => {
      await search.fill('')
      await untilList(page, 'the rows again', allDrawn, 30_000, 50)
      await page.waitForTimeout(1000)
    })
    // every row's snapshot changed at once: what a tick in which all of them download asks of the list
    const refreshed = await profileMainThread(browser, page, async () => {
      await page.evaluate(() => {
        const app = document.querySelector('bt-app') as unknown as { torrents: { downloaded: number }[] }
        app.torrents = app.torrents.map((t) => ({ ...t, downloaded: t.downloaded + 1 }))
      })
      await page.waitForTimeout(1000)
    })
    console.log(`list of ${COUNT}, ${drawn} rows drawn: longest task from a reload until drawn ${shown.longestMs.toFixed(0)} ms (${shown.longestCpuMs.toFixed(0)} ms own CPU); every row drawn anew (the name filter cleared) ${fromNone.longestMs.toFixed(0)} ms (${fromNone.longestCpuMs.toFixed(0)} ms); of a refresh of every row ${refreshed.longestMs.toFixed(0)} ms (${refreshed.longestCpuMs.toFixed(0)} ms own CPU)`)
    await context.close()
  } finally {
    await app.close()
    await browser.close()
    await tracker.close()
    await rm(dir, { recursive: true, force: true })
  }
}
