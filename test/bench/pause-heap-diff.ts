/**
 * What pausing the 50 downloading torrents of the 1,000-torrent bench frees, and who held it: two
 * V8 heap snapshots of the page (CDP HeapProfiler; each starts with a full collection, so a
 * snapshot holds only live objects), one right before the pause and one 5 s after it, compared.
 * The objects in the first and not in the second are what the pause left to the next major GC;
 * they are summed by constructor, with the retainer that held each (the first strong edge to it).
 * The counts of Blink's event listeners and DOM nodes (CDP Performance.getMetrics) come along.
 *
 * Taking them (the snapshots' own collections disturb the idle window: a run for this, not for figures):
 *   BENCH_PAUSE_HEAP_DIR=DIR BENCH_SCALE_PARTS=many BENCH_SCALE_INPUT_ROW=0 node --import tsx test/bench/page-scale.ts
 * Reading them (any two snapshots, e.g. from DevTools):
 *   node --max-old-space-size=4096 --import tsx test/bench/pause-heap-diff.ts DIR/before-pause.heapsnapshot DIR/after-pause.heapsnapshot [TOP]
 */
import { createWriteStream } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { BrowserContext, Page } from '@playwright/test'
import { isMain } from '../support/is-main'

/** Writes a heap snapshot of `page` to `file`; returns Blink's counters read just before it. */
export async function takeHeapSnapshot(context: BrowserContext, page: Page, file: string): Promise<Record<string, number>> {
  const cdp = await context.newCDPSession(page)
  try {
    await cdp.send('Performance.enable')
    const { metrics } = await cdp.send('Performance.getMetrics')
    const counters = Object.fromEntries(metrics.filter((m) => ['JSEventListeners', 'Nodes', 'JSHeapUsedSize', 'Documents'].includes(m.name)).map((m) => [m.name, m.value]))
    const out = createWriteStream(file)
    cdp.on('HeapProfiler.addHeapSnapshotChunk', ({ chunk }) => out.write(chunk))
    await cdp.send('HeapProfiler.enable')
    await cdp.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false })
    await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => error ? reject(error) : resolve()))
    return counters
  } finally {
    await cdp.detach().catch(() => {})
  }
}

/** Around `pause` (which ends 5 s after the pause): a snapshot before and after, into `dir`. */
export async function snapshotAroundPause(context: BrowserContext, page: Page, dir: string, pause: () => Promise<void>, log: (line: string) => void): Promise<void> {
  const before = await takeHeapSnapshot(context, page, join(dir, 'before-pause.heapsnapshot'))
  await pause()
  const after = await takeHeapSnapshot(context, page, join(dir, 'after-pause.heapsnapshot'))
  log(`bench scale:   heap snapshots in ${dir}; counters before the pause ${JSON.stringify(before)}, 5 s after ${JSON.stringify(after)}`)
}

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]]; edge_fields: string[]; edge_types: [string[]] } }
  nodes: number[]
  edges: number[]
  strings: string[]
}

interface Graph {
  count: number
  id(i: number): number
  /** A node's constructor-like name: its type, and its name for objects, closures and native objects. */
  label(i: number): string
  size(i: number): number
  /** The first strong retainer of node i: its label and the edge's name. */
  retainer(i: number): string
  /** The chain of first strong retainers of node i, `depth` long. */
  path(i: number, depth: number): string
}

