/**
 * Where a bridge download spends its CPU (not part of the bench run): qbittorrent-nox seeds a
 * PROFILE_MIB (default 256) MiB torrent, the app downloads it through the bridge while the page's
 * main thread is sampled by the V8 profiler (CDP). Prints self time per function (mapped through
 * the build's source maps), CPU per process and thread (Chromium's, the bridge's), and what
 * crossed the WebSocket and the storage worker's postMessage. Build first (vite build and
 * scripts/build-server.mjs); run in a loopback-only namespace like the bench.
 *   PROFILE_MIB=256 PROFILE_OUT=/tmp/x.cpuprofile node --import tsx test/bench/profile-bridge.ts
 * PROFILE_OFF=1: no sampling (CPU figures only). PROFILE_TRACE=1: a Chromium trace instead, self
 * time per thread and event in every process (the browser's too). PROFILE_DRIVER=raw: the page
 * driven over bare CDP, not Playwright (raw-page.ts: no DevTools Network domain, so no copy of
 * every WebSocket message for DevTools; what a user's browser does). PROFILE_BRIDGE_DIR=dir: the
 * bridge writes its own V8 CPU profile there.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { TraceMap, originalPositionFor } from '@jridgewell/trace-mapping'
import { allowWebRtc, launchChromium } from '../support/browser'
import { startTracker } from '../support/tracker'
import { processBusySeconds as cpuOf, settle } from './machine-cpu'
import { deep, openRawPage } from './raw-page'
import { PAYLOAD_NAME, qbittorrentSwarm, startBenchServer } from './qbittorrent-swarm'

const SIZE_MIB = Number(process.env.PROFILE_MIB ?? 256)
const REPO = resolve(fileURLToPath(import.meta.url), '..', '..', '..')
const TICK = 100 // clock ticks per second in /proc/*/stat

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number }; children?: number[] }
interface Profile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number }

/** utime+stime in ticks of every thread of every process under `root`, by "process kind/thread name". */
function threadTimes(root: number): Map<string, number> {
  const kids = new Map<number, number[]>()
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8')
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      const list = kids.get(ppid)
      if (list) list.push(Number(d))
      else kids.set(ppid, [Number(d)])
    } catch {}
  }
  const out = new Map<string, number>()
  const walk = (pid: number) => {
    for (const child of kids.get(pid) ?? []) {
      try {
        const cmd = readFileSync(`/proc/${child}/cmdline`, 'utf8').split('\0')
        const line = cmd.join(' ')
        // Chromium's processes by their --type (the browser has none), a utility by what it runs
        const sub = /--utility-sub-type=([\w.]+)/.exec(line)?.[1]
        const kind = sub ? `utility(${sub})` : /--type=([\w-]+)/.exec(line)?.[1] ?? basename(cmd[0] ?? '?')
        const label = `${child}:${kind}`
        for (const t of readdirSync(`/proc/${child}/task`)) {
          const stat = readFileSync(`/proc/${child}/task/${t}/stat`, 'utf8')
          const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replace(/\d+$/, '#')
          const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
          const key = `${label} / ${comm}`
          out.set(key, (out.get(key) ?? 0) + Number(f[11]) + Number(f[12]))
        }
      } catch {}
      walk(child)
    }
  }
  walk(root)
  return out
}

function diffTimes(a: Map<string, number>, b: Map<string, number>): [string, number][] {
  return [...b].map(([k, v]) => [k, (v - (a.get(k) ?? 0)) / TICK] as [string, number]).filter(([, s]) => s >= 0.05).sort((x, y) => y[1] - x[1])
}

const maps = new Map<string, TraceMap | null>()
function mapFor(url: string): TraceMap | null {
  if (maps.has(url)) return maps.get(url)!
  let map: TraceMap | null = null
  try {
    const path = join(REPO, 'dist', new URL(url).pathname)
    map = new TraceMap(readFileSync(`${path}.map`, 'utf8'))
  } catch {}
  maps.set(url, map)
  return map
}

/** webtorrent's prebuilt module has its own map: a second hop for frames that land in it. */
const webtorrentMap = new TraceMap(readFileSync(join(REPO, 'node_modules/webtorrent/dist/webtorrent.min.js.map'), 'utf8'))

