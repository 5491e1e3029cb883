import { createHash } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { sha256Pair } from '../../src/core/file-storage/sha256-pair'
import { runs } from '../support/property'

const sha256 = (bytes: Uint8Array) => new Uint8Array(createHash('sha256').update(bytes).digest())

describe('sha256Pair', () => {
  it('is SHA-256 of the two 32-byte halves side by side, read at any offset', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 100, maxLength: 100 }), fc.nat(68), fc.nat(68), fc.nat(68), (bytes, l, r, o) => {
      const out = new Uint8Array(100)
      sha256Pair(bytes, l, bytes, r, out, o)
      expect(out.subarray(o, o + 32)).toEqual(sha256(Uint8Array.from([...bytes.subarray(l, l + 32), ...bytes.subarray(r, r + 32)])))
    }), runs(300))
  })

  it('may write over its own inputs', () => {
    const a = Uint8Array.from({ length: 64 }, (_, i) => i)
    const want = sha256(a)
    sha256Pair(a, 0, a, 32, a, 0)
    expect(a.subarray(0, 32)).toEqual(want)
  })
})
