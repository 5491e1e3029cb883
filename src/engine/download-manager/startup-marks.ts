/**
 * Where a reload's time goes until the torrents run again: a User Timing mark (`startup:STEP`) the
 * first time each step happens in this page, read by test/bench/huge-resume.ts next to the
 * navigation's own timing. Only the first of each: 1,000 torrents starting would otherwise leave
 * thousands of entries in the timeline for nothing.
 */
const marked = new Set<string>()

export function markStartupStep(step: string): void {
  if (marked.has(step) || typeof performance === 'undefined' || typeof performance.mark !== 'function') return
  marked.add(step)
  performance.mark(`startup:${step}`)
}
