/**
 * What the scale benchmarks read from the page: its state as the app holds it (read from the
 * app's own properties, not with role queries, which walk the whole document in the page's main
 * thread and would be counted as the app's work), its JS heap, its IndexedDB size.
 */
import type { BrowserContext, CDPSession, Page } from '@playwright/test'

export interface ListState {
  count: number
  /** Torrents by state. */
  states: Record<string, number>
  /** Rows the list has drawn. */
  rows: number
  /** The count a person sees on the list's "All" filter (0 without the toolbar). */
  shown: number
  /** Torrents in error, by their error's text (what went wrong, for the log). */
  errors: Record<string, number>
}

/** In the page: what bt-app lists, and how many rows its list drew. */
function listState(): ListState {
  const app = document.querySelector('bt-app') as (Element & { torrents?: { state: string; error?: { message: string } | null }[] }) | null
  const states: Record<string, number> = {}
  const errors: Record<string, number> = {}
  for (const torrent of app?.torrents ?? []) {
    states[torrent.state] = (states[torrent.state] ?? 0) + 1
    if (torrent.error) errors[torrent.error.message] = (errors[torrent.error.message] ?? 0) + 1
  }
  const list = app?.shadowRoot?.querySelector('bt-torrent-list')
  const shown = Number(list?.shadowRoot?.querySelector('.filters button .count')?.textContent?.replace(/\D/g, '') ?? 0)
  return { count: app?.torrents?.length ?? 0, states, errors, rows: list?.shadowRoot?.querySelectorAll('bt-torrent-item').length ?? 0, shown }
}

export function readList(page: Page): Promise<ListState> {
  return page.evaluate(listState)
}

/** Polls the list until `done` holds. */
export async function untilList(page: Page, what: string, done: (state: ListState) => boolean, timeoutMs: number, pollMs = 100): Promise<ListState> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const state = await readList(page).catch(() => undefined) // undefined while the page reloads
    if (state && done(state)) return state
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; the list: ${JSON.stringify(state)}`)
    await page.waitForTimeout(pollMs)
  }
}

/** Samples the page's used JS heap (CDP, every 500 ms) until stopped; the peak, in MiB. */
export async function heapSampler(context: BrowserContext, page: Page): Promise<{ stop(): Promise<number> }> {
  const cdp: CDPSession = await context.newCDPSession(page)
  await cdp.send('Performance.enable')
  let peak = 0
  const sample = () => cdp.send('Performance.getMetrics').then(({ metrics }) => {
    peak = Math.max(peak, metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0)
  }).catch(() => {})
  const timer = setInterval(() => void sample(), 500)
  return {
    async stop() {
      clearInterval(timer)
      await sample()
      await cdp.detach().catch(() => {})
      return peak / 1024 / 1024
    },
  }
}

/** What this origin keeps in IndexedDB, as the browser counts it (Chromium's usageDetails), in bytes. */
export function indexedDbBytes(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const estimate = await navigator.storage.estimate() as StorageEstimate & { usageDetails?: { indexedDB?: number } }
    return estimate.usageDetails?.indexedDB ?? -1
  })
}

/** Lets the origin keep `bytes` (a fresh profile's quota is a share of the disk). */
export async function setQuota(context: BrowserContext, page: Page, origin: string, bytes: number): Promise<void> {
  const cdp = await context.newCDPSession(page)
  await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: bytes })
  await cdp.detach()
}

/** Settings → the given numeric fields and checkboxes, as a person sets them. */
export async function changeSettings(page: Page, numbers: Record<string, number>, checks: Record<string, boolean> = {}): Promise<void> {
  await page.getByRole('button', { name: 'Settings', exact: true }).click()
  for (const [label, value] of Object.entries(numbers)) await page.getByLabel(label, { exact: true }).fill(String(value))
  for (const [label, on] of Object.entries(checks)) await page.getByLabel(label, { exact: true }).setChecked(on)
  await page.getByRole('button', { name: 'Close', exact: true }).click()
}

export const median = (values: number[]) => (values.length ? [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]! : 0)

/**
 * Scrolls the page to its end, as a person would to find the oldest torrent, and tells whether
 * its row is drawn there and in the view.
 */
export async function endReached(page: Page): Promise<boolean> {
  const frames = () => page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))))
  for (let i = 0; i < 3; i++) {
    await page.evaluate(() => scrollTo(0, document.documentElement.scrollHeight))
    await frames()
  }
  return page.evaluate(() => {
    const app = document.querySelector('bt-app') as (Element & { torrents: { name: string; addedAt: number }[] }) | null
    const oldest = [...app?.torrents ?? []].sort((a, b) => a.addedAt - b.addedAt)[0]
    const rows = app?.shadowRoot?.querySelector('bt-torrent-list')?.shadowRoot?.querySelectorAll('li') ?? []
    const row = [...rows].find((li) => li.getAttribute('aria-label') === oldest?.name)
    if (!row) return false
    const box = row.getBoundingClientRect()
    return box.bottom > 0 && box.top < innerHeight
  })
}
