/** Pure: an HTTP Range header against a file length (RFC 9110 §14; one range only). */
export type RangeResult =
  | { kind: 'full'; start: 0; end: number }
  | { kind: 'partial'; start: number; end: number }
  | { kind: 'unsatisfiable' }

export function resolveRange(header: string | null, length: number): RangeResult {
  const full: RangeResult = { kind: 'full', start: 0, end: length - 1 }
  if (!header) return full
  const match = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header)
  // Multiple ranges or another unit: ignore the header and send the whole file, as servers may.
  if (!match || (match[1] === '' && match[2] === '')) return full
  if (match[1] === '') {
    const suffix = Number(match[2])
    if (suffix === 0 || length === 0) return { kind: 'unsatisfiable' }
    return { kind: 'partial', start: Math.max(0, length - suffix), end: length - 1 }
  }
  const start = Number(match[1])
  const end = match[2] === '' ? length - 1 : Math.min(Number(match[2]), length - 1)
  if (start >= length || end < start) return { kind: 'unsatisfiable' }
  return { kind: 'partial', start, end }
}
