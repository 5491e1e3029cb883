import { appendFile, mkdir } from 'node:fs/promises'
import AxeBuilder from '@axe-core/playwright'
import { expect, type Page } from '@playwright/test'

/** What every scan checks: WCAG 2.0-2.2 A and AA, and axe's best practices. */
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']
/** The impacts that fail a test; moderate and minor ones are recorded, not failed on. */
const FAILING = new Set(['serious', 'critical'])

const VIEWS = [
  { name: 'desktop', width: 1280, height: 800 },
  { name: 'phone', width: 360, height: 740 },
] as const
const SCHEMES = ['light', 'dark'] as const

/** One line per scan, for the record of what each state passed (read by people, not by tests). */
export const AXE_RESULTS = 'test-results/axe/results.jsonl'

/**
 * Scans the page as it is now with axe-core, on a desktop and a phone, in light and dark: no
 * serious or critical violation anywhere. The viewport and colour scheme are put back after.
 */
export async function expectAccessible(page: Page, state: string): Promise<void> {
  const viewport = page.viewportSize()
  const scheme = await page.evaluate(() => (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light'))
  const failures: string[] = []
  await mkdir('test-results/axe', { recursive: true })
  try {
    for (const view of VIEWS) {
      await page.setViewportSize({ width: view.width, height: view.height })
      for (const colorScheme of SCHEMES) {
        await page.emulateMedia({ colorScheme })
        // a frame, so styles and layout follow the new size and scheme before axe reads them
        await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))))
        const results = await new AxeBuilder({ page }).withTags(TAGS).analyze()
        const serious = results.violations.filter((v) => FAILING.has(v.impact ?? ''))
        for (const v of serious) {
          failures.push(`${view.name} ${colorScheme}: ${v.id} (${v.impact}) ${v.help}: ${v.nodes.map((n) => n.target.join(' > ')).slice(0, 5).join(' | ')}`)
        }
        await appendFile(AXE_RESULTS, `${JSON.stringify({
          state, view: view.name, scheme: colorScheme, passes: results.passes.length, incomplete: results.incomplete.length,
          violations: results.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length })),
        })}\n`)
      }
    }
  } finally {
    if (viewport) await page.setViewportSize(viewport)
    await page.emulateMedia({ colorScheme: scheme })
  }
  expect(failures, `serious or critical accessibility violations in state "${state}"`).toEqual([])
}
