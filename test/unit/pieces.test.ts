import { describe, it, expect } from 'vitest'
import { fileComplete, fileProgress, filePieceRange, pieceLengthAt, pieceSlices, type FileSpan } from '../../src/core/file-storage/pieces'

/** Builds contiguous file spans from lengths. */
function spans(...lengths: number[]): FileSpan[] {
  let offset = 0
  return lengths.map((length) => {
    const f = { length, offset }
    offset += length
    return f
  })
}

const total = (files: FileSpan[]): number => files.reduce((n, f) => n + f.length, 0)

describe('pieceLengthAt', () => {
  it('returns full pieces, a short last piece, and 0 outside', () => {
    expect(pieceLengthAt(0, 16, 40)).toBe(16)
    expect(pieceLengthAt(1, 16, 40)).toBe(16)
    expect(pieceLengthAt(2, 16, 40)).toBe(8)
    expect(pieceLengthAt(3, 16, 40)).toBe(0)
    expect(pieceLengthAt(-1, 16, 40)).toBe(0)
    expect(pieceLengthAt(1, 16, 32)).toBe(16)
  })
})

describe('pieceSlices', () => {
  // files: [0,10) [10,10) empty, [10,30) [30,30) empty [30,45)
  const files = spans(10, 0, 20, 0, 15)
  const len = total(files)

  it('splits a piece across file boundaries, skipping zero-length files', () => {
    expect(pieceSlices(files, 16, 0, len)).toEqual([
      { fileIndex: 0, fileOffset: 0, pieceOffset: 0, length: 10 },
      { fileIndex: 2, fileOffset: 0, pieceOffset: 10, length: 6 },
    ])
    expect(pieceSlices(files, 16, 1, len)).toEqual([
      { fileIndex: 2, fileOffset: 6, pieceOffset: 0, length: 14 },
      { fileIndex: 4, fileOffset: 0, pieceOffset: 14, length: 2 },
    ])
  })

  it('handles the short last piece', () => {
    expect(pieceSlices(files, 16, 2, len)).toEqual([{ fileIndex: 4, fileOffset: 2, pieceOffset: 0, length: 13 }])
  })

  it('handles sub-ranges within a piece', () => {
    expect(pieceSlices(files, 16, 0, len, 8, 4)).toEqual([
      { fileIndex: 0, fileOffset: 8, pieceOffset: 8, length: 2 },
      { fileIndex: 2, fileOffset: 0, pieceOffset: 10, length: 2 },
    ])
    expect(pieceSlices(files, 16, 1, len, 14)).toEqual([{ fileIndex: 4, fileOffset: 0, pieceOffset: 14, length: 2 }])
    expect(pieceSlices(files, 16, 0, len, 3, 0)).toEqual([])
  })

  it('starts exactly at a file boundary', () => {
    expect(pieceSlices(spans(16, 16), 16, 1, 32)).toEqual([{ fileIndex: 1, fileOffset: 0, pieceOffset: 0, length: 16 }])
    // a zero-length file at the boundary is skipped, not returned as an empty slice
    expect(pieceSlices(spans(16, 0, 16), 16, 1, 32)).toEqual([{ fileIndex: 2, fileOffset: 0, pieceOffset: 0, length: 16 }])
  })

  it('rejects ranges outside the piece', () => {
    expect(() => pieceSlices(files, 16, 2, len, 0, 14)).toThrow(RangeError)
    expect(() => pieceSlices(files, 16, 0, len, -1, 2)).toThrow(RangeError)
    expect(() => pieceSlices(files, 16, 0, len, 17)).toThrow(RangeError)
    expect(() => pieceSlices(files, 16, 5, len, 0, 1)).toThrow(RangeError)
  })

  it('covers every byte exactly once for many layouts', () => {
    const layouts = [spans(1), spans(100), spans(0, 5, 0, 0, 7, 1, 0, 33), spans(16, 16, 16), spans(3, 3, 3, 3, 3, 3, 3, 3, 3)]
    for (const layout of layouts) {
      const size = total(layout)
      for (const pl of [1, 2, 5, 16, 64]) {
        const owner: number[] = []
        const pieces = Math.ceil(size / pl)
        for (let p = 0; p < pieces; p++) {
          let expectedPieceOffset = 0
          for (const s of pieceSlices(layout, pl, p, size)) {
            expect(s.length).toBeGreaterThan(0)
            expect(s.pieceOffset).toBe(expectedPieceOffset)
            expectedPieceOffset += s.length
            const f = layout[s.fileIndex] as FileSpan
            expect(s.fileOffset + s.length).toBeLessThanOrEqual(f.length)
            for (let i = 0; i < s.length; i++) owner.push(f.offset + s.fileOffset + i)
          }
          expect(expectedPieceOffset).toBe(pieceLengthAt(p, pl, size))
        }
        expect(owner).toEqual(Array.from({ length: size }, (_, i) => i))
      }
    }
  })
})