function graph(s: Snapshot): Graph {
  const nf = s.snapshot.meta.node_fields
  const ef = s.snapshot.meta.edge_fields
  const nodeTypes = s.snapshot.meta.node_types[0]
  const edgeTypes = s.snapshot.meta.edge_types[0]
  const N = nf.length
  const E = ef.length
  const [typeAt, nameAt, idAt, sizeAt, edgeCountAt] = ['type', 'name', 'id', 'self_size', 'edge_count'].map((f) => nf.indexOf(f)) as [number, number, number, number, number]
  const [edgeTypeAt, edgeNameAt, toAt] = ['type', 'name_or_index', 'to_node'].map((f) => ef.indexOf(f)) as [number, number, number]
  const count = s.nodes.length / N
  // the first strong edge into each node (weak and shortcut edges do not keep anything alive)
  const retainedBy = new Int32Array(count).fill(-1)
  const retainedEdge = new Int32Array(count).fill(-1)
  let edge = 0
  for (let from = 0; from < count; from++) {
    const edges = s.nodes[from * N + edgeCountAt]!
    for (let k = 0; k < edges; k++, edge += E) {
      const type = edgeTypes[s.edges[edge + edgeTypeAt]!]
      if (type === 'weak' || type === 'shortcut') continue
      const to = s.edges[edge + toAt]! / N
      if (retainedBy[to] === -1) {
        retainedBy[to] = from
        retainedEdge[to] = edge
      }
    }
  }
  const label = (i: number): string => {
    const type = nodeTypes[s.nodes[i * N + typeAt]!]!
    const name = s.strings[s.nodes[i * N + nameAt]!] ?? ''
    if (type === 'object' || type === 'native' || type === 'closure') return `${type === 'object' ? '' : `${type} `}${name.slice(0, 60)}`
    return `(${type})`
  }
  const retainer = (i: number): string => {
    const from = retainedBy[i]!
    if (from < 0) return '(root)'
    const at = retainedEdge[i]!
    const type = edgeTypes[s.edges[at + edgeTypeAt]!]
    const nameOrIndex = s.edges[at + edgeNameAt]!
    const edgeName = type === 'element' || type === 'hidden' ? `[${nameOrIndex}]` : s.strings[nameOrIndex]
    return `${label(from)}.${edgeName}`
  }
  return {
    count,
    path: (i, depth) => {
      const steps: string[] = []
      for (let at = i, k = 0; k < depth && at >= 0; k++, at = retainedBy[at]!) steps.push(retainer(at))
      return steps.join(' <- ')
    },
    id: (i) => s.nodes[i * N + idAt]!,
    label,
    size: (i) => s.nodes[i * N + sizeAt]!,
    retainer,
  }
}

export interface Row { label: string; count: number; bytes: number }

function byLabel(g: Graph, keep: (i: number) => boolean, key: (i: number) => string): Row[] {
  const rows = new Map<string, Row>()
  for (let i = 0; i < g.count; i++) {
    if (!keep(i)) continue
    const k = key(i)
    const row = rows.get(k) ?? { label: k, count: 0, bytes: 0 }
    row.count++
    row.bytes += g.size(i)
    rows.set(k, row)
  }
  return [...rows.values()].sort((a, b) => b.bytes - a.bytes)
}

/** Live objects in `before` that are gone in `after`, by constructor and by retainer; and both heaps by constructor. */
export function heapDiff(before: Snapshot, after: Snapshot): { freed: Row[]; freedByRetainer: Row[]; before: Row[]; after: Row[]; afterByPath: Row[] } {
  const a = graph(before)
  const b = graph(after)
  const inAfter = new Set<number>()
  for (let i = 0; i < b.count; i++) inAfter.add(b.id(i))
  const gone = (i: number) => !inAfter.has(a.id(i))
  return {
    freed: byLabel(a, gone, a.label),
    freedByRetainer: byLabel(a, gone, (i) => `${a.label(i)} <- ${a.retainer(i)}`),
    before: byLabel(a, () => true, a.label),
    after: byLabel(b, () => true, b.label),
    afterByPath: byLabel(b, () => true, (i) => `${b.label(i)} <- ${b.path(i, 5)}`),
  }
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`
const table = (rows: Row[], top: number) => rows.slice(0, top).map((r) => `  ${kib(r.bytes).padStart(10)} ${String(r.count).padStart(8)}  ${r.label}`).join('\n')

if (isMain(import.meta.url)) {
  const [beforeFile, afterFile, top = '30'] = process.argv.slice(2)
  if (!beforeFile || !afterFile) throw new Error('usage: pause-heap-diff.ts BEFORE.heapsnapshot AFTER.heapsnapshot [TOP]')
  const read = async (f: string) => JSON.parse(await readFile(f, 'utf8')) as Snapshot
  const d = heapDiff(await read(beforeFile), await read(afterFile))
  const sum = (rows: Row[]) => rows.reduce((s, r) => ({ count: s.count + r.count, bytes: s.bytes + r.bytes }), { count: 0, bytes: 0 })
  const [fb, bb, ab] = [sum(d.freed), sum(d.before), sum(d.after)]
  console.log(`live before: ${kib(bb.bytes)} in ${bb.count} objects; after: ${kib(ab.bytes)} in ${ab.count}; freed between: ${kib(fb.bytes)} in ${fb.count}`)
  console.log(`freed, by constructor (bytes, count):\n${table(d.freed, Number(top))}`)
  console.log(`freed, by constructor and first retainer:\n${table(d.freedByRetainer, Number(top))}`)
  console.log(`live after, by constructor:\n${table(d.after, Number(top))}`)
  console.log(`live after, by constructor and retainers (5 steps):\n${table(d.afterByPath, Number(top))}`)
}
