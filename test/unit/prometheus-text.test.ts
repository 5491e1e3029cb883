import { describe, expect, it } from 'vitest'
import { BridgeMetrics } from '../../bridge/metrics'
import { bridgeFigures, MAX_LINE, MAX_METRICS_TEXT, MAX_SAMPLES, metricValue, parseMetrics } from '../../src/core/prometheus-text'

describe('parseMetrics', () => {
  it("reads the bridge's own /metrics text (prom-client) into the figures the Diagnostics view shows", async () => {
    const metrics = new BridgeMetrics({
      sessions: () => 3, streams: () => ({ outbound: 7, inbound: 2 }), buffered: () => 0, trackers: () => ({ working: 1 }), dhtNodes: () => 40,
    })
    metrics.fromPeers.inc(5000)
    metrics.toPeers.inc(1200)
    metrics.dials.inc({ outcome: 'opened' }, 4)
    metrics.dials.inc({ outcome: 'failed' })
    metrics.dials.inc({ outcome: 'refused_policy' }, 2)
    const figures = bridgeFigures(parseMetrics(await metrics.text()))
    expect(figures).toEqual({
      sessions: 3, streams: { outbound: 7, inbound: 2 }, bytes: { fromPeers: 5000, toPeers: 1200 },
      dials: expect.objectContaining({ opened: 4, failed: 1, refused_policy: 2 }) as unknown,
    })
  })

  it('reads labels with escapes, a timestamp, +Inf and spaces, and sums the samples a query matches', () => {
    const samples = parseMetrics([
      '# HELP x_total a counter',
      '# TYPE x_total counter',
      'x_total{kind="a\\"b",path="c:\\\\d\\ne"} 2 1700000000000',
      'x_total{ kind = "z" , } 3',
      'x_bucket{le="+Inf"} +Inf',
      'plain 1.5e3',
    ].join('\n'))
    expect(samples[0]).toEqual({ name: 'x_total', labels: { kind: 'a"b', path: 'c:\\d\ne' }, value: 2 })
    expect(samples[1]!.labels).toEqual({ kind: 'z' })
    expect(metricValue(samples, 'x_total')).toBe(5)
    expect(metricValue(samples, 'x_total', { kind: 'z' })).toBe(3)
    expect(metricValue(samples, 'x_bucket')).toBe(Infinity)
    expect(metricValue(samples, 'plain')).toBe(1500)
    expect(metricValue(samples, 'absent')).toBe(0)
  })

  it('skips lines that do not parse and keeps the rest', () => {
    const samples = parseMetrics([
      'good 1',
      '1bad 2',
      'nolabelend{a="b" 3',
      'unquoted{a=b} 4',
      'novalue',
      'nan_value NaN',
      'two values 1 2 3',
      'also_good{a="1",b="2"} 5',
    ].join('\n'))
    expect(samples.map((s) => s.name)).toEqual(['good', 'also_good'])
  })

  it('gives a label named __proto__ no power over the object it lands in', () => {
    const [sample] = parseMetrics('bridge_dials_total{outcome="__proto__"} 9\nbridge_dials_total{__proto__="x",outcome="opened"} 1')
    expect(sample!.labels.outcome).toBe('__proto__')
    const figures = bridgeFigures(parseMetrics('bridge_dials_total{outcome="__proto__"} 9\nbridge_dials_total{__proto__="x",outcome="opened"} 1'))
    expect(figures.dials.opened).toBe(1)
    expect(Object.keys(figures.dials).sort()).toEqual(['__proto__', 'opened'])
    expect(({} as Record<string, unknown>).opened).toBeUndefined()
  })

  describe('hostile input limits', () => {
    it('reads no further than MAX_METRICS_TEXT', () => {
      const line = 'm 1\n'
      const text = line.repeat(Math.ceil(MAX_METRICS_TEXT / line.length)) + 'past_the_end 1\n'
      expect(metricValue(parseMetrics(text), 'past_the_end')).toBe(0)
    })

    it('keeps at most MAX_SAMPLES samples', () => {
      expect(parseMetrics('m 1\n'.repeat(MAX_SAMPLES + 100))).toHaveLength(MAX_SAMPLES)
    })

    it('skips a line longer than MAX_LINE', () => {
      const long = `m{a="${'x'.repeat(MAX_LINE)}"} 1`
      expect(parseMetrics(`${long}\nshort 2`).map((s) => s.name)).toEqual(['short'])
    })

    it('skips a line with too many labels', () => {
      const labels = Array.from({ length: 40 }, (_, i) => `l${i}="v"`).join(',')
      expect(parseMetrics(`m{${labels}} 1`)).toEqual([])
    })

    // lines built to make a backtracking pattern try every split (the parser reads left to right instead)
    it('rejects lines made to backtrack: many labels and no end, escapes without end, stray braces', () => {
      const nasty = [
        `m{${'a="b",'.repeat(30)}`.padEnd(MAX_LINE - 10, ' ') + ' 1',
        `m{a="${'\\'.repeat(MAX_LINE - 20)}`,
        `m${' '.repeat(MAX_LINE - 10)}x y z`,
        `m{a="}"${' '.repeat(MAX_LINE - 20)}`,
      ]
      const samples = parseMetrics(Array.from({ length: 200 }, (_, i) => nasty[i % nasty.length]).join('\n'))
      expect(samples).toEqual([])
    })
  })
})
