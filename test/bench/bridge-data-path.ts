/**
 * The page's main-thread time per MiB received from a TCP peer through the bridge (issue 17: the
 * data path's share of the "50 download" busy time). One webtorrent seeder in Node, TCP only,
 * found through a local HTTP tracker (the bridge announces and dials it), its upload capped at a
 * fixed rate (BENCH_PATH_RATE bytes/s, default 4,000,000) so that every build is measured doing
 * the same work per second; builds alternate, one download each per round. Per download: MB/s,
 * the main thread's task time and its own CPU time (CDP Performance: TaskDuration, ThreadTime),
 * and the script's, each per MiB. With BENCH_PATH_PROFILE=1 the V8 sampling profiler runs over
 * the download and the top functions by self time are printed (build with `--minify false`).
 * Run (in a loopback-only namespace, after `npx vite build` + `node scripts/build-server.mjs`):
 *   node --import tsx test/bench/bridge-data-path.ts NAME=DIST_DIR [NAME=DIST_DIR] [MiB] [rounds]
 */
import type { Browser, CDPSession } from '@playwright/test'
import { writeFile } from 'node:fs/promises'
import { launchChromium } from '../support/browser'
import { spawnSeeder, type SeederProcess } from '../support/seeder-process'
import type { RunningApp } from '../e2e/harness'
import { askFilesOff } from './app-page'
import { alternatingBuildsFromArgs, printMedianTable, runAlternatingBuilds, speedColumn } from './alternating-builds'
import { selfTimes, type SelfTime } from './cpu-profile'
import { traceSelfTimes } from './trace-self-time'

const args = alternatingBuildsFromArgs(process.argv.slice(2), { sizeMiB: 128, rounds: 3 })
const SIZE_MIB = args.sizeMiB
const RATE = Number(process.env.BENCH_PATH_RATE ?? 4_000_000)
const PROFILE = process.env.BENCH_PATH_PROFILE === '1'
/** BENCH_PATH_TRACE=1: a Chromium trace over the download, its main thread's self time by event (trace-self-time.ts). */
const TRACE = process.env.BENCH_PATH_TRACE === '1'
const TRACE_CATEGORIES = ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8', 'blink', 'toplevel', 'disabled-by-default-v8.gc']

interface Run { seconds: number; taskMsPerMiB: number; cpuMsPerMiB: number; scriptMsPerMiB: number; top: SelfTime[] }

