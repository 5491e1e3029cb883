import { describe, it, expect } from 'vitest'
import { fileProgress, filePieceRange, pieceLengthAt, pieceSlices, type FileSpan } from '../../src/core/pieces'

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
