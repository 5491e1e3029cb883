import type { ReactiveController, ReactiveElement } from 'lit'
import { listWindow, type ListPart } from '../core/download-manager/list-window'

/** A row's height until it is measured: a collapsed row with one line of stats. */
const FIRST_GUESS_PX = 150

/**
 * Windowing of a list that scrolls with the page (core/download-manager/list-window.ts decides
 * what is drawn): keeps the view's place from scroll and resize events (one check a frame), each
 * drawn row's height from a ResizeObserver (rows grow when opened), and the last focused row, which
 * stays drawn with its neighbours so that the focus is never taken from under the person and Tab
 * always reaches the next row. Rows are `<li data-key>` children of the list element.
 */
export class RowWindow implements ReactiveController {
  private readonly heights = new Map<string, number>()
  private readonly observed = new Set<Element>()
  private resizes: ResizeObserver | undefined
  /** The part of the list to draw, px from its top: until it is laid out, the first screens. */
  private view = { top: 0, bottom: 3 * (globalThis.innerHeight || 800) }
  private rowGap = 0
  /** The list element whose row gap was read (read again only for another one: a style read costs a recalc). */
  private gapOf: HTMLElement | undefined
  private keys: readonly string[] = []
  private pinnedKeys: readonly string[] = []
  private focusedKey: string | undefined
  private lastParts = ''
  /** The last render drew other rows or gaps than the one before. */
  private partsChanged = false
  private frame = 0
  /** The view was at the page's end when last seen (End pressed, or scrolled there). */
  private atEnd = false

  /**
   * `list`: the list element, once drawn; `alwaysDrawn`: rows drawn wherever they are (those
   * opened, whose state lives in their element, and the highlighted one).
   */
  constructor(private readonly host: ReactiveElement, private readonly list: () => HTMLElement | null | undefined,
    private readonly alwaysDrawn: () => Iterable<string>) {
    host.addController(this)
  }

  hostConnected(): void {
    addEventListener('scroll', this.onMove, { passive: true })
    addEventListener('resize', this.onMove)
    addEventListener('keydown', this.onEdgeKey)
    this.resizes = new ResizeObserver((entries) => {
      for (const entry of entries) {
        const key = (entry.target as HTMLElement).dataset.key
        const height = entry.borderBoxSize[0]?.blockSize ?? entry.contentRect.height
        if (key && height > 0) this.heights.set(key, height)
      }
      this.onMove()
    })
  }

  hostDisconnected(): void {
    removeEventListener('scroll', this.onMove)
    removeEventListener('resize', this.onMove)
    removeEventListener('keydown', this.onEdgeKey)
    this.resizes?.disconnect()
    this.observed.clear()
    cancelAnimationFrame(this.frame)
    this.frame = 0
  }

  hostUpdated(): void {
    const list = this.list()
    for (const row of this.observed) {
      if (row.isConnected) continue
      this.resizes?.unobserve(row)
      this.observed.delete(row)
    }
    if (!list) return
    if (list !== this.gapOf) {
      this.gapOf = list
      this.rowGap = parseFloat(getComputedStyle(list).rowGap) || 0
    }
    for (const row of list.querySelectorAll(':scope > li[data-key]')) {
      if (this.observed.has(row)) continue
      this.observed.add(row)
      this.resizes?.observe(row)
    }
    // rows drawn in place of a gap differ from its guessed height: at the end, stay there
    if (this.atEnd && this.partsChanged) scrollTo(scrollX, document.documentElement.scrollHeight)
    this.onMove() // the list's place is known now (its first drawing), or moved
  }

  /** What to draw of these rows (keys in list order), called from the host's render. */
  parts(keys: readonly string[]): ListPart[] {
    this.keys = keys
    this.pinnedKeys = [...this.alwaysDrawn()]
    const parts = this.compute()
    const text = JSON.stringify(parts)
    this.partsChanged = text !== this.lastParts
    this.lastParts = text
    return parts
  }

  /** A row got the focus (a control of it, or it was tabbed into), or is about to get it back from a dialog. */
  focused(key: string): void {
    if (key === this.focusedKey) return
    this.focusedKey = key
    this.check()
  }

  private compute(): ListPart[] {
    const measured = [...this.heights.values()].sort((a, b) => a - b)
    const guess = measured[Math.floor(measured.length / 2)] ?? FIRST_GUESS_PX
    const index = new Map(this.keys.map((key, i) => [key, i]))
    const pinned: number[] = []
    for (const key of this.pinnedKeys) pinned.push(index.get(key) ?? -1)
    const focused = this.focusedKey === undefined ? undefined : index.get(this.focusedKey)
    if (focused !== undefined) pinned.push(focused - 1, focused, focused + 1)
    return listWindow({ heights: this.keys.map((key) => this.heights.get(key) ?? guess), rowGap: this.rowGap, ...this.view, pinned })
  }

  private readonly onMove = (): void => {
    if (this.frame) return
    this.frame = requestAnimationFrame(() => {
      this.frame = 0
      const list = this.list()
      if (!list) return
      // one screen above and below the view is drawn too, so that scrolling shows no blank
      const top = list.getBoundingClientRect().top
      this.atEnd = scrollY > 0 && scrollY + innerHeight >= document.documentElement.scrollHeight - 2
      const margin = innerHeight
      this.view = { top: -top - margin, bottom: innerHeight - top + margin }
      this.check()
    })
  }

  /**
   * End and Home, pressed in the list or with nothing focused, scroll the page at once, not smoothly
   * as the browser does: a smooth scroll aims at the page's end as it was when the key was pressed,
   * and the rows drawn on the way, taller than their guessed or last measured heights (a window made
   * narrower after its rows were measured), move the end down, so it stopped short of the last row
   * (measured at 360 px wide after 1280: at 19,599 px of a page grown to 26,135, the last row not
   * drawn). Landing at the end at once, `atEnd` keeps the view there as rows are drawn.
   */
  private readonly onEdgeKey = (event: KeyboardEvent): void => {
    if ((event.key !== 'End' && event.key !== 'Home') || event.defaultPrevented || event.altKey || event.metaKey || event.shiftKey) return
    if (!this.lastParts.includes('"gap"')) return // drawn whole: the browser's own scroll meets no row drawn late
    const path = event.composedPath()
    const target = path[0]
    const fromList = path.includes(this.host) || target === document.body || target === document.documentElement
    if (!fromList || takesEdgeKeys(target)) return
    event.preventDefault()
    this.atEnd = event.key === 'End'
    scrollTo({ left: scrollX, top: this.atEnd ? document.documentElement.scrollHeight : 0, behavior: 'instant' })
  }

  private check(): void {
    if (JSON.stringify(this.compute()) !== this.lastParts) this.host.requestUpdate()
  }
}

/** A control that uses End and Home itself (a text field's caret, a select's options, a player's time). */
function takesEdgeKeys(target: EventTarget | undefined): boolean {
  if (!(target instanceof HTMLElement)) return false
  if (target.isContentEditable || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement || target instanceof HTMLMediaElement) return true
  return target instanceof HTMLInputElement && !['button', 'checkbox', 'radio', 'submit', 'reset', 'image', 'file', 'color'].includes(target.type)
}
