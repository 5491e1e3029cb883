/**
 * The few figures the Diagnostics view shows of the bridge's /metrics (Prometheus text format
 * 0.0.4). Our own few lines rather than a library: the page needs samples by name and label, not
 * a whole exposition-format parser (the npm ones are server-side or unkept), and the text comes
 * from this app's own server; still read with limits, as anything over a network is.
 */

/** Past this the text is not read further: the bridge's is about 10 KB. */
export const MAX_METRICS_TEXT = 1024 * 1024
/** Samples kept, and the longest line read (longer ones are skipped): the bridge's are under 200 characters. */
export const MAX_SAMPLES = 5000
export const MAX_LINE = 4096
const MAX_LABELS = 32

export interface Sample {
  name: string
  labels: Record<string, string>
  value: number
}

// Read left to right with sticky patterns, never backtracking over the line: a regular
// expression with `.*` between the braces went quadratic on a long hostile line.
const NAME = /[a-zA-Z_:][a-zA-Z0-9_:]*/y
const LABEL = /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\\n]|\\.)*)"\s*(,?)/y
const CLOSE = /\s*\}/y
const VALUE = /\s+(\S+)(?:\s+-?\d+)?\s*$/y

/** One line's sample; undefined for a line that does not parse. */
function parseLine(line: string): Sample | undefined {
  NAME.lastIndex = 0
  const name = NAME.exec(line)?.[0]
  if (!name) return undefined
  let at = NAME.lastIndex
  // no prototype: a label named __proto__ or constructor is a label like any other
  const labels = Object.create(null) as Record<string, string>
  if (line[at] === '{') {
    at++
    let count = 0
    for (;;) {
      CLOSE.lastIndex = at
      if (CLOSE.test(line)) {
        at = CLOSE.lastIndex
        break
      }
      LABEL.lastIndex = at
      const match = LABEL.exec(line)
      if (!match || ++count > MAX_LABELS) return undefined
      labels[match[1]!] = match[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c))
      at = LABEL.lastIndex
      CLOSE.lastIndex = at
      if (!match[3] && !CLOSE.test(line)) return undefined
    }
  }
  VALUE.lastIndex = at
  const text = VALUE.exec(line)?.[1]
  if (text === undefined) return undefined
  const value = text === '+Inf' ? Infinity : text === '-Inf' ? -Infinity : Number(text)
  return Number.isNaN(value) ? undefined : { name, labels, value }
}

/** Every sample of the text (comments, lines that do not parse and overlong lines are skipped). */
export function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = []
  for (const line of text.slice(0, MAX_METRICS_TEXT).split('\n')) {
    if (samples.length >= MAX_SAMPLES) break
    if (!line || line.startsWith('#') || line.length > MAX_LINE) continue
    const sample = parseLine(line.trim())
    if (sample) samples.push(sample)
  }
  return samples
}

/** The value of `name` whose labels include `labels`; the sum when several match; 0 when none. */
export function metricValue(samples: readonly Sample[], name: string, labels: Record<string, string> = {}): number {
  let sum = 0
  for (const sample of samples) {
    if (sample.name !== name) continue
    if (Object.entries(labels).every(([k, v]) => sample.labels[k] === v)) sum += sample.value
  }
  return sum
}

/** The bridge's figures a person asking "why is this slow?" can use. */
export interface BridgeFigures {
  sessions: number
  streams: { outbound: number; inbound: number }
  bytes: { fromPeers: number; toPeers: number }
  /** Dials pages asked for, by outcome (opened, failed, refused_policy, refused_rate, refused_caps, refused_unregistered). */
  dials: Record<string, number>
}

export function bridgeFigures(samples: readonly Sample[]): BridgeFigures {
  const dials = Object.create(null) as Record<string, number>
  for (const sample of samples) {
    if (sample.name === 'bridge_dials_total' && sample.labels.outcome) dials[sample.labels.outcome] = (dials[sample.labels.outcome] ?? 0) + sample.value
  }
  return {
    sessions: metricValue(samples, 'bridge_sessions'),
    streams: { outbound: metricValue(samples, 'bridge_streams', { direction: 'outbound' }), inbound: metricValue(samples, 'bridge_streams', { direction: 'inbound' }) },
    bytes: { fromPeers: metricValue(samples, 'bridge_peer_bytes_total', { direction: 'from_peers' }), toPeers: metricValue(samples, 'bridge_peer_bytes_total', { direction: 'to_peers' }) },
    dials,
  }
}
