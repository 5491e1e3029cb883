import { describe, expect, it } from 'vitest'
import { DroppedMessages } from '../../src/core/peer-discovery/dropped-messages'

describe('DroppedMessages', () => {
  it('counts every drop by reason and warns at most once an interval, saying how many it kept quiet', () => {
    let now = 1_000
    const dropped = new DroppedMessages<'not JSON' | 'unknown action' | 'late'>(() => now, 60_000)
    expect(dropped.drop('not JSON')).toBe('not JSON') // the first is told at once
    for (let i = 0; i < 499; i++) expect(dropped.drop('not JSON')).toBeUndefined()
    expect(dropped.drop('unknown action')).toBeUndefined()
    now += 59_999
    expect(dropped.drop('unknown action')).toBeUndefined()
    now += 1
    expect(dropped.drop('not JSON')).toBe('not JSON (and 501 more dropped since the last warning)')
    expect(dropped.counts.get('not JSON')).toBe(501)
    expect(dropped.counts.get('unknown action')).toBe(2)
    expect(dropped.total).toBe(503)
  })

  it('counts a quiet drop without ever warning about it', () => {
    let now = 0
    const dropped = new DroppedMessages<'late' | 'not JSON'>(() => now, 10)
    for (let i = 0; i < 3; i++) {
      expect(dropped.drop('late', true)).toBeUndefined()
      now += 100
    }
    expect(dropped.counts.get('late')).toBe(3)
    expect(dropped.drop('not JSON')).toBe('not JSON') // the quiet ones are not in its count
  })
})
