/**
 * The page's main-thread tasks from a Chromium trace: Playwright's browser.startTracing with the
 * timeline category records every task of every thread ("RunTask", duration in microseconds),
 * the short ones too, which a PerformanceObserver for long tasks (50 ms and over) never reports.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, Page } from '@playwright/test'
import { timerCounts, type TimerCount } from './cpu-profile'

interface TraceEvent {
  name: string
  ph: string
  pid: number
  tid: number
  dur?: number
  /** The thread's own CPU time in the event, microseconds (dur also counts time the thread waited for a core). */
  tdur?: number
  args?: { name?: string; data?: { frames?: { processId: number; url: string }[] } }
}

export interface MainThreadTasks {
  /** The longest task, in milliseconds. */
  longestMs: number
  /** Tasks of 50 ms and more (what Chromium calls long tasks) and their total, in milliseconds. */
  longTasks: number
  longTaskMs: number
}

export const TRACE_CATEGORIES = ['disabled-by-default-devtools.timeline']

/** Traces `page` while `action` runs; returns the tasks of its renderer's main thread. */
export async function traceMainThread(browser: Browser, page: Page, action: () => Promise<void>): Promise<MainThreadTasks> {
  return mainThreadTasks(await recordTrace(browser, page, TRACE_CATEGORIES, action), new URL(page.url()).origin)
}

/** A Chromium trace of `page` in `categories` while `action` runs (stopped even when it throws). */
export async function recordTrace(browser: Browser, page: Page, categories: string[], action: () => Promise<void>): Promise<Buffer> {
  await browser.startTracing(page, { categories })
  try {
    await action()
  } catch (err) {
    await browser.stopTracing().catch(() => {})
    throw err
  }
  return browser.stopTracing()
}

/** Parses a trace: the main thread of the renderer that shows `origin`, and its complete tasks. */
export function mainThreadTasks(trace: Buffer, origin: string): MainThreadTasks {
  const parsed = JSON.parse(trace.toString()) as { traceEvents: TraceEvent[] } | TraceEvent[]
  const events = Array.isArray(parsed) ? parsed : parsed.traceEvents
  const frames = events.find((e) => e.name === 'TracingStartedInBrowser')?.args?.data?.frames ?? []
  const pid = frames.find((f) => f.url.startsWith(origin))?.processId
  if (pid === undefined) throw new Error(`the trace shows no frame of ${origin}`)
  const main = events.find((e) => e.ph === 'M' && e.name === 'thread_name' && e.pid === pid && e.args?.name === 'CrRendererMain')
  if (!main) throw new Error(`the trace names no main thread for renderer ${pid}`)
  const durations = events
    .filter((e) => e.name === 'RunTask' && e.ph === 'X' && e.pid === pid && e.tid === main.tid)
    .map((e) => (e.dur ?? 0) / 1000)
  const long = durations.filter((ms) => ms >= 50)
  return {
    longestMs: durations.reduce((a, b) => Math.max(a, b), 0),
    longTasks: long.length,
    longTaskMs: long.reduce((a, b) => a + b, 0),
  }
}

/** A stretch of the page's main thread: how busy, its longest task, and what each UI refresh cost. */
export interface MainThreadProfile extends MainThreadTasks {
  /** From the first to the last event of the trace, in milliseconds. */
  windowMs: number
  /** Time in tasks over windowMs (0-1). */
  busyShare: number
  /**
   * The main thread's own CPU time in tasks over windowMs (0-1): busyShare less the time a task
   * waited for one of the machine's cores, which on a shared 2-core machine is much of it.
   */
  cpuShare: number
  /**
   * Tasks that ran a repeating timer of refreshTimeoutMs: the engine's progress tick, in which it takes its
   * snapshots and the UI renders them (src/engine/download-manager/manager.ts), each a whole UI refresh.
   */
  refreshMs: number[]
  /** The main thread's timers grouped by timeout: how many, how often they fired, their tasks' time. */
  timers: TimerCount[]
  /** The longest task by the thread's own CPU time (tdur), ms: on a shared machine wall time also counts waiting for a core. */
  longestCpuMs: number
  /**
   * V8's major GCs (mark-compact) in the window, own CPU ms each: one that falls in a window makes
   * its longest task (tens of ms) whatever the app's code did, and when it falls is V8's choice.
   */
  majorGcCpuMs: number[]
}

interface TimerData { timerId?: number; timeout?: number; singleShot?: boolean }

/**
 * Traces `page` while `action` runs, with the timer events too (which task ran which timer).
 * Every task of the main thread counts, the short ones too.
 */