describe('filePieceRange', () => {
  it('finds the first and last piece of a file', () => {
    expect(filePieceRange({ offset: 0, length: 10 }, 16)).toEqual({ first: 0, last: 0 })
    expect(filePieceRange({ offset: 10, length: 20 }, 16)).toEqual({ first: 0, last: 1 })
    expect(filePieceRange({ offset: 16, length: 16 }, 16)).toEqual({ first: 1, last: 1 })
    expect(filePieceRange({ offset: 15, length: 2 }, 16)).toEqual({ first: 0, last: 1 })
  })

  it('returns null for zero-length files', () => {
    expect(filePieceRange({ offset: 16, length: 0 }, 16)).toBeNull()
  })
})

describe('fileProgress', () => {
  const files = spans(10, 0, 20, 15) // pieces of 16: [0,16) [16,32) [32,45)
  const len = total(files)
  const have = (...pieces: number[]) => (p: number) => pieces.includes(p)

  it('counts partial overlap of boundary pieces exactly', () => {
    const [a, empty, b, c] = files as [FileSpan, FileSpan, FileSpan, FileSpan]
    expect(fileProgress(a, 16, len, have(0))).toBe(10)
    expect(fileProgress(b, 16, len, have(0))).toBe(6)
    expect(fileProgress(b, 16, len, have(1))).toBe(14)
    expect(fileProgress(b, 16, len, have(0, 1))).toBe(20)
    expect(fileProgress(c, 16, len, have(1))).toBe(2)
    expect(fileProgress(c, 16, len, have(2))).toBe(13)
    expect(fileProgress(c, 16, len, have(0, 1, 2))).toBe(15)
    expect(fileProgress(empty, 16, len, have(0, 1, 2))).toBe(0)
    expect(fileProgress(a, 16, len, have())).toBe(0)
  })

  it('sums to the total of verified pieces', () => {
    const got = files.reduce((n, f) => n + fileProgress(f, 16, len, have(0, 2)), 0)
    expect(got).toBe(16 + 13)
  })

  it('only asks about pieces that touch the file', () => {
    const asked: number[] = []
    fileProgress(files[3] as FileSpan, 16, len, (p) => (asked.push(p), true))
    expect(asked).toEqual([1, 2])
  })
})

/** Bytes of `file` inside verified pieces, counted one byte at a time: the oracle for fileProgress. */
function bruteProgress(file: FileSpan, pieceLength: number, has: (p: number) => boolean): number {
  let bytes = 0
  for (let b = file.offset; b < file.offset + file.length; b++) if (has(Math.floor(b / pieceLength))) bytes++
  return bytes
}

/** Deterministic pseudo-random numbers (a linear congruential generator), so failures repeat. */
function lcg(seed: number): () => number {
  let x = seed
  return () => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
}