function where(frame: ProfileNode['callFrame']): string {
  if (!frame.url) return `(${frame.functionName || 'native'})`
  const map = mapFor(frame.url)
  if (!map) return `${frame.functionName || '(anon)'} ${basename(frame.url)}`
  const pos = originalPositionFor(map, { line: frame.lineNumber + 1, column: Math.max(0, frame.columnNumber) })
  if (!pos.source) return `${frame.functionName || '(anon)'} ${basename(frame.url)}`
  let source = pos.source.replace(/^(\.\.\/)+/, '')
  let name = pos.name ?? frame.functionName
  let line = pos.line
  if (source.endsWith('webtorrent.min.js') && pos.line !== null) {
    const inner = originalPositionFor(webtorrentMap, { line: pos.line, column: pos.column ?? 0 })
    if (inner.source) {
      source = inner.source.replace(/^(\.\.\/|webpack:\/\/\/?)+/, '').replace(/^.*node_modules\//, '')
      name = inner.name ?? name
      line = inner.line
    }
  }
  return `${frame.functionName || name || '(anon)'} ${source}:${line}`
}

function summarize(profile: Profile, top = 30): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const self = new Map<number, number>()
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i + 1] ?? 0))
  }
  const total = (profile.endTime - profile.startTime) / 1000
  const byFn = new Map<string, number>()
  const byFile = new Map<string, number>()
  for (const [id, us] of self) {
    const key = where(byId.get(id)!.callFrame)
    byFn.set(key, (byFn.get(key) ?? 0) + us / 1000)
    const file = key.includes(' ') ? key.slice(key.lastIndexOf(' ') + 1).replace(/:\d+$/, '') : key
    byFile.set(file, (byFile.get(file) ?? 0) + us / 1000)
  }
  // inclusive: each sample counted once for every distinct function on its stack
  const parent = new Map<number, number>()
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
  const inclusive = new Map<string, number>()
  for (const [id, us] of self) {
    const seen = new Set<string>()
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const key = where(byId.get(at)!.callFrame)
      if (seen.has(key)) continue
      seen.add(key)
      inclusive.set(key, (inclusive.get(key) ?? 0) + us / 1000)
    }
  }
  const rows = (m: Map<string, number>, n: number) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n)
    .map(([k, ms]) => `${ms.toFixed(0).padStart(7)} ms ${(ms / total * 100).toFixed(1).padStart(5)}%  ${k}`).join('\n')
  return `main thread, ${total.toFixed(0)} ms profiled\n-- self time by function --\n${rows(byFn, top)}\n-- by file --\n${rows(byFile, 20)}\n-- inclusive --\n${rows(inclusive, top)}`
}

const TRACE_CATEGORIES = ['toplevel', 'devtools.timeline', 'disabled-by-default-devtools.timeline', 'blink', 'v8', 'mojom', 'ipc', 'net', 'loading']

interface TraceEvent { ph: string; name: string; cat: string; pid: number; tid: number; ts: number; dur?: number; tdur?: number; args?: { name?: string } }

/** Self CPU time (thread time where recorded) per thread and event name, from a Chromium trace. */
function summarizeTrace(trace: { traceEvents: TraceEvent[] }, top = 12): string {
  const threadNames = new Map<string, string>()
  const processNames = new Map<number, string>()
  const byThread = new Map<string, TraceEvent[]>()
  for (const e of trace.traceEvents) {
    if (e.ph === 'M' && e.name === 'thread_name') threadNames.set(`${e.pid}:${e.tid}`, e.args?.name ?? '?')
    if (e.ph === 'M' && e.name === 'process_name') processNames.set(e.pid, e.args?.name ?? '?')
    if (e.ph === 'X' && e.dur !== undefined) {
      const key = `${e.pid}:${e.tid}`
      const list = byThread.get(key)
      if (list) list.push(e)
      else byThread.set(key, [e])
    }
  }
  const lines: string[] = []
  const threads = [...byThread].map(([key, events]) => {
    events.sort((a, b) => a.ts - b.ts || (b.dur ?? 0) - (a.dur ?? 0))
    const self = new Map<string, number>()
    const stack: { e: TraceEvent; end: number; child: number }[] = []
    const pop = () => {
      const top = stack.pop()!
      const own = (top.e.tdur ?? top.e.dur ?? 0) - top.child
      self.set(top.e.name, (self.get(top.e.name) ?? 0) + Math.max(0, own))
    }
    let total = 0
    for (const e of events) {
      while (stack.length && stack[stack.length - 1]!.end <= e.ts) pop()
      if (stack.length) stack[stack.length - 1]!.child += e.tdur ?? e.dur ?? 0
      else total += e.tdur ?? e.dur ?? 0
      stack.push({ e, end: e.ts + (e.dur ?? 0), child: 0 })
    }
    while (stack.length) pop()
    const pid = Number(key.split(':')[0])
    return { name: `${processNames.get(pid) ?? pid} ${pid} / ${threadNames.get(key) ?? key}`, total, self }
  }).sort((a, b) => b.total - a.total).slice(0, 8)
  for (const t of threads) {
    lines.push(`== ${t.name}: ${(t.total / 1000).toFixed(0)} ms in top-level events`)
    for (const [name, us] of [...t.self].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`${(us / 1000).toFixed(0).padStart(7)} ms  ${name}`)
  }
  return lines.join('\n')
}

