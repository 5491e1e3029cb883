/**
 * A web seed's answer to `Range: bytes=start-end` (RFC 9110 14), judged and read with limits: the
 * one place that decides which bytes of a stranger's HTTP answer are the range asked for. The
 * bridge's fetches (Node) and the page's own (fetch) both read through it.
 *
 * A web seed may answer 206 with the range, 200 with the whole file (it ignores Range), or lie:
 * another range, fewer bytes, more bytes. Only the bytes asked for are ever kept: a 206 whose
 * Content-Range starts elsewhere is refused, a 200 is read only as far as the range's end (and
 * only when the range starts near the file's start), and an answer that ends early is a short read.
 * Wrong bytes of the right length pass here: piece hashes catch those.
 */

/** How a range fetch failed, as the web seed connection judges it. */
export type RangeFailure =
  /** The web seed's fault: an HTTP error, a short or wrong answer, a timeout. */
  | 'failed'
  /** The destination policy refused where it, or a redirect, leads. */
  | 'refused'
  /** The bridge is at its caps or not connected: not the web seed's fault, try later. */
  | 'busy'
  /** The page's own fetch could not reach it at all (CORS, mixed content, network): try the bridge. */
  | 'unreachable'

export class RangeFetchError extends Error {
  override name = 'RangeFetchError'
  constructor(readonly failure: RangeFailure, message: string) {
    super(message)
  }
}

/**
 * Most bytes of a 200 answer read and thrown away before the range: a server that ignores Range
 * is still usable for ranges near a file's start (small files, whole at once), not for a range a
 * gigabyte in, which would cost a gigabyte of its bandwidth each time.
 */
export const MAX_SKIPPED_BYTES = 1024 * 1024
/** A body that sends nothing for this long (while it is being read) has stalled. */
export const BODY_IDLE_MS = 30_000
/** Longest Content-Range header read: `bytes a-b/c` with 16-digit numbers is 56 characters. */
const MAX_CONTENT_RANGE_CHARS = 100

export type RangePlan = { ok: true; skip: number } | { ok: false; reason: string }

/** `bytes first-last/size` (size may be `*`), or null when the header says anything else. */
export function parseContentRange(header: string): { first: number; last: number; size: number | null } | null {
  if (header.length > MAX_CONTENT_RANGE_CHARS) return null
  const m = /^\s*bytes\s+(\d{1,16})-(\d{1,16})\/(\d{1,16}|\*)\s*$/i.exec(header)
  if (!m) return null
  const first = Number(m[1])
  const last = Number(m[2])
  const size = m[3] === '*' ? null : Number(m[3])
  if (!Number.isSafeInteger(first) || !Number.isSafeInteger(last) || last < first) return null
  if (size !== null && (!Number.isSafeInteger(size) || last >= size)) return null
  return { first, last, size }
}

/**
 * Which bytes of the body to read for the range [start, start + length): `skip` bytes to throw
 * away first, then `length` to keep. `contentRange` is null when the header is absent or cannot
 * be read (a cross-origin answer hides it unless the server exposes it); `contentLength` null when
 * absent or not a number.
 */
export function planRangeBody(status: number, contentRange: string | null, contentLength: number | null, start: number, length: number): RangePlan {
  const end = start + length - 1
  if (status === 206) {
    if (contentRange === null) {
      // unseen (cross-origin) or absent: the byte count still has to come out right
      if (contentLength !== null && contentLength !== length) return { ok: false, reason: `it answered ${contentLength} bytes for a range of ${length}` }
      return { ok: true, skip: 0 }
    }
    const range = parseContentRange(contentRange)
    if (!range) return { ok: false, reason: `its Content-Range "${clip(contentRange)}" is not one` }
    if (range.first !== start) return { ok: false, reason: `it answered bytes ${range.first}-${range.last} for ${start}-${end}` }
    if (range.last < end) return { ok: false, reason: `it has bytes ${range.first}-${range.last}${range.size === null ? '' : ` of ${range.size}`}, the torrent needs ${start}-${end}` }
    return { ok: true, skip: 0 }
  }
  if (status === 200) {
    if (start > MAX_SKIPPED_BYTES) return { ok: false, reason: `it ignores range requests (HTTP 200 for bytes ${start}-${end})` }
    if (contentLength !== null && contentLength <= end) return { ok: false, reason: `its file is ${contentLength} bytes, the torrent needs ${end + 1}` }
    return { ok: true, skip: start }
  }
  if (status === 416) return { ok: false, reason: `its file is shorter than the torrent says (HTTP 416 for bytes ${start}-${end})` }
  return { ok: false, reason: `HTTP ${status}` }
}

/** A Content-Length header as a number, or null when absent or not a plain decimal. */
export function contentLengthOf(header: string | null | undefined): number | null {
  if (typeof header !== 'string' || !/^\s*\d{1,16}\s*$/.test(header)) return null
  const n = Number(header)
  return Number.isSafeInteger(n) ? n : null
}

/**
 * Cuts a body's chunks to the range: skips `skip` bytes, then passes on exactly `length` bytes
 * (views of the chunks, not copies); bytes past them are never passed on (the caller stops
 * reading once `done`).
 */
export class RangeReader {
  private skipLeft: number
  private taken = 0

  constructor(skip: number, readonly length: number) {
    this.skipLeft = skip
  }

  get done(): boolean { return this.taken === this.length }
  get received(): number { return this.taken }

  /** The part of `chunk` that belongs to the range (maybe empty). */
  push(chunk: Uint8Array): Uint8Array {
    let from = 0
    if (this.skipLeft > 0) {
      from = Math.min(this.skipLeft, chunk.length)
      this.skipLeft -= from
    }
    const n = Math.min(chunk.length - from, this.length - this.taken)
    if (n <= 0) return chunk.subarray(0, 0)
    this.taken += n
    return chunk.subarray(from, from + n)
  }

  /** Why the body, now ended, does not hold the range; null when it does. */
  shortfall(): string | null {
    return this.done ? null : `its answer was cut short: ${this.taken} of ${this.length} bytes`
  }
}

function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 60)}…` : text
}
