import { describe, expect, it } from 'vitest'
import { ReannounceSchedule } from '../../src/core/tracker-communication/reannounce-schedule'

// The clock is a number given to each call: these tests count announces per tick, they never wait.
describe('ReannounceSchedule: each tracker due one interval after its setInterval, then every interval', () => {
  it('is due one interval after set, then every interval after, at 1 s ticks', () => {
    const s = new ReannounceSchedule<string>()
    s.set('a', 3000, 0)
    const fired: number[] = []
    for (let t = 1000; t <= 10_000; t += 1000) if (s.takeDue(t).includes('a')) fired.push(t)
    expect(fired).toEqual([3000, 6000, 9000])
  })

  it('does not drift when the ticks come late: the next is due an interval after the last was due', () => {
    const s = new ReannounceSchedule<string>()
    s.set('a', 3000, 0)
    expect(s.takeDue(3900)).toEqual(['a'])
    expect(s.takeDue(5999)).toEqual([])
    expect(s.takeDue(6000)).toEqual(['a'])
  })

  it('fires all the trackers due in one call, the longest overdue first, and none early', () => {
    const s = new ReannounceSchedule<string>()
    s.set('late', 1000, 0)
    s.set('later', 2000, 500)
    s.set('early', 1000, 1500)
    s.set('not yet', 5000, 0)
    expect(s.takeDue(2600)).toEqual(['late', 'later', 'early'])
    expect(s.takeDue(2600), 'each once').toEqual([])
  })

  it('a new interval (an answer carrying one) replaces the old from that moment', () => {
    const s = new ReannounceSchedule<string>()
    s.set('a', 30_000, 0)
    s.set('a', 12_000, 5000)
    expect(s.intervalOf('a')).toBe(12_000)
    expect(s.takeDue(16_999)).toEqual([])
    expect(s.takeDue(17_000)).toEqual(['a'])
    expect(s.takeDue(29_000)).toEqual(['a'])
  })

  it('an interval of 0 clears it, as bittorrent-tracker\'s setInterval(0); delete clears it (destroy)', () => {
    const s = new ReannounceSchedule<string>()
    s.set('a', 1000, 0)
    s.set('b', 1000, 0)
    s.set('a', 0, 0)
    expect(s.delete('b')).toBe(true)
    expect(s.delete('b')).toBe(false)
    expect(s.size).toBe(0)
    expect(s.takeDue(10_000)).toEqual([])
  })

  it('a tracker late by several intervals (a throttled page) announces once, not once per period missed', () => {
    const s = new ReannounceSchedule<string>()
    s.set('a', 1000, 0)
    expect(s.takeDue(10_000)).toEqual(['a'])
    expect(s.takeDue(10_500)).toEqual([])
    expect(s.takeDue(11_000)).toEqual(['a'])
  })

  it('a negative, NaN or infinite interval (a browser\'s setInterval takes each as 0) is due every tick, no more', () => {
    const s = new ReannounceSchedule<string>()
    s.set('neg', -1000, 0)
    s.set('nan', Number.NaN, 0)
    s.set('inf', Number.POSITIVE_INFINITY, 0)
    for (let t = 1000; t <= 3000; t += 1000) expect(s.takeDue(t).sort()).toEqual(['inf', 'nan', 'neg'])
  })
})