/** Counts WebSocket messages (by size) and Worker postMessages (transfers) in the page. */
const COUNTERS = () => {
  const stats = { wsMessages: 0, wsBytes: 0, wsSizes: {} as Record<string, number>, posts: 0, postTransfers: 0, postTransferBytes: 0, wsSends: 0, wsSendBytes: 0 }
  ;(globalThis as unknown as { __stats: typeof stats }).__stats = stats
  const Original = WebSocket
  globalThis.WebSocket = class extends Original {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols)
      this.addEventListener('message', (e: MessageEvent) => {
        const n = (e.data as ArrayBuffer).byteLength ?? 0
        stats.wsMessages++
        stats.wsBytes += n
        const bucket = n <= 64 ? '<=64' : n <= 1024 ? '<=1K' : n <= 16 * 1024 + 64 ? '<=16K' : n <= 32 * 1024 + 64 ? '<=32K' : n < 65536 ? '<64K' : '>=64K'
        stats.wsSizes[bucket] = (stats.wsSizes[bucket] ?? 0) + 1
      })
    }
    override send(data: string | ArrayBufferLike | Blob | ArrayBufferView): void {
      stats.wsSends++
      stats.wsSendBytes += (data as ArrayBuffer).byteLength ?? 0
      super.send(data)
    }
  }
  const post = Worker.prototype.postMessage as (this: Worker, message: unknown, transfer?: Transferable[]) => void
  Worker.prototype.postMessage = function (this: Worker, message: unknown, transfer?: Transferable[]) {
    stats.posts++
    stats.postTransfers += transfer?.length ?? 0
    for (const t of transfer ?? []) stats.postTransferBytes += (t as ArrayBuffer).byteLength ?? 0
    post.call(this, message, transfer)
  } as typeof Worker.prototype.postMessage
}

