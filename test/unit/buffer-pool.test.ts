import { describe, expect, it } from 'vitest'
import { BufferPool } from '../../src/core/file-storage/buffer-pool'

describe('BufferPool', () => {
  it('gives back the very buffer it was given, for the same length only', () => {
    const pool = new BufferPool(1024)
    const a = new ArrayBuffer(100)
    pool.give(a)
    expect(pool.bytes).toBe(100)
    const other = pool.take(99)
    expect(other).not.toBe(a)
    expect(other.byteLength).toBe(99)
    expect(pool.take(100)).toBe(a)
    expect(pool.bytes).toBe(0)
    const fresh = pool.take(100)
    expect(fresh).not.toBe(a)
    expect(fresh.byteLength).toBe(100)
  })

  it('never holds more than its limit, and drops empty (detached) buffers', () => {
    const pool = new BufferPool(250)
    pool.give(new ArrayBuffer(100))
    pool.give(new ArrayBuffer(100))
    pool.give(new ArrayBuffer(100))
    expect(pool.bytes).toBe(200)
    const detached = new ArrayBuffer(8)
    structuredClone(detached, { transfer: [detached] })
    pool.give(detached)
    pool.give(new ArrayBuffer(300))
    expect(pool.bytes).toBe(200)
  })

  it('makes room for the length in use by letting other lengths go', () => {
    const pool = new BufferPool(300)
    const old1 = new ArrayBuffer(100)
    pool.give(old1)
    pool.give(new ArrayBuffer(100))
    pool.give(new ArrayBuffer(100))
    const now = new ArrayBuffer(150)
    pool.give(now)
    expect(pool.bytes).toBe(150)
    expect(pool.take(100)).not.toBe(old1)
    expect(pool.take(150)).toBe(now)
  })

  it('lets everything go on clear', () => {
    const pool = new BufferPool(1024)
    const a = new ArrayBuffer(100)
    pool.give(a)
    pool.clear()
    expect(pool.bytes).toBe(0)
    expect(pool.take(100)).not.toBe(a)
  })
})
