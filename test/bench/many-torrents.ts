/**
 * Issue 17, point 1: 1,000 torrents in the list, 50 of them downloading. 950 small torrents
 * (32 KiB) and 50 larger ones (32 MiB) are generated with real piece hashes; two webtorrent
 * seeders in Node serve them over TCP (found through a local HTTP tracker, reached through the
 * bridge), the larger ones throttled so that they keep downloading while the page is measured.
 * All 1,000 .torrent files are dropped on the page at once (Chromium's own drag events,
 * drop-files.ts); the small ones download and seed; then the page is measured while the 50 download,
 * idle (those 50 paused, 950 seeding), and across a reload. Last, the same 1,000 through "Open
 * torrent file" (Playwright's setInputFiles) in a fresh context, for the longest task of that path.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser } from '@playwright/test'
import { allowWebRtc } from '../support/browser'
import { spawnJsonLines, type JsonLinesChild } from '../support/json-lines-child'
import { startTracker } from '../support/tracker'
import type { TorrentSetSpec } from '../support/torrent-set-seeder'
import { startApp } from '../e2e/harness'
import { profileMainThread, type MainThreadProfile } from './main-thread-trace'
import { countTimerCallers, resetTimerCallers, topTimerCallers } from './timer-callers'
import { profileFunctions, type SelfTime } from './cpu-profile'
import { changeSettings, endReached, heapSampler, indexedDbBytes, readList, setQuota, untilList } from './scale-page'
import { randomBytes, sameBytesTorrents, type MadeTorrent } from './scale-torrents'
import { dropFiles } from './drop-files'
import { countPeerConnections, peerConnectionsMade } from './peer-connection-count'
import { snapshotAroundPause } from './pause-heap-diff'
import { PROGRESS_TICK_MS } from '../../src/core/download-manager/snapshot-cadence'

const KiB = 1024
const MiB = 1024 * KiB
const SMALL = Number(process.env.BENCH_SCALE_SMALL ?? 950)
const ACTIVE = Number(process.env.BENCH_SCALE_ACTIVE ?? 50)
/** What the seeder of the 50 sends in all, bytes/s: slow enough that they download for minutes. */
const ACTIVE_UPLOAD_LIMIT = 2_000_000
const WINDOW_MS = Number(process.env.BENCH_SCALE_WINDOW_MS ?? 20_000)
/** The engine's progress tick, whose tasks are the UI refreshes; BENCH_REFRESH_MS=250 for a build before round s8 (BENCH_APP_DIR). */
const REFRESH_MS = Number(process.env.BENCH_REFRESH_MS ?? PROGRESS_TICK_MS)
/**
 * From all 50 downloading to the window measured "while 50 download". 10 s until round s8: the
 * last of the 50 had just started, and the window held their starts (each torrent's first three
 * announces make 5, 2 and 1 WebRTC offers: ~250 RTCPeerConnections in it). 40 s: past them at the
 * bench's 12 s announces, so the window is of 50 torrents downloading. BENCH_SCALE_DOWNLOADING_SETTLE_MS=10000 as before.
 */
const DOWNLOADING_SETTLE_MS = Number(process.env.BENCH_SCALE_DOWNLOADING_SETTLE_MS ?? 40_000)
const SETTLE_MS = 2000
const FILL_MS = Number(process.env.BENCH_SCALE_FILL_MS ?? 10 * 60_000)

export interface ManyTorrentsFigures {
  torrents: number
  active: number
  /** Dropping every .torrent at once (drag events), until the list holds them all. */
  addSeconds: number
  add: MainThreadProfile
  /** The same through "Open torrent file" (setInputFiles, in a fresh context), until listed; undefined if not run. */
  byInput?: { seconds: number; longestMs: number }
  /** Time until the small ones all seed (not a figure of the app alone: the bridge's announce rate bounds it). */
  fillSeconds: number
  /** The torrents by state while the downloading figures were taken. */
  library: Record<string, number>
  /** peerConnections: RTCPeerConnections the page made in the traced window (WebRTC offers, mostly). */
  downloading: MainThreadProfile & { heapMiB: number; downloadMBps: number; functions: SelfTime[]; peerConnections: number }
  idle: MainThreadProfile & { heapMiB: number; functions: SelfTime[] }
  indexedDbMiB: number
  /** From reload until the list shows its count of every torrent and its first rows. */
  reloadSeconds: number
  reload: MainThreadProfile
  /** After the reload, scrolling to the page's end shows the oldest torrent's row. */
  endReached: boolean
}