async function download(browser: Browser, app: RunningApp, seeder: SeederProcess): Promise<Run> {
  const context = await browser.newContext()
  // BENCH_PATH_COUNT=1: WebSocket messages each way and the page's postMessage calls, counted by wrappers
  if (process.env.BENCH_PATH_COUNT === '1') await context.addInitScript(() => {
    const c = { sent: 0, sentBytes: 0, received: 0, receivedBytes: 0, posted: 0 }
    ;(globalThis as unknown as { __counts: typeof c }).__counts = c
    const send = WebSocket.prototype.send
    WebSocket.prototype.send = function (this: WebSocket, data: ArrayBufferLike | ArrayBufferView | Blob | string) { c.sent++; c.sentBytes += (data as ArrayBuffer).byteLength ?? 0; return send.call(this, data) }
    const desc = Object.getOwnPropertyDescriptor(WebSocket.prototype, 'onmessage')!
    Object.defineProperty(WebSocket.prototype, 'onmessage', { set(fn: ((ev: MessageEvent) => void) | null) { desc.set!.call(this, fn && ((ev: MessageEvent) => { c.received++; c.receivedBytes += (ev.data as ArrayBuffer).byteLength ?? 0; fn(ev) })) }, get() { return desc.get!.call(this) } })
    const post = Worker.prototype.postMessage
    Worker.prototype.postMessage = function (this: Worker, ...args: unknown[]) { c.posted++; return post.apply(this, args as never) } as Worker['postMessage']
  })
  const page = await context.newPage()
  await page.goto(app.url)
  await page.getByText('No torrents yet').waitFor()
  await page.getByRole('status', { name: 'Reach' }).getByText('Connected to the whole swarm').waitFor({ timeout: 30_000 })
  await askFilesOff(page)
  const cdp: CDPSession = await context.newCDPSession(page)
  await cdp.send('Performance.enable')
  const metrics = async () => {
    const list = (await cdp.send('Performance.getMetrics')).metrics
    const get = (name: string) => list.find((m) => m.name === name)?.value ?? 0
    return { task: get('TaskDuration'), cpu: get('ThreadTime'), script: get('ScriptDuration') }
  }
  if (PROFILE) {
    await cdp.send('Profiler.enable')
    await cdp.send('Profiler.setSamplingInterval', { interval: 500 })
    await cdp.send('Profiler.start')
  }
  await page.getByLabel('Magnet link, info hash or torrent URL').fill(seeder.info.magnetURI)
  if (TRACE) await browser.startTracing(page, { categories: TRACE_CATEGORIES })
  const m0 = await metrics()
  const start = Date.now()
  await page.getByRole('button', { name: 'Add', exact: true }).click()
  await page.getByTestId('state').filter({ hasText: /^Seeding$/ }).waitFor({ timeout: 10 * 60_000 })
  const seconds = (Date.now() - start) / 1000
  const m1 = await metrics()
  if (process.env.BENCH_PATH_COUNT === '1') console.log('  counts:', JSON.stringify(await page.evaluate(() => (globalThis as unknown as { __counts: unknown }).__counts)))
  let top: SelfTime[] = []
  if (TRACE) {
    const trace = await browser.stopTracing()
    if (process.env.BENCH_PATH_TRACE_FILE) await writeFile(process.env.BENCH_PATH_TRACE_FILE, trace)
    const { events, tasks } = traceSelfTimes(trace, new URL(app.url).origin)
    console.log('  main thread by trace event (self ms, own CPU ms, count):')
    for (const e of events) console.log(`  ${e.ms.toFixed(0).padStart(7)} ${e.cpuMs.toFixed(0).padStart(7)} ${String(e.count).padStart(7)}  ${e.name}`)
    console.log('  tasks by what they ran (count, ms):')
    for (const t of tasks) console.log(`  ${String(t.count).padStart(7)} ${t.ms.toFixed(0).padStart(7)}  ${t.kind}`)
  }
  if (PROFILE) {
    const { profile } = (await cdp.send('Profiler.stop')) as unknown as { profile: Parameters<typeof selfTimes>[0] }
    top = selfTimes(profile, 30)
    if (process.env.BENCH_PATH_PROFILE_FILE) await writeFile(process.env.BENCH_PATH_PROFILE_FILE, JSON.stringify(profile))
  }
  await context.close()
  const per = (a: number, b: number) => ((b - a) * 1000) / SIZE_MIB
  return { seconds, taskMsPerMiB: per(m0.task, m1.task), cpuMsPerMiB: per(m0.cpu, m1.cpu), scriptMsPerMiB: per(m0.script, m1.script), top }
}

const seeder = await spawnSeeder({ name: 'bridge data path', sizeMiB: SIZE_MIB, pieceLength: 256 * 1024, webrtc: false, tcpPort: 0, announce: ['http'], uploadLimit: RATE })
const browser = await launchChromium()
const runs = await runAlternatingBuilds(args, [seeder.info.wsUrl!], (app) => download(browser, app, seeder),
  (run) => [`${run.seconds.toFixed(1)} s, tasks ${run.taskMsPerMiB.toFixed(2)} ms/MiB, CPU ${run.cpuMsPerMiB.toFixed(2)} ms/MiB, script ${run.scriptMsPerMiB.toFixed(2)} ms/MiB`,
    ...run.top.map((t) => `  ${(t.share * 100).toFixed(2).padStart(6)} % ${t.ms.toFixed(0).padStart(6)} ms  ${t.where}`)].join('\n'))
  .finally(async () => {
    await browser.close()
    await seeder.stop()
  })
const perMiB = (ms: number) => `${ms.toFixed(2)} ms`
printMedianTable(`${SIZE_MIB} MiB from a TCP seeder through the bridge (256 KiB pieces, seeder capped at ${RATE / 1e6} MB/s), median of ${args.rounds} rounds, alternating`, runs, [
  speedColumn(SIZE_MIB),
  { header: 'main-thread task time per MiB', figure: (r) => r.taskMsPerMiB, format: perMiB },
  { header: 'its CPU time per MiB', figure: (r) => r.cpuMsPerMiB, format: perMiB },
  { header: 'of which script', figure: (r) => r.scriptMsPerMiB, format: perMiB },
])
