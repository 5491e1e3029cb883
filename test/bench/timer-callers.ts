/**
 * Which code installs the page's timers that fire, counted by caller (BENCH_TIMER_CALLERS=1 in
 * many-torrents.ts): a Chromium trace names no caller for a timer installed before it began
 * ("timeout -1" in its timer table). A diagnostic only: the stack taken at every setTimeout and
 * setInterval call slows the page, so the run's other figures do not count.
 */
import type { BrowserContext, Page } from '@playwright/test'

/** Installs the counting wrappers in every page of `context` before its scripts run. */
export async function countTimerCallers(context: BrowserContext): Promise<void> {
  // a string, not a function: tsx adds a `__name` helper to functions, undefined in the page
  await context.addInitScript({ content: `(() => {
    const fires = new Map()
    const callerOf = (kind, ms) => {
      const lines = (new Error().stack || '').split('\\n').slice(3, 6).map((l) => l.trim().replace(/^at /, '').replace(/https?:\\/\\/[^/]+\\/assets\\//, ''))
      return kind + ' ' + String(ms || 0) + ' ms: ' + lines.join(' < ')
    }
    for (const kind of ['setTimeout', 'setInterval']) {
      const own = globalThis[kind]
      globalThis[kind] = function (fn, ms, ...args) {
        if (typeof fn !== 'function') return own(fn, ms, ...args)
        const key = callerOf(kind, ms)
        return own(function (...a) {
          fires.set(key, (fires.get(key) || 0) + 1)
          return fn.apply(this, a)
        }, ms, ...args)
      }
    }
    globalThis.__timerCallers = { reset: () => fires.clear(), top: (n) => [...fires].sort((a, b) => b[1] - a[1]).slice(0, n) }
  })()` })
}

export async function resetTimerCallers(page: Page): Promise<void> {
  await page.evaluate(() => (globalThis as unknown as { __timerCallers?: { reset(): void } }).__timerCallers?.reset())
}

/** The callers whose timers fired most since the last reset, with their fires a second. */
export async function topTimerCallers(page: Page, seconds: number, n = 12): Promise<string> {
  const top = await page.evaluate((k) => (globalThis as unknown as { __timerCallers?: { top(n: number): [string, number][] } }).__timerCallers?.top(k) ?? [], n)
  return top.map(([key, count]) => `${(count / seconds).toFixed(1)}/s ${key}`).join('\n    ')
}
