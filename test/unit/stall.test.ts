import { describe, expect, it } from 'vitest'
import { STALL_FIRST_MS, STALL_MAX_MS, stallStep, type StallState } from '../../src/core/download-manager/stall'

describe('stall recovery', () => {
  it('restarts a torrent without peers after 15 s, then waits twice as long each time, up to 5 min', () => {
    let state: StallState = {}
    let now = 0
    const restarts: number[] = []
    while (now < 30 * 60_000) {
      const step = stallStep(state, true, 0, now)
      state = step.state
      if (step.restart) restarts.push(now)
      now += 1000
    }
    expect(restarts[0]).toBe(STALL_FIRST_MS)
    expect(restarts[1]! - restarts[0]!).toBe(2 * STALL_FIRST_MS + 1000)
    expect(Math.max(...restarts.slice(1).map((t, i) => t - restarts[i]!))).toBeLessThanOrEqual(STALL_MAX_MS + 1000)
  })

  it('never restarts while the torrent has peers, checks its data or is complete; peers reset the wait', () => {
    expect(stallStep({ noPeersSince: 0, backoffMs: 60_000 }, true, 2, 10 * 60_000)).toEqual({ state: { backoffMs: STALL_FIRST_MS }, restart: false })
    expect(stallStep({ noPeersSince: 0 }, false, 0, 10 * 60_000).restart).toBe(false)
    expect(stallStep({ noPeersSince: 0, backoffMs: 60_000 }, false, 0, 1).state).toEqual({ backoffMs: 60_000 })
  })
})