function spawnSet(dir: string, name: string, torrents: MadeTorrent[], uploadLimit: number): Promise<JsonLinesChild<{ tcpPort: number }>> {
  const specFile = join(dir, `${name}.json`)
  const spec: TorrentSetSpec = { torrents: torrents.map((t) => ({ file: t.file, path: t.path })), uploadLimit }
  return writeFile(specFile, JSON.stringify(spec)).then(async () => {
    const child = spawnJsonLines<{ tcpPort: number }>([process.execPath, '--import', 'tsx', 'test/support/torrent-set-seeder.ts', specFile])
    await child.next((line) => line.tcpPort > 0, 300_000, `the ${name} seeder`)
    return child
  })
}

const names = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `${prefix} ${String(i + 1).padStart(4, '0')}`)

export async function measureManyTorrents(browser: Browser, appArgs: string[] = [], log: (line: string) => void = console.log): Promise<ManyTorrentsFigures> {
  const dir = await mkdtemp(join(tmpdir(), 'scale-many-'))
  // 60 s: WebSocket clients are told a fifth of it (bittorrent-tracker's server), so each of the
  // 1,000 re-announces every 12 s, ten times as often as at the server's default (10 min, 2 min
  // for WebSocket clients): a stress. BENCH_SCALE_TRACKER_INTERVAL_MS measures another.
  const trackerIntervalMs = Number(process.env.BENCH_SCALE_TRACKER_INTERVAL_MS ?? 60_000)
  const tracker = await startTracker({ intervalMs: trackerIntervalMs })
  const children: JsonLinesChild<unknown>[] = []
  try {
    log(`bench scale: generating ${SMALL} + ${ACTIVE} torrents…`)
    const small = await sameBytesTorrents(join(dir, 'small'), names('Scale small', SMALL), randomBytes(32 * KiB), 16 * KiB, tracker.httpUrl)
    const big = await sameBytesTorrents(join(dir, 'big'), names('Scale active', ACTIVE), randomBytes(32 * MiB), 256 * KiB, tracker.httpUrl)
    const smallSeeder = await spawnSet(dir, 'small', small, -1)
    children.push(smallSeeder)
    children.push(await spawnSet(dir, 'big', big, ACTIVE_UPLOAD_LIMIT))
    const app = await startApp([tracker.wsUrl], 0, appArgs)
    const context = await browser.newContext()
    try {
      const origin = new URL(app.url).origin
      await allowWebRtc(context, origin)
      const timerCallers = process.env.BENCH_TIMER_CALLERS === '1'
      if (timerCallers) await countTimerCallers(context) // a diagnostic: slows the page (timer-callers.ts)
      await countPeerConnections(context)
      const page = await context.newPage()
      await page.goto(app.url)
      await page.getByText('No torrents yet').waitFor()
      await setQuota(context, page, origin, 20 * 1024 * MiB)
      // 50 download at once; every complete torrent seeds (0 = no limit)
      await changeSettings(page, { 'Active downloads at most (0 = no limit)': ACTIVE, 'Active seeds at most (0 = no limit)': 0 })
      const total = SMALL + ACTIVE

      // The small ones first: they are added first, so the queue downloads them first.
      const files = [...small, ...big].map((t) => t.file)
      log(`bench scale: dropping ${files.length} .torrent files at once…`)
      let addSeconds = 0
      const add = await profileMainThread(browser, page, async () => {
        const began = Date.now()
        await dropFiles(context, page, files)
        const listed = await untilList(page, 'every torrent listed', (s) => s.count === total, 600_000, 250)
        addSeconds = (Date.now() - began) / 1000
        if (Object.keys(listed.errors).length) log(`bench scale:   in error: ${JSON.stringify(listed.errors)}`)
        await page.waitForTimeout(SETTLE_MS)
      })
      log(`bench scale:   listed in ${addSeconds.toFixed(1)} s, longest task ${add.longestMs.toFixed(0)} ms`)

      // until the small ones seed (or failed: their errors are logged), at most FILL_MS: the
      // measurements below are of a library as it is then
      const fillBegan = Date.now()
      let filled = await readList(page)
      let said = 0
      while (Date.now() - fillBegan < FILL_MS && (filled.states.seeding ?? 0) + (filled.states.error ?? 0) < SMALL) {
        await page.waitForTimeout(2000)
        filled = await readList(page)
        if (Date.now() - said > 30_000) {
          said = Date.now()
          log(`bench scale:   after ${((Date.now() - fillBegan) / 1000).toFixed(0)} s: ${JSON.stringify(filled.states)}`)
        }
      }
      const fillSeconds = (Date.now() - fillBegan) / 1000
      log(`bench scale:   three downloading ones, what the engine knows: ${JSON.stringify(await stuckDiagnostics(page))}`)
      if (Object.keys(filled.errors).length) log(`bench scale:   in error: ${JSON.stringify(filled.errors)}`)
      log(`bench scale:   after ${fillSeconds.toFixed(0)} s: ${JSON.stringify(filled.states)}`)
      // Small ones that did not seed within the fill hold download slots with no peer once their
      // seeder stops: paused here, so that the queue starts the large ones, whose seeder stays,
      // and the figures below are of 50 torrents that really download.
      const unfinished = await page.evaluate(async () => {
        const app = document.querySelector('bt-app') as unknown as { torrents: { infoHash: string; name: string; state: string }[]; engine: { pause(h: string): Promise<void> } }
        const small = app.torrents.filter((t) => t.name.startsWith('Scale small') && t.state !== 'seeding')
        for (const t of small) await app.engine.pause(t.infoHash)
        return small.length
      })
      if (unfinished) log(`bench scale:   ${unfinished} small ones not seeding after the fill: paused, so that the large ones download`)
      await smallSeeder.stop() // the seeding torrents keep no peer: what a quiet library is like
      const running = await untilList(page, `the ${ACTIVE} downloading`, (s) => (s.states.downloading ?? 0) >= ACTIVE, 2 * 60_000, 1000).catch(() => readList(page))
      log(`bench scale:   downloading now: ${JSON.stringify(await downloadingNames(page))}`)
      log(`bench scale:   measured with: ${JSON.stringify(running.states)}`)
      await page.waitForTimeout(DOWNLOADING_SETTLE_MS) // every one of them connected and under way, past its start

      if (timerCallers) {
        await resetTimerCallers(page)
        await page.waitForTimeout(WINDOW_MS)
        log(`bench scale:   downloading, timers by caller:\n    ${await topTimerCallers(page, WINDOW_MS / 1000)}`)
      }
      const before = await downloadedBytes(page)
      const connectionsBefore = await peerConnectionsMade(page)
      let heap = await heapSampler(context, page)
      // the tracker's count of announces in the window: proof the page still re-announces on schedule
      // (1,000 torrents every trackerIntervalMs / 5 for WebSocket clients), whatever times them
      const announced = countAnnounces(tracker.server)
      const downloadingTrace = await profileMainThread(browser, page, () => page.waitForTimeout(WINDOW_MS), REFRESH_MS)
      log(`bench scale:   downloading: the tracker heard ${announced.stop()} announces in the ${(downloadingTrace.windowMs / 1000).toFixed(0)} s window`)
      const peerConnections = await peerConnectionsMade(page) - connectionsBefore
      const downloading = { ...downloadingTrace, heapMiB: await heap.stop(), downloadMBps: (await downloadedBytes(page) - before) / (downloadingTrace.windowMs / 1000) / 1e6, peerConnections, functions: await profileFunctions(page, () => page.waitForTimeout(WINDOW_MS)) }
      logProfile(log, 'downloading', downloading)
      log(`bench scale:   downloading: busy ${(downloading.busyShare * 100).toFixed(1)} % (CPU ${(downloading.cpuShare * 100).toFixed(1)} %), longest ${downloading.longestMs.toFixed(0)} ms (${downloading.longestCpuMs.toFixed(0)} ms own CPU; ${downloading.majorGcCpuMs.length} major GCs, longest ${Math.max(0, ...downloading.majorGcCpuMs).toFixed(0)} ms CPU), heap ${downloading.heapMiB.toFixed(1)} MiB, ${downloading.downloadMBps.toFixed(2)} MB/s, ${downloading.peerConnections} RTCPeerConnections made`)

      const pauseAll = async () => {
        const pausing = await page.evaluate(async () => {
          const app = document.querySelector('bt-app') as unknown as { torrents: { infoHash: string; state: string }[]; engine: { pause(h: string): Promise<void> } }
          const active = app.torrents.filter((t) => t.state === 'downloading' || t.state === 'queued')
          for (const t of active) await app.engine.pause(t.infoHash)
          return active.length
        })
        await untilList(page, 'the active ones paused', (s) => (s.states.paused ?? 0) >= pausing, 60_000)
        await page.waitForTimeout(5000)
      }
      // BENCH_SCALE_TRACE_PAUSE=1: the pause and the 5 s after it traced too (what the idle window's
      // start inherits from it, e.g. a major GC of the paused torrents' garbage); keep it with BENCH_TRACE_SAVE
      // BENCH_PAUSE_HEAP_DIR=DIR: heap snapshots before and after the pause (pause-heap-diff.ts; their collections disturb what follows)
      if (process.env.BENCH_PAUSE_HEAP_DIR) await snapshotAroundPause(context, page, process.env.BENCH_PAUSE_HEAP_DIR, pauseAll, log)
      else if (process.env.BENCH_SCALE_TRACE_PAUSE === '1') {
        const pause = await profileMainThread(browser, page, pauseAll)
        log(`bench scale:   pausing and 5 s after: busy ${(pause.busyShare * 100).toFixed(1)} % (CPU ${(pause.cpuShare * 100).toFixed(1)} %), longest ${pause.longestMs.toFixed(0)} ms`)
      } else await pauseAll()
      heap = await heapSampler(context, page)
      const idleTrace = await profileMainThread(browser, page, () => page.waitForTimeout(WINDOW_MS), REFRESH_MS)
      const idle = { ...idleTrace, heapMiB: await heap.stop(), functions: await profileFunctions(page, () => page.waitForTimeout(WINDOW_MS)) }
      logProfile(log, 'idle', idle)
      log(`bench scale:   idle: busy ${(idle.busyShare * 100).toFixed(1)} % (CPU ${(idle.cpuShare * 100).toFixed(1)} %), longest ${idle.longestMs.toFixed(0)} ms (${idle.longestCpuMs.toFixed(0)} ms own CPU; major GCs in it: ${idle.majorGcCpuMs.map((ms) => `${ms.toFixed(0)} ms CPU`).join(', ') || 'none'}), heap ${idle.heapMiB.toFixed(1)} MiB`)
      const indexedDbMiB = (await indexedDbBytes(page)) / MiB

      let reloadSeconds = 0
      const reload = await profileMainThread(browser, page, async () => {
        const began = Date.now()
        await page.reload()
        // what a person sees: the count of all of them, and the first rows
        await untilList(page, 'the list after a reload', (s) => s.shown === total && s.rows > 0, 120_000, 50)
        reloadSeconds = (Date.now() - began) / 1000
        await page.waitForTimeout(5000) // what the restart of 950 seeding torrents costs after it
      })
      const reachedEnd = await endReached(page)
      log(`bench scale:   reload to list ${reloadSeconds.toFixed(2)} s, longest task ${reload.longestMs.toFixed(0)} ms (${reload.longTasks} of 50 ms and over); IndexedDB ${indexedDbMiB.toFixed(1)} MiB; scrolled to the end, the oldest torrent shown: ${reachedEnd}`)
      await context.close() // its 1,000 torrents stopped: the second add runs alone
      const byInput = process.env.BENCH_SCALE_INPUT_ROW === '0' ? undefined : await addByFileInput(browser, app.url, files, total, log)
      return { torrents: total, active: ACTIVE, addSeconds, add, byInput, fillSeconds, library: running.states, downloading, idle, indexedDbMiB, reloadSeconds, reload, endReached: reachedEnd }
    } finally {
      await context.close()
      await app.close()
    }
  } finally {
    for (const child of children) await child.stop()
    await tracker.close()
    await rm(dir, { recursive: true, force: true })
  }
}

