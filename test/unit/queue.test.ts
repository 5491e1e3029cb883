import { describe, expect, it } from 'vitest'
import { GOAL_GRACE_MS, goalStep, planQueue, seedingGoalMet } from '../../src/core/download-manager/queue'

describe('queue', () => {
  const entry = (infoHash: string, over: Partial<{ paused: boolean; complete: boolean; goalReached: boolean }> = {}) =>
    ({ infoHash, paused: false, complete: false, goalReached: false, ...over })

  it('fills download and seed slots in queue order, skipping paused torrents and met goals', () => {
    const plan = planQueue([
      entry('a', { paused: true }), entry('b'), entry('c'), entry('d'),
      entry('s1', { complete: true }), entry('s2', { complete: true, goalReached: true }), entry('s3', { complete: true }),
    ], { maxActiveDownloads: 2, maxActiveSeeds: 1 })
    expect([...plan.active]).toEqual(['b', 'c', 's1'])
    expect([...plan.queued]).toEqual(['d', 's3'])
  })

  it('0 means no limit', () => {
    expect(planQueue([entry('a'), entry('b')], { maxActiveDownloads: 0, maxActiveSeeds: 0 }).active.size).toBe(2)
  })

  it('seeding goals: ratio or time, 0 = never', () => {
    expect(seedingGoalMet(200, 100, 0, { ratio: 2, minutes: 0 })).toBe('ratio')
    expect(seedingGoalMet(199, 100, 0, { ratio: 2, minutes: 0 })).toBe(null)
    expect(seedingGoalMet(0, 100, 600, { ratio: 0, minutes: 10 })).toBe('time')
    expect(seedingGoalMet(0, 100, 6, { ratio: 0, minutes: 0.1 })).toBe('time')
    expect(seedingGoalMet(200, 100, 600, { ratio: 2, minutes: 10 })).toBe('ratio')
    expect(seedingGoalMet(1e9, 100, 1e9, { ratio: 0, minutes: 0 })).toBe(null)
  })

  it('a met goal stops its torrent only after the grace period (what was sent reaches the peer first)', () => {
    expect(goalStep(false, undefined, 1000)).toEqual({ since: undefined, stop: false })
    const first = goalStep(true, undefined, 1000)
    expect(first).toEqual({ since: 1000, stop: false })
    expect(goalStep(true, first.since, 1000 + GOAL_GRACE_MS - 1)).toEqual({ since: 1000, stop: false })
    expect(goalStep(true, first.since, 1000 + GOAL_GRACE_MS)).toEqual({ since: 1000, stop: true })
    // no longer met (the user chose to seed on): the wait starts over
    expect(goalStep(false, first.since, 1000 + GOAL_GRACE_MS)).toEqual({ since: undefined, stop: false })
  })
})
