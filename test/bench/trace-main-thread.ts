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

export interface CallFrame { functionName: string; url?: string; lineNumber: number }
export interface ProfileNode { id: number; callFrame: CallFrame; parent?: number }
interface ProfileEvent {
  name: string; pid: number; tid: number; id?: string
  args?: { data?: { startTime?: number; cpuProfile?: { nodes?: ProfileNode[]; samples?: number[] }; timeDeltas?: number[] } }
}

/**
 * V8's samples of one thread (the trace's Profile and ProfileChunk events), in time order, each
 * with its profile's id and node id; `nodes` by `${profile}:${node id}` to walk a sample's stack.
 */
export function profileSamples(events: readonly ProfileEvent[], pid: number, tid: number): { nodes: Map<string, ProfileNode>; samples: { ts: number; profile: string; node: number }[] } {
  const nodes = new Map<string, ProfileNode>()
  const clock = new Map<string, number>()
  const samples: { ts: number; profile: string; node: number }[] = []
  for (const e of events) {
    if (e.pid !== pid) continue
    if (e.name === 'Profile' && e.tid === tid) clock.set(`${e.id}`, e.args?.data?.startTime ?? 0)
    if (e.name !== 'ProfileChunk' || !clock.has(`${e.id}`)) continue
    const data = e.args?.data
    for (const n of data?.cpuProfile?.nodes ?? []) nodes.set(`${e.id}:${n.id}`, n)
    let ts = clock.get(`${e.id}`)!
    ;(data?.cpuProfile?.samples ?? []).forEach((node, i) => {
      ts += data?.timeDeltas?.[i] ?? 0
      samples.push({ ts, profile: `${e.id}`, node })
    })
    clock.set(`${e.id}`, ts)
  }
  samples.sort((a, b) => a.ts - b.ts)
  return { nodes, samples }
}
