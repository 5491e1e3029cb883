/**
 * Where the page's main thread spent its time, by trace event: each complete ('X') event's self
 * time (its duration less its children's) on the renderer's main thread, summed by name, and the
 * tasks counted by what they ran (the first event inside each RunTask, an EventDispatch by its
 * type). For "(program)" in a V8 profile, the native time the sampling profiler cannot name:
 * WebSocket message dispatch, postMessage, style, layout, paint, garbage collection.
 */
import { traceMainThread } from './trace-main-thread'

interface TraceEvent { name: string; ph: string; pid: number; tid: number; ts?: number; dur?: number; tdur?: number; args?: { name?: string; data?: { type?: string; functionName?: string; url?: string; lineNumber?: number; frames?: { processId: number; url: string }[] } } }

export interface EventSelfTime { name: string; ms: number; cpuMs: number; count: number }

export function traceSelfTimes(trace: Buffer, origin: string, top = 30): { events: EventSelfTime[]; tasks: { kind: string; count: number; ms: number }[] } {
  const { events, pid, tid } = traceMainThread<TraceEvent>(trace, origin)
  const xs = events.filter((e) => e.pid === pid && e.tid === tid && e.ph === 'X' && e.ts !== undefined)
    .sort((a, b) => a.ts! - b.ts! || (b.dur ?? 0) - (a.dur ?? 0))
  const totals = new Map<string, EventSelfTime>()
  const kinds = new Map<string, { kind: string; count: number; ms: number }>()
  const stack: { e: TraceEvent; end: number; childDur: number; childTdur: number }[] = []
  const pop = () => {
    const f = stack.pop()!
    const name = f.e.name === 'EventDispatch' ? `EventDispatch ${f.e.args?.data?.type ?? ''}` : f.e.name
    const t = totals.get(name) ?? { name, ms: 0, cpuMs: 0, count: 0 }
    t.ms += ((f.e.dur ?? 0) - f.childDur) / 1000
    t.cpuMs += ((f.e.tdur ?? f.e.dur ?? 0) - f.childTdur) / 1000
    t.count++
    totals.set(name, t)
    const parent = stack.at(-1)
    if (parent) { parent.childDur += f.e.dur ?? 0; parent.childTdur += f.e.tdur ?? f.e.dur ?? 0 }
  }
  let task: { e: TraceEvent; kind: string[] } | null = null
  const label = (e: TraceEvent) => e.name === 'EventDispatch' ? `EventDispatch ${e.args?.data?.type ?? ''}`
    : e.name === 'FunctionCall' ? `FunctionCall ${e.args?.data?.functionName || '(anonymous)'} ${e.args?.data?.url?.split('/').pop() ?? ''}:${e.args?.data?.lineNumber ?? ''}`
    : e.name
  const WRAPPERS = new Set(['ThreadControllerImpl::RunTask', 'v8.callFunction', 'AsyncTask Run'])
  for (const e of xs) {
    while (stack.length && stack.at(-1)!.end <= e.ts!) pop()
    if (e.name === 'RunTask' && stack.length === 0) {
      if (task) {
        const kind = task.kind.join(' > ') || '(none)'
        const k = kinds.get(kind) ?? { kind, count: 0, ms: 0 }
        k.count++
        k.ms += (task.e.dur ?? 0) / 1000
        kinds.set(kind, k)
      }
      task = { e, kind: [] }
    } else if (task && task.kind.length < 3 && !WRAPPERS.has(e.name) && stack.length <= 4) {
      task.kind.push(label(e))
    }
    stack.push({ e, end: e.ts! + (e.dur ?? 0), childDur: 0, childTdur: 0 })
  }
  while (stack.length) pop()
  return {
    events: [...totals.values()].sort((a, b) => b.cpuMs - a.cpuMs).slice(0, top),
    tasks: [...kinds.values()].sort((a, b) => b.ms - a.ms).slice(0, 25),
  }
}
