import { describe, expect, it } from 'vitest'
import { selectedBytes, selectionRanges } from '../../src/core/piece-selection/selection'

const spans = (lengths: number[]) => {
  let offset = 0
  return lengths.map((length) => { const span = { length, offset }; offset += length; return span })
}

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
