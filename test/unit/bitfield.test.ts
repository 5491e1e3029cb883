import { describe, expect, it } from 'vitest'
import { countPieces, emptyBitfield, hasPiece, leastFileSizes, setPiece, trimToFileSizes, verifiedBytes } from '../../src/core/file-storage/bitfield'

const spans = (lengths: number[]) => {
  let offset = 0
  return lengths.map((length) => { const span = { length, offset }; offset += length; return span })
}

describe('bitfield', () => {
  it('sets and reads bits high-bit first, and counts bytes with a short last piece', () => {
    const bf = emptyBitfield(10)
    expect(bf.length).toBe(2)
    setPiece(bf, 0, true)
    setPiece(bf, 9, true)
    expect(bf[0]).toBe(0x80)
    expect(bf[1]).toBe(0x40)
    expect(hasPiece(bf, 9)).toBe(true)
    expect(countPieces(bf, 10)).toBe(2)
    expect(verifiedBytes(bf, 10, 100, 950)).toBe(150)
    setPiece(bf, 9, false)
    expect(countPieces(bf, 10)).toBe(1)
  })

  it('fast resume clears pieces that lie past a missing or truncated file', () => {
    // Files of 150 and 250 bytes, pieces of 100: piece 1 spans both files.
    const files = spans([150, 250])
    const saved = new Uint8Array([0b1111_0000])
    expect(trimToFileSizes(saved, files, 100, 400, [150, 250])).toEqual({ bitfield: new Uint8Array([0b1111_0000]), cleared: 0 })
    // Second file truncated to 120 bytes: pieces 1 (needs 0..50), 2 (50..150), 3 (150..250) -> 2 and 3 go.
    expect(trimToFileSizes(saved, files, 100, 400, [150, 120])).toEqual({ bitfield: new Uint8Array([0b1100_0000]), cleared: 2 })
    // First file missing: pieces 0 and 1 go.
    expect(trimToFileSizes(saved, files, 100, 400, [-1, 250]).bitfield).toEqual(new Uint8Array([0b0011_0000]))
  })

  it('says the least size each file must have for the verified pieces, which trimToFileSizes agrees with', () => {
    // Files of 150, 0 and 250 bytes, pieces of 100: piece 1 spans the first and the last.
    const files = spans([150, 0, 250])
    expect(leastFileSizes(new Uint8Array([0b1000_0000]), files, 100, 400)).toEqual({ fileIndices: [0], minSizes: [100] })
    expect(leastFileSizes(new Uint8Array([0b0100_0000]), files, 100, 400)).toEqual({ fileIndices: [0, 2], minSizes: [150, 50] })
    expect(leastFileSizes(new Uint8Array([0b1011_0000]), files, 100, 400)).toEqual({ fileIndices: [0, 2], minSizes: [100, 250] })
    expect(leastFileSizes(new Uint8Array([0]), files, 100, 400)).toEqual({ fileIndices: [], minSizes: [] })
    // files at exactly those sizes keep every piece; one byte short of one loses the pieces in it
    const saved = new Uint8Array([0b1111_0000])
    const { fileIndices, minSizes } = leastFileSizes(saved, files, 100, 400)
    const sizes = [-1, 0, -1]
    fileIndices.forEach((index, i) => { sizes[index] = minSizes[i]! })
    expect(trimToFileSizes(saved, files, 100, 400, sizes).cleared).toBe(0)
    sizes[2]! -= 1
    expect(trimToFileSizes(saved, files, 100, 400, sizes).cleared).toBe(1)
  })
})
