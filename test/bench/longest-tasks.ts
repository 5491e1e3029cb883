/**
 * What ran in a trace's longest main-thread tasks, one task at a time: its wall time (dur), the
 * thread's own CPU time (tdur: on a shared machine dur also counts waiting for a core), the trace
 * events inside it by name (GC, a timer, a message, style, layout), the functions called from it
 * (FunctionCall) and, when the trace holds V8's samples (BENCH_TRACE_SAMPLES=1), the functions
 * sampled in it by self time. Reads a trace kept with BENCH_TRACE_SAVE=DIR (main-thread-trace.ts):
 *   node --import tsx test/bench/longest-tasks.ts TRACE.json [ORIGIN] [COUNT]
 * Read it with an unminified build (`npx vite build --minify false --outDir DIR`, BENCH_APP_DIR=DIR).
 */
import { readFileSync } from 'node:fs'
import { isMain } from '../support/is-main'
import { profileSamples, traceMainThread, type CallFrame, type ProfileNode } from './trace-main-thread'

interface Event {
  name: string; ph: string; pid: number; tid: number; ts?: number; dur?: number; tdur?: number; id?: string
  args?: {
    name?: string
    data?: {
      frames?: { processId: number; url: string }[]
      functionName?: string; url?: string; lineNumber?: number; timerId?: number; timeout?: number; type?: string
      startTime?: number; cpuProfile?: { nodes?: ProfileNode[]; samples?: number[] }; timeDeltas?: number[]
    }
    usedHeapSizeBefore?: number; usedHeapSizeAfter?: number
  }
}

export interface TaskAnatomy {
  ts: number
  durMs: number
  cpuMs: number
  /** Events inside the task by name (inclusive, ms), the largest first. */
  events: [string, number][]
  /** Functions called from the task (FunctionCall, TimerFire's timeout), the largest first. */
  calls: [string, number][]
  /** Sampled functions inside the task by self time (ms). */
  self: [string, number][]
}

const short = (url = '') => url.replace(/^.*\/(assets|node_modules)\//, '$1/').replace(/^https?:\/\/[^/]+\//, '')
const where = (f: CallFrame) => f.url ? `${f.functionName || '(anonymous)'} ${short(f.url)}:${f.lineNumber + 1}` : f.functionName || '(anonymous)'
const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v)
const top = (m: Map<string, number>, n = 12) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => [k, Math.round(v * 10) / 10] as [string, number])

/** The `count` longest tasks (by wall time, or by own CPU time when byCpu) of the main thread that shows `origin`. */
export function longestTasks(trace: Buffer, origin: string, count = 5, byCpu = false): TaskAnatomy[] {
  const { events, pid, tid } = traceMainThread<Event>(trace, origin)
  const onMain = events.filter((e) => e.pid === pid && e.tid === tid)
  const tasks = onMain.filter((e) => e.name === 'RunTask' && e.ph === 'X')
    .sort((a, b) => byCpu ? (b.tdur ?? 0) - (a.tdur ?? 0) : (b.dur ?? 0) - (a.dur ?? 0)).slice(0, count)
  const samples = sampled(events, pid, tid)
  return tasks.map((t) => {
    const from = t.ts ?? 0
    const to = from + (t.dur ?? 0)
    const inside = onMain.filter((e) => e !== t && e.ph === 'X' && (e.ts ?? 0) >= from && (e.ts ?? 0) + (e.dur ?? 0) <= to)
    const byName = new Map<string, number>()
    const calls = new Map<string, number>()
    for (const e of inside) {
      const d = e.args?.data
      const heap = e.args?.usedHeapSizeBefore !== undefined ? ` (heap ${(e.args.usedHeapSizeBefore / 2 ** 20).toFixed(0)} → ${((e.args.usedHeapSizeAfter ?? 0) / 2 ** 20).toFixed(0)} MiB)` : ''
      add(byName, `${e.name}${heap}`, (e.dur ?? 0) / 1000)
      if (e.name === 'FunctionCall' && d) add(calls, `${d.functionName || '(anonymous)'} ${short(d.url)}:${(d.lineNumber ?? 0) + 1}`, (e.dur ?? 0) / 1000)
      if (e.name === 'TimerFire' && d) add(calls, `timer ${d.timerId} (${d.timeout ?? '?'} ms)`, (e.dur ?? 0) / 1000)
      if (e.name === 'EventDispatch' && d?.type) add(calls, `event ${d.type}`, (e.dur ?? 0) / 1000)
    }
    const self = new Map<string, number>()
    for (let i = 0; i < samples.length; i++) {
      const s = samples[i]!
      if (s.ts < from || s.ts > to) continue
      // a sample stands for the time to the next one, within the task (the sampler may starve on a loaded machine)
      const ms = (Math.min(samples[i + 1]?.ts ?? s.ts, to) - s.ts) / 1000
      if (ms > 0) add(self, s.where, ms)
    }
    return { ts: from, durMs: (t.dur ?? 0) / 1000, cpuMs: (t.tdur ?? t.dur ?? 0) / 1000, events: top(byName), calls: top(calls), self: top(self) }
  })
}

/** V8's samples of one thread, in time order, each with the function it was in. */
function sampled(events: Event[], pid: number, tid: number): { ts: number; where: string }[] {
  const { nodes, samples } = profileSamples(events, pid, tid)
  return samples.map((s) => {
    const node = nodes.get(`${s.profile}:${s.node}`)
    return { ts: s.ts, where: node ? where(node.callFrame) : '?' }
  })
}

if (isMain(import.meta.url)) {
  const [file, origin = 'http://127.0.0.1', count = '5', by = 'wall'] = process.argv.slice(2)
  if (!file) throw new Error('usage: longest-tasks.ts TRACE.json [ORIGIN] [COUNT] [wall|cpu]')
  const trace = readFileSync(file)
  for (const t of longestTasks(trace, origin, Number(count), by === 'cpu')) {
    console.log(`task at ${(t.ts / 1e6).toFixed(3)} s: ${t.durMs.toFixed(1)} ms wall, ${t.cpuMs.toFixed(1)} ms own CPU`)
    console.log(`  events: ${t.events.map(([k, v]) => `${k} ${v}`).join(' | ')}`)
    console.log(`  calls: ${t.calls.map(([k, v]) => `${k} ${v}`).join(' | ')}`)
    if (t.self.length) console.log(`  self: ${t.self.map(([k, v]) => `${k} ${v}`).join(' | ')}`)
  }
}
