import { pieceSlices, type FileSpan } from './pieces'

/** BitTorrent bitfields: piece 0 is the high bit of byte 0. */
export function hasPiece(bitfield: Uint8Array, index: number): boolean {
  return ((bitfield[index >> 3] ?? 0) & (0x80 >> (index & 7))) !== 0
}

export function setPiece(bitfield: Uint8Array, index: number, value: boolean): void {
  const byte = index >> 3
  if (byte >= bitfield.length) return
  if (value) bitfield[byte] = bitfield[byte]! | (0x80 >> (index & 7))
  else bitfield[byte] = bitfield[byte]! & ~(0x80 >> (index & 7))
}

export function emptyBitfield(pieceCount: number): Uint8Array {
  return new Uint8Array(Math.ceil(pieceCount / 8))
}

export function countPieces(bitfield: Uint8Array, pieceCount: number): number {
  let count = 0
  for (let i = 0; i < pieceCount; i++) if (hasPiece(bitfield, i)) count++
  return count
}

/** Bytes covered by the pieces set in the bitfield (the last piece may be short). */
export function verifiedBytes(bitfield: Uint8Array, pieceCount: number, pieceLength: number, totalLength: number): number {
  let bytes = 0
  for (let i = 0; i < pieceCount; i++) {
    if (hasPiece(bitfield, i)) bytes += Math.min(pieceLength, totalLength - i * pieceLength)
  }
  return bytes
}

/**
 * Fast resume trusts a saved bitfield, except where the files on disk cannot hold it: a piece
 * any part of which lies past its file's current size (a missing or truncated file) is cleared.
 * `sizes[i]` is file i's size on disk, or -1 when it does not exist.
 */
export function trimToFileSizes(
  saved: Uint8Array, files: readonly FileSpan[], pieceLength: number, totalLength: number, sizes: readonly number[],
): { bitfield: Uint8Array; cleared: number } {
  const pieceCount = Math.ceil(totalLength / pieceLength)
  const bitfield = emptyBitfield(pieceCount)
  bitfield.set(saved.subarray(0, bitfield.length))
  let cleared = 0
  for (let i = 0; i < pieceCount; i++) {
    if (!hasPiece(bitfield, i)) continue
    const fits = pieceSlices(files, pieceLength, i, totalLength)
      .every((slice) => (sizes[slice.fileIndex] ?? -1) >= slice.fileOffset + slice.length)
    if (!fits) {
      setPiece(bitfield, i, false)
      cleared++
    }
  }
  return { bitfield, cleared }
}

/**
 * What trusted resume data says must be on disk: for each file a verified piece touches, the
 * least size it must have (the end of the piece's last byte in it). A file at least that long
 * holds every verified piece's bytes in it, as `trimToFileSizes` checks; the storage worker checks
 * it file by file instead of reading every file's size before the torrent starts.
 */
export function leastFileSizes(
  bitfield: Uint8Array, files: readonly FileSpan[], pieceLength: number, totalLength: number,
): { fileIndices: number[]; minSizes: number[] } {
  const least = new Map<number, number>()
  const pieceCount = Math.ceil(totalLength / pieceLength)
  for (let i = 0; i < pieceCount; i++) {
    if (!hasPiece(bitfield, i)) continue
    for (const slice of pieceSlices(files, pieceLength, i, totalLength)) {
      const end = slice.fileOffset + slice.length
      if (end > (least.get(slice.fileIndex) ?? -1)) least.set(slice.fileIndex, end)
    }
  }
  const fileIndices = [...least.keys()].sort((a, b) => a - b)
  return { fileIndices, minSizes: fileIndices.map((index) => least.get(index)!) }
}
