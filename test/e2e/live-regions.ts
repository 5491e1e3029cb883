import type { BrowserContext, Page } from '@playwright/test'

/** One change of what a live region says (role status, alert or log, or aria-live). */
export interface LiveChange { region: string; text: string }

/**
 * Records, in every page of `context`, each new text of every live region (through shadow
 * roots), looking ten times a second: what a screen reader would have been told.
 */
export async function recordLiveRegions(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const log: { region: string; text: string }[] = []
    ;(window as unknown as { __liveChanges: typeof log }).__liveChanges = log
    const last = new WeakMap<Element, string>()
    const live = (el: Element) => {
      const role = el.getAttribute('role')
      const politeness = el.getAttribute('aria-live')
      return role === 'status' || role === 'alert' || role === 'log' || (politeness !== null && politeness !== 'off')
    }
    const collect = (root: Document | ShadowRoot, out: Element[]) => {
      for (const el of root.querySelectorAll('*')) {
        if (live(el)) out.push(el)
        if (el.shadowRoot) collect(el.shadowRoot, out)
      }
    }
    const describe = (el: Element) => {
      const host = (el.getRootNode() as ShadowRoot).host?.localName ?? 'document'
      return `${host} ${el.getAttribute('role') ?? 'live'} ${el.getAttribute('aria-label') ?? el.getAttribute('data-testid') ?? el.className}`
    }
    setInterval(() => {
      const regions: Element[] = []
      collect(document, regions)
      for (const el of regions) {
        const text = (el.textContent ?? '').replace(/\s+/g, ' ').trim()
        if (last.get(el) === text) continue
        last.set(el, text)
        if (text) log.push({ region: describe(el), text })
      }
    }, 100)
  })
}

export function liveChanges(page: Page): Promise<LiveChange[]> {
  return page.evaluate(() => (window as unknown as { __liveChanges: LiveChange[] }).__liveChanges)
}
