/**
 * Piece ↔ file arithmetic. The storage layer calls these for every block, so they avoid
 * allocations beyond the result array and find files by binary search.
 * `files` must be in torrent order with contiguous offsets (as Metainfo.files are).
 */

export interface FileSpan {
  length: number
  offset: number // byte offset of the file in the torrent
}

export interface PieceSlice {
  fileIndex: number
  fileOffset: number // where the slice starts within the file
  pieceOffset: number // where the slice starts within the piece
  length: number
}

/** Length of piece `index`: `pieceLength`, except a shorter last piece; 0 outside the torrent. */
export function pieceLengthAt(index: number, pieceLength: number, totalLength: number): number {
  if (index < 0) return 0
  const start = index * pieceLength
  return Math.max(0, Math.min(pieceLength, totalLength - start))
}

/** Index of the first file whose end lies beyond `pos` (so it contains `pos` unless zero-length). */
function firstFileEndingAfter(files: readonly FileSpan[], pos: number): number {
  let lo = 0
  let hi = files.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    const f = files[mid] as FileSpan
    if (f.offset + f.length > pos) hi = mid
    else lo = mid + 1
  }
  return lo
}

/**
 * The parts of byte range [index*pieceLength + offset, + length) in each file, in order,
 * skipping zero-length files. `offset` and `length` default to the whole piece.
 * Throws RangeError when the range is outside the piece (a caller bug, not user input).
 */
export function pieceSlices(
  files: readonly FileSpan[],
  pieceLength: number,
  index: number,
  totalLength: number,
  offset = 0,
  length?: number,
): PieceSlice[] {
  const size = pieceLengthAt(index, pieceLength, totalLength)
  const want = length ?? size - offset
  if (!(offset >= 0 && want >= 0 && offset + want <= size)) {
    throw new RangeError(`Range ${offset}+${want} is outside piece ${index} of length ${size}.`)
  }
  const out: PieceSlice[] = []
  const pieceStart = index * pieceLength
  let pos = pieceStart + offset
  const end = pos + want
  for (let i = firstFileEndingAfter(files, pos); pos < end && i < files.length; i++) {
    const f = files[i] as FileSpan
    if (f.length === 0) continue
    const fileEnd = f.offset + f.length
    const sliceEnd = Math.min(end, fileEnd)
    out.push({ fileIndex: i, fileOffset: pos - f.offset, pieceOffset: pos - pieceStart, length: sliceEnd - pos })
    pos = sliceEnd
  }
  return out
}

/** First and last piece touching the file; null for zero-length files, which touch none. */
export function filePieceRange(file: FileSpan, pieceLength: number): { first: number; last: number } | null {
  if (file.length <= 0) return null
  return {
    first: Math.floor(file.offset / pieceLength),
    last: Math.floor((file.offset + file.length - 1) / pieceLength),
  }
}

/**
 * Bytes of the file downloaded: its part of every verified piece (`has`), exactly, plus for a
 * piece not yet verified its share of the `received` bytes of that piece, pro rata to the file's
 * part of it (which blocks arrived is not known here). Never below 0, and below the file's length
 * until every piece of it is verified: a received piece may still fail its hash. webtorrent's
 * own File.downloaded went negative for a file that ends on a piece boundary (issue 12).
 */
export function fileProgress(
  file: FileSpan,
  pieceLength: number,
  totalLength: number,
  has: (piece: number) => boolean,
  received?: (piece: number) => number,
): number {
  const range = filePieceRange(file, pieceLength)
  if (!range) return 0
  const fileEnd = file.offset + file.length
  let bytes = 0
  let whole = true
  for (let p = range.first; p <= range.last; p++) {
    const start = p * pieceLength
    const size = pieceLengthAt(p, pieceLength, totalLength)
    const overlap = Math.max(0, Math.min(start + size, fileEnd) - Math.max(start, file.offset))
    if (has(p)) {
      bytes += overlap
      continue
    }
    whole = false
    const got = received && size > 0 ? received(p) : 0
    // NaN or out of range from the engine counts as nothing, or as the whole piece at most
    if (got > 0) bytes += Math.floor((Math.min(got, size) * overlap) / size)
  }
  return whole ? Math.min(bytes, file.length) : Math.max(0, Math.min(bytes, file.length - 1))
}

/** Every piece the file touches is verified; a zero-length file touches none, so it is complete. */
export function fileComplete(file: FileSpan, pieceLength: number, has: (piece: number) => boolean): boolean {
  const range = filePieceRange(file, pieceLength)
  if (!range) return true
  for (let p = range.first; p <= range.last; p++) if (!has(p)) return false
  return true
}
