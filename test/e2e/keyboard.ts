import { expect, type Locator, type Page } from '@playwright/test'

/**
 * Keyboard-only helpers: where the focus is (through shadow roots), Tab until it reaches an
 * element, whether it stays inside a dialog, and whether a sighted keyboard user can see it.
 */

/** A description of the focused element (its tag and accessible name, roughly), for failure messages. */
export function focusedDescription(page: Page): Promise<string> {
  return page.evaluate(() => {
    let el: Element | null = document.activeElement
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement
    if (!el) return 'nothing'
    const name = el.getAttribute('aria-label') ?? (el.textContent ?? '').trim().slice(0, 40)
    return `<${el.localName}> ${name}`
  })
}

/** Whether `target` holds the keyboard focus (itself, or inside it when `within`). */
export function hasFocus(target: Locator, within = false): Promise<boolean> {
  return target.evaluate((node, inside) => {
    let el: Element | null = document.activeElement
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement
    if (!inside) return el === node
    // up the composed tree: parent elements, then shadow hosts
    for (let at: Node | null = el; at; at = at.parentNode ?? (at instanceof ShadowRoot ? at.host : null)) if (at === node) return true
    return false
  }, within)
}

/** Presses Tab (Shift+Tab with `back`) until `target` has the focus; fails, naming each stop, after `max` presses. */
export async function tabTo(page: Page, target: Locator, opts: { back?: boolean; max?: number } = {}): Promise<void> {
  const stops: string[] = []
  for (let i = 0; i < (opts.max ?? 60); i++) {
    if (await hasFocus(target)) return
    await page.keyboard.press(opts.back ? 'Shift+Tab' : 'Tab')
    stops.push(await focusedDescription(page))
  }
  if (await hasFocus(target)) return
  throw new Error(`Tab never reached the element; it stopped at: ${stops.join(' → ')}`)
}

/** Tabs `presses` times forward and then back: the focus never leaves `dialog` (a modal traps it). */
export async function expectFocusTrapped(page: Page, dialog: Locator, presses = 25): Promise<void> {
  for (const key of ['Tab', 'Shift+Tab']) {
    for (let i = 0; i < presses; i++) {
      await page.keyboard.press(key)
      expect(await hasFocus(dialog, true), `after ${i + 1} × ${key} the focus is on ${await focusedDescription(page)}`).toBe(true)
    }
  }
}

/** The focused element draws a focus ring a sighted keyboard user can see (an outline, or a box shadow). */
export async function expectFocusVisible(page: Page): Promise<void> {
  const ring = await page.evaluate(() => {
    let el: Element | null = document.activeElement
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement
    if (!el) return null
    // a file input hidden inside a styled label shows its ring on the label (:focus-within)
    const shown = el instanceof HTMLInputElement && el.type === 'file' ? el.closest('label') ?? el : el
    const style = getComputedStyle(shown)
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0
    return { outline, shadow: style.boxShadow !== 'none', name: `<${el.localName}>` }
  })
  expect(ring, 'something has the focus').not.toBeNull()
  expect(ring!.outline || ring!.shadow, `the focused ${ring!.name} shows a focus ring`).toBe(true)
}

/**
 * The list drops its rows and draws them again, as when an update leaves a torrent out for a
 * moment: true when the first row's element was replaced (else the test proves nothing).
 */
export async function redrawRows(page: Page): Promise<boolean> {
  return page.locator('bt-torrent-list').evaluate(async (node) => {
    const list = node as HTMLElement & { torrents: unknown[]; updateComplete: Promise<boolean> }
    const before = list.shadowRoot?.querySelector('bt-torrent-item')
    const torrents = list.torrents
    list.torrents = []
    await list.updateComplete
    list.torrents = torrents
    await list.updateComplete
    const after = list.shadowRoot?.querySelector('bt-torrent-item')
    return Boolean(before && after && before !== after && !before.isConnected)
  })
}
