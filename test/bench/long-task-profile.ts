/**
 * Which functions make the page's long tasks (issue 17: no task over 50 ms while adding 1,000
 * torrents and after a reload). A Chromium trace with V8's sampling profiler in it
 * (disabled-by-default-v8.cpu_profiler): its samples and the tasks share one clock, so each
 * sample taken inside a task of 50 ms or more is charged to its function (self time) and to every
 * function on its stack (inclusive time: which of the app's steps the cost is under).
 * Read it with an unminified build (`npx vite build --minify false --outDir DIR`, then BENCH_APP_DIR=DIR).
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, Page } from '@playwright/test'
import { TRACE_CATEGORIES, recordTrace } from './main-thread-trace'

interface CallFrame { functionName: string; url?: string; lineNumber: number }
interface ProfileNode { id: number; callFrame: CallFrame; parent?: number }
interface Event {
  name: string; ph: string; pid: number; tid: number; ts?: number; dur?: number; id?: string
  tdur?: number
  args?: { name?: string; data?: { frames?: { processId: number; url: string }[]; startTime?: number; cpuProfile?: { nodes?: ProfileNode[]; samples?: number[] }; timeDeltas?: number[] } }
}

export interface LongTaskProfile {
  longTasks: number[]
  /**
   * The main thread's tasks of 50 ms and over of its own CPU time (the trace's thread duration):
   * on a machine shared with other runs a task's wall time also counts the time the thread
   * waited for a core, which is the machine's load, not the page's work.
   */
  cpuLongTasks: number[]
  /** Milliseconds of samples inside long tasks, by function (self time), the largest first. */
  self: [string, number][]
  /** The same samples by every function on their stack (inclusive time). */
  inclusive: [string, number][]
  /**
   * The trace's own events inside those tasks, by name (inclusive, milliseconds): what the
   * profiler calls "(program)" shows here as style, layout, paint, a message's deserialization, GC.
   */
  events: [string, number][]
}

const where = (f: CallFrame) => `${f.functionName || '(anonymous)'} ${(f.url ?? '').replace(/^.*\/(assets|node_modules)\//, '$1/').replace(/^https?:\/\/[^/]+\//, '')}:${f.lineNumber + 1}`

export async function profileLongTasks(browser: Browser, page: Page, action: () => Promise<void>): Promise<LongTaskProfile> {
  const trace = await recordTrace(browser, page, [...TRACE_CATEGORIES, 'disabled-by-default-v8.cpu_profiler'], action)
  // BENCH_TRACE_SAVE=DIR keeps each trace, to open in DevTools' Performance panel
  const keep = process.env.BENCH_TRACE_SAVE
  if (keep) writeFileSync(join(keep, `long-tasks-${Date.now()}.json`), trace)
  return longTaskProfile(trace, new URL(page.url()).origin)
}

export function longTaskProfile(trace: Buffer, origin: string): LongTaskProfile {
  const parsed = JSON.parse(trace.toString()) as { traceEvents: Event[] } | Event[]
  const events = Array.isArray(parsed) ? parsed : parsed.traceEvents
  const frames = events.find((e) => e.name === 'TracingStartedInBrowser')?.args?.data?.frames ?? []
  const pids = new Set(frames.filter((f) => f.url.startsWith(origin)).map((f) => f.processId))
  const mains = events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && pids.has(e.pid) && e.args?.name === 'CrRendererMain')
  const isMain = (e: Event) => mains.some((m) => m.pid === e.pid && m.tid === e.tid)
  const long = events.filter((e) => e.name === 'RunTask' && e.ph === 'X' && isMain(e) && (e.dur ?? 0) >= 50_000)
  // every profile of a main thread: nodes and samples come in chunks
  const nodes = new Map<string, ProfileNode>()
  const samples: { key: string; ts: number }[] = []
  const clock = new Map<string, number>()
  for (const e of events) {
    if (!isMain(e) && !(e.name === 'ProfileChunk' && mains.some((m) => m.pid === e.pid))) continue
    if (e.name === 'Profile') clock.set(`${e.pid}:${e.id}`, e.args?.data?.startTime ?? 0)
    if (e.name !== 'ProfileChunk') continue
    const profile = `${e.pid}:${e.id}`
    const data = e.args?.data
    for (const n of data?.cpuProfile?.nodes ?? []) nodes.set(`${profile}:${n.id}`, n)
    let ts = clock.get(profile) ?? 0
    const ids = data?.cpuProfile?.samples ?? []
    ids.forEach((id, i) => {
      ts += data?.timeDeltas?.[i] ?? 0
      samples.push({ key: `${profile}:${id}`, ts })
    })
    clock.set(profile, ts)
  }
  samples.sort((a, b) => a.ts - b.ts)
  const self = new Map<string, number>()
  const inclusive = new Map<string, number>()
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i]!
    if (!long.some((t) => t.ts! <= s.ts && s.ts <= t.ts! + t.dur!)) continue
    const ms = ((samples[i + 1]?.ts ?? s.ts) - s.ts) / 1000
    if (ms <= 0 || ms > 10) continue
    const prefix = s.key.slice(0, s.key.lastIndexOf(':'))
    let node = nodes.get(s.key)
    if (!node) continue
    self.set(where(node.callFrame), (self.get(where(node.callFrame)) ?? 0) + ms)
    // inclusive: every function on the stack, once
    const seen = new Set<string>()
    for (let n: ProfileNode | undefined = node; n; n = n.parent !== undefined ? nodes.get(`${prefix}:${n.parent}`) : undefined) seen.add(where(n.callFrame))
    for (const key of seen) inclusive.set(key, (inclusive.get(key) ?? 0) + ms)
  }
  const byEvent = new Map<string, number>()
  for (const e of events) {
    if (e.ph !== 'X' || e.name === 'RunTask' || !e.dur || !isMain(e)) continue
    if (!long.some((t) => t.ts! <= e.ts! && e.ts! + e.dur! <= t.ts! + t.dur!)) continue
    byEvent.set(e.name, (byEvent.get(e.name) ?? 0) + e.dur / 1000)
  }
  const top = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, 25).map(([k, v]) => [k, Math.round(v)] as [string, number])
  const cpuLong = events.filter((e) => e.name === 'RunTask' && e.ph === 'X' && isMain(e) && (e.tdur ?? 0) >= 50_000)
  return { cpuLongTasks: cpuLong.map((t) => Math.round(t.tdur! / 1000)).sort((a, b) => b - a), longTasks: long.map((t) => Math.round(t.dur! / 1000)).sort((a, b) => b - a), self: top(self), inclusive: top(inclusive), events: top(byEvent) }
}
