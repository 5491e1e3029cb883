/**
 * Which rows of a long torrent list are drawn: those in and near the view, and a few that must stay
 * (the focused row and its neighbours, the highlighted one), with every run of rows not drawn
 * stood in for by one gap of their height, so the scrollbar and the rows' places stay as if all
 * were drawn. With 1,000 torrents, one custom element with its shadow tree per torrent made a
 * reload's teardown and first render tasks of ~100 ms each (docs/BENCHMARKS.md, "Scale: the page").
 *
 * Our own rather than @lit-labs/virtualizer 2.1: there a focused row scrolled out of view is
 * removed and the focus falls to the body (lit/lit#4945, open), and scrolling to an item does not
 * work when the page, not the list, scrolls (lit/lit#3963, open) — our list scrolls with the page.
 */

/** A drawn run of rows (indices `from` to `to`, both in), or a gap standing in for rows not drawn. */
export type ListPart = { rows: [from: number, to: number] } | { gap: number }

export interface ListWindowInput {
  /** Each row's height in px, in list order: as last measured, or a guess for one never drawn. */
  heights: readonly number[]
  /** The space between two rows, px (the list's grid gap): a gap part is a grid item too. */
  rowGap: number
  /** The part of the list to draw, px from the list's top (the view and some margin on both sides). */
  top: number
  bottom: number
  /** Rows drawn wherever they are (the focused row and its neighbours, the highlighted one). */
  pinned?: readonly number[]
  /** Up to this many rows, all are drawn: a short list gains nothing from gaps. */
  drawAllUpTo?: number
}

/**
 * Lists up to this long are drawn whole: the browser's Find (Ctrl+F) and a screen reader's browse
 * mode reach only rows drawn (a gap is aria-hidden). Above it, the list says that its name filter
 * finds any torrent (bt-torrent-list.ts). 50, not the 100 drawn whole before the windowing: drawing
 * 100 rows anew took one task of 51 to 79 ms (42 to 60 ms of the thread's own CPU), 50 rows 34 ms
 * (26 ms), over and under the 50 ms a task may take (docs/BENCHMARKS.md, test/bench/add-reload-profile.ts).
 */
export const DRAW_ALL_UP_TO = 50

export function listWindow(input: ListWindowInput): ListPart[] {
  const { heights, rowGap } = input
  const count = heights.length
  if (count === 0) return []
  if (count <= (input.drawAllUpTo ?? DRAW_ALL_UP_TO)) return [{ rows: [0, count - 1] }]
  const drawn = new Array<boolean>(count).fill(false)
  let y = 0
  for (let i = 0; i < count; i++) {
    const end = y + (heights[i] ?? 0)
    if (end > input.top && y < input.bottom) drawn[i] = true
    y = end + rowGap
  }
  for (const i of input.pinned ?? []) if (i >= 0 && i < count) drawn[i] = true
  const parts: ListPart[] = []
  let i = 0
  while (i < count) {
    let j = i
    while (j + 1 < count && drawn[j + 1] === drawn[i]) j++
    if (drawn[i]) {
      parts.push({ rows: [i, j] })
    } else {
      let height = (j - i) * rowGap
      for (let k = i; k <= j; k++) height += heights[k] ?? 0
      parts.push({ gap: height })
    }
    i = j + 1
  }
  return parts
}

/** The rows a list of parts draws, in order. */
export function drawnRows(parts: readonly ListPart[]): number[] {
  return parts.flatMap((part) => 'rows' in part ? Array.from({ length: part.rows[1] - part.rows[0] + 1 }, (_, k) => part.rows[0] + k) : [])
}
