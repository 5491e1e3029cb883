import { describe, expect, it } from 'vitest'
import { ROWS_PER_TASK, rowsToDraw } from '../../src/core/download-manager/row-drawing'

describe('rowsToDraw', () => {
  it('fills a first view of 100 rows a step at a time', () => {
    const steps: number[] = []
    let drawn = rowsToDraw(0, 100, { newView: true })
    steps.push(drawn)
    while (drawn < 100) steps.push((drawn = rowsToDraw(drawn, 100)))
    expect(steps).toEqual([20, 40, 60, 80, 100])
    expect(ROWS_PER_TASK).toBe(20)
  })

  it('keeps every drawn row when one more torrent comes and the list is full', () => {
    expect(rowsToDraw(100, 100)).toBe(100)
  })

  it('draws fewer when fewer are wanted (a removal, a shorter list)', () => {
    expect(rowsToDraw(100, 3)).toBe(3)
    expect(rowsToDraw(0, 3, { newView: true })).toBe(3)
  })

  it('starts a new view (filter, search) from its first rows', () => {
    expect(rowsToDraw(100, 100, { newView: true })).toBe(20)
  })

  it('"Show more" grows a step at a time too', () => {
    expect(rowsToDraw(100, 200)).toBe(120)
  })

  it('draws down to the row the app points at, at once', () => {
    expect(rowsToDraw(20, 100, { atLeast: 73 })).toBe(73)
    expect(rowsToDraw(0, 100, { newView: true, atLeast: 150 })).toBe(100)
  })
})
