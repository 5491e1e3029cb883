/**
 * Rows of the torrent list drawn in one task while it fills. Each row is a custom element with
 * its own shadow root: after a reload with 1,000 torrents, drawing the first 100 at once took
 * 100–150 ms in one task (docs/BENCHMARKS.md, "Scale: the page"); 20 of them take a fifth of it.
 */
export const ROWS_PER_TASK = 20

/**
 * How many rows the list draws in this update: up to `wanted` (what the filter, the search and
 * "Show more" let through), at most `step` more than it drew before. A new view (the list was
 * empty, or the filter or the search changed) starts again from its first rows rather than
 * drawing them all at once. `atLeast`: a row that must be drawn (the one the app points at) and
 * those above it.
 */
export function rowsToDraw(drawn: number, wanted: number, opts: { newView?: boolean; atLeast?: number; step?: number } = {}): number {
  const step = opts.step ?? ROWS_PER_TASK
  const grown = (opts.newView ? 0 : drawn) + step
  return Math.min(wanted, Math.max(grown, opts.atLeast ?? 0))
}
