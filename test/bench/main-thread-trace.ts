/**
 * The page's main-thread tasks from a Chromium trace: Playwright's browser.startTracing with the
 * timeline category records every task of every thread ("RunTask", duration in microseconds),
 * the short ones too, which a PerformanceObserver for long tasks (50 ms and over) never reports.
 */
import type { Browser, Page } from '@playwright/test'

interface TraceEvent {
  name: string
  ph: string
  pid: number
  tid: number
  dur?: number
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
  await browser.startTracing(page, { categories: TRACE_CATEGORIES })
  let trace: Buffer
  try {
    await action()
  } finally {
    trace = await browser.stopTracing()
  }
  return mainThreadTasks(trace, new URL(page.url()).origin)
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