export async function profileMainThread(browser: Browser, page: Page, action: () => Promise<void>, refreshTimeoutMs = 250): Promise<MainThreadProfile> {
  // BENCH_TRACE_SAVE=DIR keeps each trace (for longest-tasks.ts or DevTools); with
  // BENCH_TRACE_SAMPLES=1 it holds V8's samples too, which say which function ran in which task
  const samples = process.env.BENCH_TRACE_SAMPLES === '1' ? ['disabled-by-default-v8.cpu_profiler'] : []
  // BENCH_TRACE_GC=1: V8's and Oilpan's (Blink's heap) phases of each collection, for longest-tasks.ts
  const gc = process.env.BENCH_TRACE_GC === '1' ? ['disabled-by-default-v8.gc', 'cppgc', 'disabled-by-default-cppgc'] : []
  const trace = await recordTrace(browser, page, [...TRACE_CATEGORIES, 'devtools.timeline', ...samples, ...gc], action)
  const keep = process.env.BENCH_TRACE_SAVE
  if (keep) writeFileSync(join(keep, `main-thread-${Date.now()}.json`), trace)
  return mainThreadProfile(trace, new URL(page.url()).origin, refreshTimeoutMs)
}

export function mainThreadProfile(trace: Buffer, origin: string, refreshTimeoutMs = 250): MainThreadProfile {
  const parsed = JSON.parse(trace.toString()) as { traceEvents: (TraceEvent & { ts?: number; args?: { data?: TimerData } })[] }
  const events = Array.isArray(parsed) ? parsed as typeof parsed.traceEvents : parsed.traceEvents
  const frames = events.find((e) => e.name === 'TracingStartedInBrowser')?.args?.data?.frames ?? []
  // after a reload the page may be in another renderer: the last frame of the origin is the page
  const pids = frames.filter((f) => f.url.startsWith(origin)).map((f) => f.processId)
  const pid = pids.at(-1)
  if (pid === undefined) throw new Error(`the trace shows no frame of ${origin}`)
  const main = events.find((e) => e.ph === 'M' && e.name === 'thread_name' && e.pid === pid && e.args?.name === 'CrRendererMain')
  if (!main) throw new Error(`the trace names no main thread for renderer ${pid}`)
  const onMain = events.filter((e) => e.pid === pid && e.tid === main.tid)
  const tasks = onMain.filter((e) => e.name === 'RunTask' && e.ph === 'X').map((e) => ({ ts: e.ts ?? 0, dur: e.dur ?? 0, tdur: e.tdur ?? e.dur ?? 0 }))
  // the timer that fired about every refreshTimeoutMs (it may have been installed before the trace began)
  const firesByTimer = new Map<number | undefined, number[]>()
  for (const e of onMain) if (e.name === 'TimerFire') firesByTimer.set(e.args?.data?.timerId, [...(firesByTimer.get(e.args?.data?.timerId) ?? []), e.ts ?? 0])
  const periodic = [...firesByTimer.values()].filter((stamps) => {
    if (stamps.length < 4) return false
    const gaps = stamps.slice(1).map((ts, i) => ts - stamps[i]!).sort((a, b) => a - b)
    return Math.abs(gaps[Math.floor(gaps.length / 2)]! / 1000 - refreshTimeoutMs) < refreshTimeoutMs * 0.25
  })
  // Other timers may repeat at the same period (at 1 s: the dial pump and the PEX ticker): the
  // refresh is the one of them whose tasks took the most time (snapshots and the list's render).
  const durationsOf = (stamps: number[]) => stamps.map((ts) => tasks.find((t) => t.ts <= ts && ts <= t.ts + t.dur)).filter((t) => t !== undefined).map((t) => t.dur / 1000)
  const sum = (ms: number[]) => ms.reduce((a, b) => a + b, 0)
  const refreshMs = periodic.map(durationsOf).reduce<number[]>((best, ms) => sum(ms) > sum(best) ? ms : best, [])
  let first = Infinity
  let last = 0
  for (const e of events) if (e.ts !== undefined && e.ts > 0) { first = Math.min(first, e.ts); last = Math.max(last, e.ts + (e.dur ?? 0)) }
  const windowMs = last > first ? (last - first) / 1000 : 0
  const durations = tasks.map((t) => t.dur / 1000)
  const long = durations.filter((ms) => ms >= 50)
  const busy = durations.reduce((a, b) => a + b, 0)
  const cpu = tasks.reduce((sum, t) => sum + t.tdur / 1000, 0)
  return {
    longestMs: durations.reduce((a, b) => Math.max(a, b), 0),
    longTasks: long.length,
    longTaskMs: long.reduce((a, b) => a + b, 0),
    windowMs,
    busyShare: windowMs ? busy / windowMs : 0,
    cpuShare: windowMs ? cpu / windowMs : 0,
    refreshMs,
    timers: timerCounts(events, pid, main.tid, windowMs),
    longestCpuMs: tasks.reduce((a, t) => Math.max(a, t.tdur / 1000), 0),
    majorGcCpuMs: onMain.filter((e) => e.name === 'MajorGC' && e.ph === 'X').map((e) => (e.tdur ?? e.dur ?? 0) / 1000),
  }
}
