import { describe, expect, it } from 'vitest'
import { concatBytes, ownsWholeBuffer } from '../../src/core/bytes'

describe('bytes', () => {
  it('concatenates, cut at max', () => {
    const parts = [new Uint8Array([1, 2]), new Uint8Array([3]), new Uint8Array([4, 5])]
    expect([...concatBytes(parts)]).toEqual([1, 2, 3, 4, 5])
    expect([...concatBytes(parts, 4)]).toEqual([1, 2, 3, 4])
  })

  it('knows a view that owns its whole buffer (safe to transfer) from a slice of a larger one', () => {
    expect(ownsWholeBuffer(new Uint8Array(16))).toBe(true)
    const big = new Uint8Array(32)
    expect(ownsWholeBuffer(big.subarray(0, 16))).toBe(false)
    expect(ownsWholeBuffer(big.subarray(16))).toBe(false)
    expect(ownsWholeBuffer(new Uint8Array(new SharedArrayBuffer(8)))).toBe(false)
  })
})
