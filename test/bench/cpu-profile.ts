/**
 * What the page's main thread spends its time on, by function: the V8 sampling profiler through
 * CDP (Profiler.start / Profiler.stop), summed by self time; and which timers fired how often,
 * from the Chromium trace's TimerInstall / TimerFire events (profileMainThread keeps the trace).
 */
import type { Page } from '@playwright/test'

interface CallFrame { functionName: string; url: string; lineNumber: number; columnNumber: number }
interface ProfileNode { id: number; callFrame: CallFrame; children?: number[] }
interface CpuProfile { nodes: ProfileNode[]; startTime: number; endTime: number; samples?: number[]; timeDeltas?: number[] }

export interface SelfTime {
  /** Function name and where it is (file:line, the bundle's file when not source-mapped). */
  where: string
  ms: number
  share: number
}

const place = (f: CallFrame) => `${f.functionName || '(anonymous)'} ${f.url ? `${f.url.split('/').pop()}:${f.lineNumber + 1}:${f.columnNumber + 1}` : ''}`.trim()

/** Self time by function over a profile; `(idle)` and `(program)` are kept, so shares add up to 1. */
export function selfTimes(profile: CpuProfile, top = 25): SelfTime[] {
  const byNode = new Map(profile.nodes.map((n) => [n.id, n]))
  const totals = new Map<string, number>()
  const samples = profile.samples ?? []
  const deltas = profile.timeDeltas ?? []
  for (let i = 0; i < samples.length; i++) {
    const node = byNode.get(samples[i]!)
    if (!node) continue
    // a sample's time is the gap to the next one
    const us = deltas[i + 1] ?? 0
    const key = place(node.callFrame)
    totals.set(key, (totals.get(key) ?? 0) + us)
  }
  const all = profile.endTime - profile.startTime
  return [...totals.entries()].sort((a, b) => b[1] - a[1]).slice(0, top).map(([where, us]) => ({ where, ms: us / 1000, share: all ? us / all : 0 }))
}

/** Runs `action` under the V8 sampling profiler of `page`; returns the top functions by self time. */
export async function profileFunctions(page: Page, action: () => Promise<void>, top = 25): Promise<SelfTime[]> {
  const cdp = await page.context().newCDPSession(page)
  try {
    await cdp.send('Profiler.enable')
    await cdp.send('Profiler.setSamplingInterval', { interval: 500 })
    await cdp.send('Profiler.start')
    await action()
    const { profile } = (await cdp.send('Profiler.stop')) as unknown as { profile: CpuProfile }
    return selfTimes(profile, top)
  } finally {
    await cdp.detach().catch(() => undefined)
  }
}

export interface TimerCount { timeoutMs: number; singleShot: boolean; timers: number; firesPerSecond: number; taskMs: number }

interface TraceEvent { name: string; ph: string; pid: number; tid: number; ts?: number; dur?: number; args?: { data?: { timerId?: number; timeout?: number; singleShot?: boolean } } }

/**
 * Timers of the main thread grouped by their timeout: how many distinct timers fired, how often in
 * all, and the time of the tasks that ran them. A timer installed before the trace shows as timeout -1.
 */
export function timerCounts(events: TraceEvent[], pid: number, tid: number, windowMs: number): TimerCount[] {
  const installs = new Map<number, { timeout: number; singleShot: boolean }>()
  for (const e of events) if (e.name === 'TimerInstall' && e.args?.data?.timerId !== undefined) installs.set(e.args.data.timerId, { timeout: e.args.data.timeout ?? -1, singleShot: !!e.args.data.singleShot })
  const tasks = events.filter((e) => e.pid === pid && e.tid === tid && e.name === 'RunTask' && e.ph === 'X').sort((a, b) => (a.ts ?? 0) - (b.ts ?? 0))
  const groups = new Map<string, { timeoutMs: number; singleShot: boolean; ids: Set<number>; fires: number; taskMs: number }>()
  for (const e of events) {
    if (e.name !== 'TimerFire' || e.pid !== pid || e.tid !== tid) continue
    const id = e.args?.data?.timerId ?? -1
    const install = installs.get(id) ?? { timeout: -1, singleShot: false }
    const key = `${install.timeout}/${install.singleShot}`
    const group = groups.get(key) ?? { timeoutMs: install.timeout, singleShot: install.singleShot, ids: new Set<number>(), fires: 0, taskMs: 0 }
    group.ids.add(id)
    group.fires++
    const ts = e.ts ?? 0
    const task = tasks.find((t) => (t.ts ?? 0) <= ts && ts <= (t.ts ?? 0) + (t.dur ?? 0))
    group.taskMs += (task?.dur ?? 0) / 1000
    groups.set(key, group)
  }
  return [...groups.values()].sort((a, b) => b.taskMs - a.taskMs).map((g) => ({ timeoutMs: g.timeoutMs, singleShot: g.singleShot, timers: g.ids.size, firesPerSecond: windowMs ? g.fires / (windowMs / 1000) : 0, taskMs: g.taskMs }))
}