async function main(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'profile-bridge-'))
  const tracker = await startTracker()
  const cleanups: (() => Promise<unknown>)[] = [() => rm(work, { recursive: true, force: true }), () => tracker.close()]
  try {
    const name = PAYLOAD_NAME
    const { made, stop } = await qbittorrentSwarm(work, tracker, SIZE_MIB)
    cleanups.unshift(stop)
    // PROFILE_BRIDGE_DIR: the bridge writes a V8 CPU profile there when it stops (node --cpu-prof)
    const server = await startBenchServer([tracker.wsUrl], process.env.PROFILE_BRIDGE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.PROFILE_BRIDGE_DIR}`] : [])
    cleanups.unshift(() => server.daemon.stop())
    if (process.env.PROFILE_DRIVER === 'raw') {
      // the app without Playwright: no DevTools Network domain (see raw-page.ts); CPU and MB/s only
      const torrentPath = join(work, 'bench.torrent')
      writeFileSync(torrentPath, made.torrent)
      const page = await openRawPage(server.url)
      cleanups.unshift(() => page.close())
      const until = (what: string, expr: string, ms: number) => page.until(what, expr, ms)
      await until('bridge', `deepText().includes('Connected to the whole swarm')`, 30_000)
      await settle() // as the bench: the browser's own startup is not the download's
      const profiling = process.env.PROFILE_OFF !== '1'
      // PROFILE_WORKER=1: the storage worker sampled as well (attached through Target.setAutoAttach)
      let workerSession: string | undefined
      if (process.env.PROFILE_WORKER === '1') {
        page.onEvent((method, params) => {
          const info = params['targetInfo'] as { type?: string } | undefined
          if (method === 'Target.attachedToTarget' && info?.type === 'worker') workerSession ??= params['sessionId'] as string
        })
        await page.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: true })
        const end = Date.now() + 5000
        while (!workerSession && Date.now() < end) await new Promise((r) => setTimeout(r, 50))
        if (!workerSession) throw new Error('no worker target attached')
        await page.sendTo(workerSession, 'Profiler.enable')
        await page.sendTo(workerSession, 'Profiler.setSamplingInterval', { interval: Number(process.env.PROFILE_INTERVAL_US ?? 500) })
        await page.sendTo(workerSession, 'Profiler.start')
      }
      // PROFILE_TRACE=1 here: a Chromium trace of every process, collected over CDP
      const traceEvents: TraceEvent[] = []
      const tracing = process.env.PROFILE_TRACE === '1'
      let traceDone: Promise<void> | undefined
      if (tracing) {
        traceDone = new Promise((done) => page.onEvent((method, params) => {
          if (method === 'Tracing.dataCollected') traceEvents.push(...(params['value'] as TraceEvent[]))
          if (method === 'Tracing.tracingComplete') done()
        }))
        await page.sendBrowser('Tracing.start', { transferMode: 'ReportEvents', traceConfig: { includedCategories: TRACE_CATEGORIES } })
      }
      if (profiling && !tracing) {
        await page.send('Profiler.enable')
        await page.send('Profiler.setSamplingInterval', { interval: Number(process.env.PROFILE_INTERVAL_US ?? 500) })
        await page.send('Profiler.start')
      }
      const before = threadTimes(process.pid)
      const selfBefore = process.cpuUsage()
      const start = Date.now()
      const input = await page.evaluate<string>(deep(`deepAll('input[type=file]').find((i) => i.getAttribute('aria-label') === 'Open torrent file')`), false)
      await page.send('DOM.setFileInputFiles', { files: [torrentPath], objectId: input })
      await until('add dialog', `(() => { const b = deepAll('dialog[open] button').find((b) => b.textContent.trim() === 'Add'); if (b) b.click(); return !!b })()`, 10_000).catch(() => {})
      // PROFILE_TIMELINE=1: the progress bar's value every 100 ms, to see where the time goes
      const timeline: string[] = []
      if (process.env.PROFILE_TIMELINE === '1') {
        const end = Date.now() + 10 * 60_000
        while (Date.now() < end) {
          const v = await page.evaluate<string>(deep(`(deepAll('[role=progressbar]')[0]?.getAttribute('aria-valuenow') ?? '-') + ' ' + (deepAll('[data-testid=state]')[0]?.textContent ?? '-')`))
          timeline.push(`${((Date.now() - start) / 1000).toFixed(2)} ${v}`)
          if (v.endsWith('Seeding')) break
          await new Promise((r) => setTimeout(r, 100))
        }
        console.log(timeline.join('\n'))
      }
      await until('Seeding', `deepAll('[data-testid=state]').some((s) => s.textContent === 'Seeding')`, 10 * 60_000)
      const seconds = (Date.now() - start) / 1000
      const after = threadTimes(process.pid)
      const self = process.cpuUsage(selfBefore)
      console.log(`\n${SIZE_MIB} MiB in ${seconds.toFixed(1)} s: ${(made.meta.length / 1e6 / seconds).toFixed(1)} MB/s (raw CDP driver, no Network domain)`)
      console.log(`this process ${((self.user + self.system) / 1e6).toFixed(2)} s`)
      console.log('-- CPU seconds by process / thread (Chromium under this process, qbittorrent, bridge) --')
      for (const [k, s] of diffTimes(before, after)) console.log(`${s.toFixed(2).padStart(7)}  ${k}`)
      if (profiling && !tracing) {
        const profile = (await page.send('Profiler.stop')).profile as unknown as Profile
        if (process.env.PROFILE_OUT) writeFileSync(process.env.PROFILE_OUT, JSON.stringify(profile))
        console.log(summarize(profile, Number(process.env.PROFILE_TOP ?? 30)))
      }
      if (tracing) {
        await page.sendBrowser('Tracing.end')
        await traceDone
        console.log(summarizeTrace({ traceEvents }, Number(process.env.PROFILE_TOP ?? 12)))
      }
      if (workerSession) {
        const profile = (await page.sendTo(workerSession, 'Profiler.stop')).profile as unknown as Profile
        console.log(`== storage worker ==\n${summarize(profile, Number(process.env.PROFILE_TOP ?? 30))}`)
      }
      return
    }
    const browser = await launchChromium()
    cleanups.unshift(() => browser.close())
    const context = await browser.newContext()
    await allowWebRtc(context, new URL(server.url).origin)
    await context.addInitScript(COUNTERS)
    const page = await context.newPage()
    await page.goto(server.url)
    await page.getByText('No torrents yet').waitFor()
    await page.getByRole('status', { name: 'Reach' }).getByText(/Connected to the whole swarm/).waitFor({ timeout: 30_000 })
    const cdp = await context.newCDPSession(page)
    await cdp.send('Profiler.enable')
    await cdp.send('Profiler.setSamplingInterval', { interval: Number(process.env.PROFILE_INTERVAL_US ?? 500) })
    const profiling = process.env.PROFILE_OFF !== '1' && process.env.PROFILE_TRACE !== '1'
    if (profiling) await cdp.send('Profiler.start')
    const tracing = process.env.PROFILE_TRACE === '1'
    if (tracing) await browser.startTracing(page, { categories: TRACE_CATEGORIES })
    const before = { chromium: threadTimes(process.pid) }
    const bridgeBefore = cpuOf(server.daemon.pid)
    const selfBefore = process.cpuUsage()
    const start = Date.now()
    await page.getByLabel('Open torrent file').setInputFiles({ name: 'bench.torrent', mimeType: 'application/x-bittorrent', buffer: Buffer.from(made.torrent) })
    await page.getByRole('dialog', { name: 'Choose files to download' }).getByRole('button', { name: 'Add', exact: true }).click({ timeout: 10_000 }).catch(() => {})
    const state = page.getByRole('listitem', { name }).getByTestId('state')
    while ((await state.textContent().catch(() => '')) !== 'Seeding') {
      if (Date.now() - start > 10 * 60_000) throw new Error('no finish in 10 min')
      await page.waitForTimeout(100)
    }
    const seconds = (Date.now() - start) / 1000
    const after = threadTimes(process.pid)
    const bridgeCpu = cpuOf(server.daemon.pid) - bridgeBefore
    const self = process.cpuUsage(selfBefore)
    const profile = profiling ? (await cdp.send('Profiler.stop')).profile as unknown as Profile : null
    const trace = tracing ? await browser.stopTracing() : null
    const stats = await page.evaluate(() => (globalThis as unknown as { __stats: unknown }).__stats) as Record<string, number | Record<string, number>>
    const mb = made.meta.length / 1e6
    console.log(`\n${SIZE_MIB} MiB in ${seconds.toFixed(1)} s: ${(mb / seconds).toFixed(1)} MB/s${profiling ? ' (profiler on)' : ''}`)
    console.log(`bridge process CPU ${bridgeCpu.toFixed(2)} s; this process (Playwright's client, which gets every WebSocket frame's payload from DevTools) ${((self.user + self.system) / 1e6).toFixed(2)} s`)
    console.log('-- CPU seconds by process / thread (Chromium under this process, qbittorrent, bridge) --')
    for (const [k, s] of diffTimes(before.chromium, after)) console.log(`${s.toFixed(2).padStart(7)}  ${k}`)
    const n = (k: string) => stats[k] as number
    console.log(`-- page counters --\nWebSocket messages in: ${n('wsMessages')} (${(n('wsMessages') / mb).toFixed(0)} per MB, mean ${(n('wsBytes') / n('wsMessages') / 1024).toFixed(1)} KiB), sizes ${JSON.stringify(stats['wsSizes'])}`)
    console.log(`WebSocket sends: ${n('wsSends')} (${(n('wsSends') / mb).toFixed(1)} per MB), ${(n('wsSendBytes') / 1e6).toFixed(2)} MB`)
    console.log(`Worker postMessages: ${n('posts')} (${(n('posts') / mb).toFixed(2)} per MB), transfers ${n('postTransfers')} of ${(n('postTransferBytes') / 1e6).toFixed(1)} MB`)
    if (profile) {
      if (process.env.PROFILE_OUT) writeFileSync(process.env.PROFILE_OUT, JSON.stringify(profile))
      console.log(summarize(profile, Number(process.env.PROFILE_TOP ?? 30)))
    }
    if (trace) {
      if (process.env.PROFILE_OUT) writeFileSync(process.env.PROFILE_OUT, trace)
      console.log(summarizeTrace(JSON.parse(trace.toString('utf8')) as { traceEvents: TraceEvent[] }))
    }
  } finally {
    for (const fn of cleanups) await fn().catch((err: unknown) => console.error('[cleanup]', err))
  }
}

main().then(() => process.exit(0), (err: unknown) => {
  console.error(err)
  process.exit(1)
})
