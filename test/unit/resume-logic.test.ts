import { describe, expect, it } from 'vitest'
import { countPieces, emptyBitfield, hasPiece, setPiece, trimToFileSizes, verifiedBytes } from '../../src/core/bitfield'
import { GOAL_GRACE_MS, goalStep, planQueue, seedingGoalMet } from '../../src/core/queue'
import { selectedBytes, selectionRanges } from '../../src/core/selection'

const spans = (lengths: number[]) => {
  let offset = 0
  return lengths.map((length) => { const span = { length, offset }; offset += length; return span })
}

describe('bitfield', () => {
  it('sets and reads bits high-bit first, and counts bytes with a short last piece', () => {
    const bf = emptyBitfield(10)
    expect(bf.length).toBe(2)
    setPiece(bf, 0, true)
    setPiece(bf, 9, true)
    expect(bf[0]).toBe(0x80)
    expect(bf[1]).toBe(0x40)
    expect(hasPiece(bf, 9)).toBe(true)
    expect(countPieces(bf, 10)).toBe(2)
    expect(verifiedBytes(bf, 10, 100, 950)).toBe(150)
    setPiece(bf, 9, false)
    expect(countPieces(bf, 10)).toBe(1)
  })

  it('fast resume clears pieces that lie past a missing or truncated file', () => {
    // Files of 150 and 250 bytes, pieces of 100: piece 1 spans both files.
    const files = spans([150, 250])
    const saved = new Uint8Array([0b1111_0000])
    expect(trimToFileSizes(saved, files, 100, 400, [150, 250])).toEqual({ bitfield: new Uint8Array([0b1111_0000]), cleared: 0 })
    // Second file truncated to 120 bytes: pieces 1 (needs 0..50), 2 (50..150), 3 (150..250) -> 2 and 3 go.
    expect(trimToFileSizes(saved, files, 100, 400, [150, 120])).toEqual({ bitfield: new Uint8Array([0b1100_0000]), cleared: 2 })
    // First file missing: pieces 0 and 1 go.
    expect(trimToFileSizes(saved, files, 100, 400, [-1, 250]).bitfield).toEqual(new Uint8Array([0b0011_0000]))
  })
})

describe('selection', () => {
  it('selects the pieces of wanted files, shared edge pieces included, merged by priority', () => {
    const files = spans([150, 250, 100]) // pieces of 100: file0 0-1, file1 1-3, file2 4
    expect(selectionRanges(files, 100, [1, 1, 1])).toEqual([{ from: 0, to: 4, priority: 0 }])
    expect(selectionRanges(files, 100, [1, 0, 1])).toEqual([{ from: 0, to: 1, priority: 0 }, { from: 4, to: 4, priority: 0 }])
    expect(selectionRanges(files, 100, [0, 2, 0])).toEqual([{ from: 1, to: 3, priority: 1 }])
    expect(selectionRanges(files, 100, [1, 2, 1])).toEqual([{ from: 0, to: 0, priority: 0 }, { from: 1, to: 3, priority: 1 }, { from: 4, to: 4, priority: 0 }])
    expect(selectedBytes(files, [1, 0, 2])).toBe(250)
  })
})

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
