import { describe, expect, it } from 'vitest'
import { drawnRows, listWindow, type ListPart } from '../../src/core/download-manager/list-window'

const rows = (count: number, height = 100) => Array.from({ length: count }, () => height)
/** The list's height as drawn: every part one after the other, `rowGap` between two. */
const drawnHeight = (parts: ListPart[], heights: number[], rowGap: number) => {
  const items = parts.flatMap((part) => 'gap' in part ? [part.gap] : heights.slice(part.rows[0], part.rows[1] + 1))
  return items.reduce((sum, h) => sum + h, 0) + (items.length - 1) * rowGap
}

describe('listWindow', () => {
  it('draws only the rows in the view of 1,000, a gap above and below keeping their height', () => {
    const heights = rows(1000)
    const parts = listWindow({ heights, rowGap: 10, top: 5500, bottom: 6500 })
    // row i spans [110 i, 110 i + 100]
    expect(parts).toEqual([{ gap: 50 * 110 - 10 }, { rows: [50, 59] }, { gap: 940 * 110 - 10 }])
    expect(drawnHeight(parts, heights, 10)).toBe(1000 * 110 - 10)
  })

  it('draws a short list whole, wherever the view is', () => {
    // up to 50 rows: Find (Ctrl+F) and browse mode reach every row, and drawing them all takes one task under 50 ms
    expect(listWindow({ heights: rows(50), rowGap: 8, top: 100_000, bottom: 101_000 })).toEqual([{ rows: [0, 49] }])
    expect(drawnRows(listWindow({ heights: rows(51), rowGap: 0, top: 0, bottom: 250 }))).toEqual([0, 1, 2])
    expect(listWindow({ heights: [], rowGap: 8, top: 0, bottom: 1000 })).toEqual([])
  })

  it('keeps a pinned row (the focused one, the highlighted one) drawn far from the view, between gaps', () => {
    const heights = rows(1000)
    const parts = listWindow({ heights, rowGap: 0, top: 0, bottom: 250, pinned: [499, 500, 501, 999, -1, 1000] })
    expect(drawnRows(parts)).toEqual([0, 1, 2, 499, 500, 501, 999])
    expect(parts).toEqual([{ rows: [0, 2] }, { gap: 49_600 }, { rows: [499, 501] }, { gap: 49_700 }, { rows: [999, 999] }])
    expect(drawnHeight(parts, heights, 0)).toBe(100_000)
  })

  it('gives a row opened to its files its own height, and the gaps after it move with it', () => {
    const heights = rows(200)
    heights[40] = 2000
    const parts = listWindow({ heights, rowGap: 0, top: 5000, bottom: 5300 })
    // rows 0-39: 4000 px, row 40: 2000 px, so the view from 5000 px is inside row 40 and past it by 0
    expect(drawnRows(parts)).toEqual([40])
    expect(parts[0]).toEqual({ gap: 4000 })
    expect(drawnHeight(parts, heights, 0)).toBe(199 * 100 + 2000)
  })

  it('draws the end of the list when scrolled to the end', () => {
    const parts = listWindow({ heights: rows(1000), rowGap: 0, top: 99_500, bottom: 101_000 })
    expect(drawnRows(parts)).toEqual([995, 996, 997, 998, 999])
  })
})
