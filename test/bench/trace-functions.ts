/**
 * Where a whole traced window of the page's main thread went, by function: V8's samples in a trace
 * kept with BENCH_TRACE_SAVE=DIR and BENCH_TRACE_SAMPLES=1 (main-thread-trace.ts), those inside a
 * task only, each standing for the time to the next sample; summed by the function it was in (self)
 * and by every function on its stack (inclusive, a function counted once per sample however deep
 * it recurses). "(program)" is the thread's native work the sampler cannot name (message
 * dispatch, timers, IPC); trace-self-time.ts breaks that down by trace event. longest-tasks.ts does
 * the same for one task at a time. Read it with an unminified build (BENCH_APP_DIR):
 *   node --import tsx test/bench/trace-functions.ts TRACE.json [ORIGIN] [COUNT]
 */
import { readFileSync } from 'node:fs'
import { isMain } from '../support/is-main'
import { profileSamples, traceMainThread, type CallFrame, type ProfileNode } from './trace-main-thread'

interface Event {
  name: string; ph: string; pid: number; tid: number; ts?: number; dur?: number; id?: string
  args?: { name?: string; data?: { frames?: { processId: number; url: string }[]; startTime?: number; cpuProfile?: { nodes?: ProfileNode[]; samples?: number[] }; timeDeltas?: number[] } }
}

export interface FunctionTimes {
  /** Sampled time inside the main thread's tasks, ms. */
  sampledMs: number
  self: [string, number][]
  inclusive: [string, number][]
}

const where = (f: CallFrame) => f.url ? `${f.functionName || '(anonymous)'} ${f.url.split('/').pop()}:${f.lineNumber + 1}` : f.functionName || '(anonymous)'

export function functionTimes(trace: Buffer, origin: string, count = 40): FunctionTimes {
  const { events, pid, tid } = traceMainThread<Event>(trace, origin)
  const tasks = events.filter((e) => e.pid === pid && e.tid === tid && e.name === 'RunTask' && e.ph === 'X').sort((a, b) => (a.ts ?? 0) - (b.ts ?? 0))
  const { nodes, samples } = profileSamples(events, pid, tid)
  const self = new Map<string, number>()
  const inclusive = new Map<string, number>()
  const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v)
  let sampledMs = 0
  let t = 0
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i]!
    while (t < tasks.length && (tasks[t]!.ts ?? 0) + (tasks[t]!.dur ?? 0) < s.ts) t++
    const task = tasks[t]
    if (!task || (task.ts ?? 0) > s.ts) continue // between tasks: idle
    const ms = (Math.min(samples[i + 1]?.ts ?? s.ts, (task.ts ?? 0) + (task.dur ?? 0)) - s.ts) / 1000
    let node = nodes.get(`${s.profile}:${s.node}`)
    if (ms <= 0 || !node) continue
    sampledMs += ms
    add(self, where(node.callFrame), ms)
    const onStack = new Set<string>()
    for (; node; node = node.parent === undefined ? undefined : nodes.get(`${s.profile}:${node.parent}`)) onStack.add(where(node.callFrame))
    for (const name of onStack) add(inclusive, name, ms)
  }
  const top = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, count)
  return { sampledMs, self: top(self), inclusive: top(inclusive) }
}

if (isMain(import.meta.url)) {
  const [file, origin = 'http://127.0.0.1', count = '40'] = process.argv.slice(2)
  if (!file) throw new Error('usage: trace-functions.ts TRACE.json [ORIGIN] [COUNT]')
  const times = functionTimes(readFileSync(file), origin, Number(count))
  console.log(`sampled inside tasks: ${times.sampledMs.toFixed(0)} ms`)
  console.log('self:')
  for (const [name, ms] of times.self) console.log(`  ${ms.toFixed(1)} ms  ${name}`)
  console.log('inclusive:')
  for (const [name, ms] of times.inclusive) console.log(`  ${ms.toFixed(1)} ms  ${name}`)
}
