import { describe, expect, it } from 'vitest'
import { BATCH_MAX_BYTES, MessageBatch } from '../../src/core/api-gateway/message-batch'

describe('the bridge socket worker\'s message batch', () => {
  it('gives the messages back in arrival order, with every binary one to transfer and no text one', () => {
    const batch = new MessageBatch()
    const a = new ArrayBuffer(10)
    const b = new ArrayBuffer(20)
    expect(batch.add(a)).toBe(false)
    expect(batch.add('text')).toBe(false)
    expect(batch.add(b)).toBe(false)
    expect(batch.size).toBe(3)
    const { data, transfer } = batch.take()
    expect(data[0]).toBe(a)
    expect(data[1]).toBe('text')
    expect(data[2]).toBe(b)
    expect(transfer).toEqual([a, b])
    expect(transfer[0]).toBe(a)
  })

  it('says to send at once when it holds its most bytes, and is empty after a take', () => {
    const batch = new MessageBatch(100)
    expect(batch.add(new ArrayBuffer(60))).toBe(false)
    expect(batch.add(new ArrayBuffer(40))).toBe(true)
    expect(batch.take().data).toHaveLength(2)
    expect(batch.size).toBe(0)
    expect(batch.take()).toEqual({ data: [], transfer: [] })
    // counted afresh after a take
    expect(batch.add(new ArrayBuffer(60))).toBe(false)
  })

  it('holds at most a few of the bridge\'s largest frames before it goes', () => {
    const batch = new MessageBatch()
    let added = 0
    while (!batch.add(new ArrayBuffer(256 * 1024 + 7))) added++
    expect(added + 1).toBeLessThanOrEqual(Math.ceil(BATCH_MAX_BYTES / (256 * 1024)))
  })
})
