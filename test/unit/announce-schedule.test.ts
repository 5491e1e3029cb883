// When the bridge talks to a tracker next, whatever the tracker says (core/tracker-communication/announce-schedule.ts).
import { describe, expect, it } from 'vitest'
import {
  ANNOUNCE_CEILING_S, ANNOUNCE_FLOOR_S, DEFAULT_INTERVAL_S, EVENT_BURST, EVENT_WINDOW_S, eventWait, nextAnnounceDelay, remember, retryDelay, RETRY_CEILING_S,
} from '../../src/core/tracker-communication/announce-schedule'

describe('nextAnnounceDelay', () => {
  it.each([
    // [interval, min interval, seconds until the next announce]
    [1800, null, 1800],
    [null, null, DEFAULT_INTERVAL_S],
    [0, null, ANNOUNCE_FLOOR_S], // "interval 0" (and a parser's -1 turned into null below) once meant hundreds a second
    [1, 1, ANNOUNCE_FLOOR_S],
    [59, null, ANNOUNCE_FLOOR_S],
    [120, 900, 900], // min interval is honoured over a shorter interval
    [1800, 900, 1800],
    [365 * 86_400, null, ANNOUNCE_CEILING_S], // a year: the torrent would lose this tracker's peers for good
    [null, 365 * 86_400, ANNOUNCE_CEILING_S],
  ])('interval %o, min interval %o: %o s', (interval, minInterval, want) => {
    expect(nextAnnounceDelay(interval, minInterval)).toBe(want)
  })
})

describe('retryDelay', () => {
  it('starts at the floor and doubles up to the ceiling', () => {
    expect([1, 2, 3, 4, 5, 6, 100].map(retryDelay)).toEqual([60, 120, 240, 480, 960, 1800, RETRY_CEILING_S])
    expect(retryDelay(0)).toBe(ANNOUNCE_FLOOR_S)
  })
})

describe('eventWait', () => {
  it('lets a torrent\'s life through at once: started, completed, stopped', () => {
    let recent: number[] = []
    for (const at of [0, 100, 200]) {
      expect(eventWait(at, recent)).toBe(0)
      recent = remember(recent, at)
    }
    expect(recent).toHaveLength(EVENT_BURST)
  })
  it('holds a loop to EVENT_BURST requests per EVENT_WINDOW_S', () => {
    let recent: number[] = []
    let now = 0
    let sent = 0
    // a page that starts and stops a torrent as fast as it can, for ten minutes
    while (now < 600_000) {
      now += eventWait(now, recent)
      recent = remember(recent, now)
      sent++
      now += 1
    }
    expect(sent).toBeLessThanOrEqual(EVENT_BURST * (600 / EVENT_WINDOW_S + 1))
  })
})