/**
 * The same .torrent files through "Open torrent file" in a fresh context (its own storage: an empty
 * list): Playwright's setInputFiles, whose `DOM.setFileInputFiles` makes the File objects in a task
 * of Chromium's own before any page script runs. Until listed, then the context is closed.
 */
async function addByFileInput(browser: Browser, url: string, files: string[], total: number, log: (line: string) => void): Promise<{ seconds: number; longestMs: number }> {
  const context = await browser.newContext()
  try {
    await allowWebRtc(context, new URL(url).origin)
    const page = await context.newPage()
    await page.goto(url)
    await page.getByText('No torrents yet').waitFor()
    await setQuota(context, page, new URL(url).origin, 20 * 1024 * MiB)
    let seconds = 0
    const trace = await profileMainThread(browser, page, async () => {
      const began = Date.now()
      await page.getByLabel('Open torrent file').setInputFiles(files)
      await untilList(page, 'every torrent listed (file input)', (s) => s.count === total, 600_000, 250)
      seconds = (Date.now() - began) / 1000
      await page.waitForTimeout(SETTLE_MS)
    })
    log(`bench scale:   through "Open torrent file": listed in ${seconds.toFixed(1)} s, longest task ${trace.longestMs.toFixed(0)} ms`)
    return { seconds, longestMs: trace.longestMs }
  } finally {
    await context.close()
  }
}