describe('fileProgress and fileComplete for every alignment', () => {
  const P = 16
  const all = () => true
  const none = () => false
  const have = (...pieces: number[]) => (p: number) => pieces.includes(p)

  it('issue 12: a file starting inside the last piece and ending the torrent on a boundary counts its own bytes', () => {
    // four files, 8 pieces of 16, the total a multiple of the piece length; the last file: 4 bytes in piece 7
    const files = spans(32, 45, 47, 4)
    const last = files[3] as FileSpan
    expect(last.offset % P).toBe(12)
    expect(fileProgress(last, P, 128, all)).toBe(4)
    expect(fileProgress(last, P, 128, have(7))).toBe(4)
    expect(fileComplete(last, P, have(7))).toBe(true)
    expect(fileProgress(last, P, 128, have(6))).toBe(0)
    expect(fileComplete(last, P, have(6))).toBe(false)
  })

  // [name, file, total length, verified pieces, expected bytes]
  const cases: [string, FileSpan, number, number[], number][] = [
    ['starts and ends on boundaries, one piece', { offset: 16, length: 16 }, 64, [1], 16],
    ['starts and ends on boundaries, many pieces', { offset: 16, length: 32 }, 64, [1, 2], 32],
    ['starts and ends on boundaries, one of many pieces missing', { offset: 16, length: 32 }, 64, [1], 16],
    ['starts on a boundary, ends inside', { offset: 16, length: 20 }, 64, [1, 2], 20],
    ['starts on a boundary, ends inside, its last piece missing', { offset: 16, length: 20 }, 64, [1], 16],
    ['starts inside, ends on a boundary, one piece', { offset: 20, length: 12 }, 64, [1], 12],
    ['starts inside, ends on a boundary, many pieces', { offset: 20, length: 28 }, 64, [1, 2], 28],
    ['starts inside, ends on a boundary, its first piece missing', { offset: 20, length: 28 }, 64, [2], 16],
    ['starts and ends inside one piece', { offset: 18, length: 5 }, 64, [1], 5],
    ['starts and ends inside, spanning many pieces', { offset: 5, length: 50 }, 64, [0, 1, 2, 3], 50],
    ['spanning many pieces, the middle ones only', { offset: 5, length: 50 }, 64, [1, 2], 32],
    ['ends the torrent in a short last piece', { offset: 40, length: 10 }, 50, [2, 3], 10],
    ['lies inside a short last piece', { offset: 49, length: 1 }, 50, [3], 1],
    ['ends the torrent in a full last piece', { offset: 40, length: 24 }, 64, [2, 3], 24],
    ['the whole torrent, a short last piece', { offset: 0, length: 50 }, 50, [0, 1, 2, 3], 50],
    ['the whole torrent, a full last piece', { offset: 0, length: 64 }, 64, [0, 1, 2, 3], 64],
  ]
  for (const [name, file, totalLength, verified, bytes] of cases) {
    it(name, () => {
      expect(fileProgress(file, P, totalLength, have(...verified))).toBe(bytes)
      expect(fileProgress(file, P, totalLength, all)).toBe(file.length)
      expect(fileProgress(file, P, totalLength, none)).toBe(0)
      expect(fileComplete(file, P, have(...verified))).toBe(bytes === file.length)
      expect(fileComplete(file, P, all)).toBe(true)
      expect(fileComplete(file, P, none)).toBe(false)
    })
  }

  it('zero-length files count nothing and are complete, on a boundary or inside a piece', () => {
    for (const offset of [0, 16, 20, 64]) {
      expect(fileProgress({ offset, length: 0 }, P, 64, all)).toBe(0)
      expect(fileComplete({ offset, length: 0 }, P, none)).toBe(true)
    }
  })

  it('matches a byte-by-byte count, and is complete exactly at full length, for random layouts and pieces', () => {
    const random = lcg(12)
    for (let round = 0; round < 300; round++) {
      const lengths = Array.from({ length: 1 + Math.floor(random() * 6) }, () => (random() < 0.2 ? 0 : Math.floor(random() * 70)))
      const files = spans(...lengths)
      const size = total(files)
      if (size === 0) continue
      const pieceLength = [1, 3, 16, 32, 100][Math.floor(random() * 5)]!
      const verified = new Set(Array.from({ length: Math.ceil(size / pieceLength) }, (_, p) => p).filter(() => random() < 0.6))
      const has = (p: number) => verified.has(p)
      for (const file of files) {
        const bytes = fileProgress(file, pieceLength, size, has)
        expect(bytes).toBe(bruteProgress(file, pieceLength, has))
        expect(fileComplete(file, pieceLength, has)).toBe(bytes === file.length)
      }
    }
  })

  describe('with the bytes received of pieces not yet verified', () => {
    // files [0,10) [10,30) [30,45); pieces [0,16) [16,32) [32,45)
    const [a, b, c] = spans(10, 20, 15) as [FileSpan, FileSpan, FileSpan]
    const got = (bytes: Record<number, number>) => (p: number) => bytes[p] ?? 0

    it('adds each file its share of a piece, pro rata to its part of the piece', () => {
      expect(fileProgress(a, 16, 45, none, got({ 0: 8 }))).toBe(5) // 8 × 10/16
      expect(fileProgress(b, 16, 45, none, got({ 0: 8 }))).toBe(3) // 8 × 6/16
      expect(fileProgress(c, 16, 45, none, got({ 2: 13 }))).toBe(13) // its 13 bytes of the short last piece, received, not verified
      expect(fileProgress(b, 16, 45, have(0), got({ 1: 7 }))).toBe(6 + 6) // 6 verified, 7 × 14/16 received
    })

    it('stays below the file length until every piece of it is verified', () => {
      expect(fileProgress(a, 16, 45, none, got({ 0: 16 }))).toBe(9)
      expect(fileProgress(b, 16, 45, have(1), got({ 0: 16 }))).toBe(19)
      expect(fileProgress(b, 16, 45, have(0, 1), got({ 0: 16, 1: 16 }))).toBe(20)
    })

    it('ignores received bytes of verified pieces, and nonsense from the engine', () => {
      expect(fileProgress(a, 16, 45, have(0), got({ 0: 3 }))).toBe(10)
      expect(fileProgress(a, 16, 45, none, () => -5)).toBe(0)
      expect(fileProgress(a, 16, 45, none, () => Number.NaN)).toBe(0)
      expect(fileProgress(a, 16, 45, none, () => 1e9)).toBe(9)
    })

    it('issue 12: never negative for the file that ends on a boundary, whatever is received', () => {
      const last = { offset: 124, length: 4 }
      for (let r = 0; r <= 16; r++) {
        const bytes = fileProgress(last, 16, 128, none, () => r)
        expect(bytes).toBeGreaterThanOrEqual(0)
        expect(bytes).toBeLessThan(4)
      }
    })
  })
})
