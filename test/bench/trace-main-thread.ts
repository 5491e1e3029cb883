/**
 * A saved Chromium trace's events and the main thread (CrRendererMain) of the renderer that shows
 * `origin`: what every reader of a saved trace (longest-tasks.ts, trace-self-time.ts,
 * trace-functions.ts) starts from.
 */
interface MinimalEvent { name: string; ph: string; pid: number; tid: number; args?: { name?: string; data?: { frames?: { processId: number; url: string }[] } } }

export function traceMainThread<E extends MinimalEvent>(trace: Buffer, origin: string): { events: E[]; pid: number; tid: number } {
  const parsed = JSON.parse(trace.toString()) as { traceEvents: E[] } | E[]
  const events = Array.isArray(parsed) ? parsed : parsed.traceEvents
  const frames = events.find((e) => e.name === 'TracingStartedInBrowser')?.args?.data?.frames ?? []
  const pid = frames.filter((f) => f.url.startsWith(origin)).map((f) => f.processId).at(-1)
  const main = events.find((e) => e.ph === 'M' && e.name === 'thread_name' && e.pid === pid && e.args?.name === 'CrRendererMain')
  if (pid === undefined || !main) throw new Error(`the trace shows no main thread of ${origin}`)
  return { events, pid, tid: main.tid }
}