/** The top functions by self time (a window of their own, after the traced one) and the timers. */
function logProfile(log: (line: string) => void, phase: string, p: MainThreadProfile & { functions: SelfTime[] }): void {
  log(`bench scale:   ${phase}, top self time: ${p.functions.map((f) => `${f.where} ${(f.share * 100).toFixed(1)}%`).join(' | ')}`)
  log(`bench scale:   ${phase}, timers (timeout ms × timers: fires/s, task ms in the window): ${p.timers.slice(0, 15).map((t) => `${t.timeoutMs}${t.singleShot ? ' once' : ''} × ${t.timers}: ${t.firesPerSecond.toFixed(1)}/s, ${t.taskMs.toFixed(0)} ms`).join(' | ')}`)
}

/** How many of the downloading ones are large and small (the small ones' seeder is stopped by now). */
function downloadingNames(page: import('@playwright/test').Page): Promise<{ large: number; small: number }> {
  return page.evaluate(() => {
    const app = document.querySelector('bt-app') as unknown as { torrents: { name: string; state: string }[] }
    const downloading = app.torrents.filter((t) => t.state === 'downloading')
    return { large: downloading.filter((t) => t.name.startsWith('Scale active')).length, small: downloading.filter((t) => t.name.startsWith('Scale small')).length }
  })
}

