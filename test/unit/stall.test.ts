import { describe, expect, it } from 'vitest'
import { STALL_FIRST_MS, STALL_MAX_MS, shownThroughRestart, stallStep, type StallState } from '../../src/core/download-manager/stall'

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

describe('the state shown through a stall restart', () => {
  it('keeps "Getting metadata" through the stop and the start (regression: it flickered to "Queued" every restart)', () => {
    const shown = (['metadata', 'queued', 'metadata'] as const).map((state) => shownThroughRestart(state, false, 'metadata').shown)
    expect(shown).toEqual(['metadata', 'metadata', 'metadata'])
  })

  it('keeps "Looking for peers" through the stop, the start and the quick check of its resume data', () => {
    for (const state of ['queued', 'checking'] as const) expect(shownThroughRestart(state, false, 'downloading')).toEqual({ shown: 'downloading', restarting: true })
  })

  it('ends once it runs again, is paused, fails, or is kept waiting in line: then the state is shown as it is', () => {
    expect(shownThroughRestart('metadata', false, 'metadata')).toEqual({ shown: 'metadata', restarting: false })
    expect(shownThroughRestart('downloading', false, 'metadata')).toEqual({ shown: 'downloading', restarting: false })
    expect(shownThroughRestart('paused', false, 'downloading')).toEqual({ shown: 'paused', restarting: false })
    expect(shownThroughRestart('error', false, 'downloading')).toEqual({ shown: 'error', restarting: false })
    expect(shownThroughRestart('queued', true, 'downloading')).toEqual({ shown: 'queued', restarting: false })
  })

  it('shows every state as it is when no restart runs', () => {
    expect(shownThroughRestart('queued', false, undefined)).toEqual({ shown: 'queued', restarting: false })
    expect(shownThroughRestart('checking', false, undefined)).toEqual({ shown: 'checking', restarting: false })
  })
})
