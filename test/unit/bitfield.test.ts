import { describe, expect, it } from 'vitest'
import { countPieces, emptyBitfield, hasPiece, setPiece, trimToFileSizes, verifiedBytes } from '../../src/core/file-storage/bitfield'

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
})