function downloadedBytes(page: import('@playwright/test').Page): Promise<number> {
  return page.evaluate(() => {
    const app = document.querySelector('bt-app') as unknown as { torrents: { downloaded: number }[] }
    return app.torrents.reduce((sum, t) => sum + t.downloaded, 0)
  })
}

/** The Diagnostics view's figures (wires, candidates, trackers) of three downloading torrents: why they wait. */
function stuckDiagnostics(page: import('@playwright/test').Page): Promise<unknown[]> {
  return page.evaluate(async () => {
    const app = document.querySelector('bt-app') as unknown as { torrents: { infoHash: string; name: string; state: string }[]; engine: { diagnostics(h: string): Promise<unknown>; trackers(h: string): Promise<unknown> } }
    const some = app.torrents.filter((t) => t.state === 'downloading').slice(0, 3)
    return Promise.all(some.map(async (t) => ({ name: t.name, trackers: await app.engine.trackers(t.infoHash), diagnostics: await app.engine.diagnostics(t.infoHash) })))
  })
}

/** Announces the tracker server hears until stop() (bittorrent-tracker's Server emits one event per announce). */
function countAnnounces(server: { on(event: string, fn: () => void): unknown; removeListener(event: string, fn: () => void): unknown }): { stop(): number } {
  let n = 0
  const count = (): void => { n++ }
  const events = ['start', 'update', 'complete', 'stop']
  for (const e of events) server.on(e, count)
  return { stop: () => { for (const e of events) server.removeListener(e, count); return n } }
}
