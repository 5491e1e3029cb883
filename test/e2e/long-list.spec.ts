// A list of more than 100 torrents draws only the rows in and near the view (ui/row-window.ts):
// the filters still count them all, scrolling reaches the last one, a focused or opened row
// scrolled far away keeps its focus and its state, and the list says that its name filter finds
// the rows the browser's Find (Ctrl+F) does not reach.
import { join } from 'node:path'
import type { Page } from '@playwright/test'
import { randomBytes, sameBytesTorrents } from '../bench/scale-torrents'
import { expectAccessible } from './a11y'
import { NO_TRACKER, expect, test } from './fixtures'
import { SCREENSHOTS } from './harness'

const COUNT = 120
// some names long enough to wrap, so rows differ in height
const names = Array.from({ length: COUNT }, (_, i) => `Long list ${String(i + 1).padStart(3, '0')}${i % 7 === 3 ? ' with a name long enough to wrap onto a second line on a phone and on a narrow window' : ''}`)
/** The list is newest first: the last file added is on top. */
const first = names[COUNT - 1]!
const last = names[0]!

/** After a scroll: the list's check of the view (a frame) and its rows drawn (the next). */
const twoFrames = (page: Page) => page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))))
const drawnRows = (page: Page) => page.locator('bt-torrent-list li[data-key]').count()

test('a list of 120 torrents: only the rows near the view drawn, all counted, the end reachable, the focus and an opened row kept', async ({ app, openPage, tmpDir }) => {
  const made = await sameBytesTorrents(join(tmpDir, 'long-list'), names, randomBytes(16 * 1024), 16 * 1024, NO_TRACKER)
  const page = await openPage(app, { colorScheme: 'light', viewport: { width: 1280, height: 800 } })
  await page.getByLabel('Open torrent file').setInputFiles(made.map((t) => t.file))
  const show = page.getByRole('group', { name: 'Show' })
  await expect(show.getByRole('button', { name: /^All/ })).toHaveText(new RegExp(`^All\\s+${COUNT}$`), { timeout: 60_000 })
  await expect(page.getByRole('listitem', { name: first })).toBeVisible()
  const drawn = await drawnRows(page)
  expect(drawn, 'rows drawn at the top of the list').toBeLessThan(COUNT / 2)
  // what finds a row not drawn: said beside the search box, and to a screen reader on the box and the list
  const hint = '“Filter by name” finds any torrent in the list; the browser’s Find (Ctrl+F) reaches only the rows near the view.'
  await expect(page.getByText(hint)).toBeVisible()
  const search = page.getByRole('searchbox', { name: 'Filter torrents by name' })
  await expect(search).toHaveAccessibleDescription(hint)
  await expect(page.getByRole('list', { name: 'Torrents' })).toHaveAccessibleDescription(hint)
  await expect(page.getByRole('listitem', { name: last })).toHaveCount(0) // far from the view: not drawn
  await search.fill(last)
  await expect(page.getByRole('listitem', { name: last })).toBeVisible()
  await expect(page.getByText(hint), 'a list short enough to be drawn whole needs no hint').toHaveCount(0)
  await search.fill('')
  await expect(page.getByRole('listitem', { name: first })).toBeVisible()

  // the first row opened to its file and a control of it focused; then to the end of the list
  const top = page.getByRole('listitem', { name: first })
  await top.getByRole('button', { name: `Files of ${first}` }).click()
  await expect(top.getByRole('button', { name: `Files of ${first}` })).toHaveAttribute('aria-expanded', 'true')
  await top.getByRole('button', { name: 'Pause' }).focus()
  await page.keyboard.press('End')
  await expect(page.getByRole('listitem', { name: last })).toBeInViewport()
  await expect(top.getByRole('button', { name: 'Pause' }), 'the focused control, scrolled far away, keeps the focus').toBeFocused()
  expect(await drawnRows(page)).toBeLessThan(COUNT / 2)

  // back to the top: the opened row is still open
  await page.evaluate(() => scrollTo(0, 0))
  await expect(top).toBeInViewport()
  await expect(top.getByRole('button', { name: `Files of ${first}` }), 'an opened row scrolled away and back is still open').toHaveAttribute('aria-expanded', 'true')

  // a control of the last row but one focused, then the top of the list shown: Tab still reaches
  // the last row (drawn with the focused one, though far from the view), not what follows the list
  await page.keyboard.press('End')
  const nextToLast = page.getByRole('listitem', { name: names[1]! })
  await nextToLast.getByRole('button', { name: 'Pause' }).focus()
  await page.evaluate(() => scrollTo(0, 0))
  await expect(top).toBeInViewport()
  const focusIn = (name: string) => page.getByRole('listitem', { name }).evaluate((row) => row.querySelector('bt-torrent-item')?.shadowRoot?.activeElement != null)
  for (let i = 0; i < 20 && await focusIn(names[1]!); i++) await page.keyboard.press('Tab')
  expect(await focusIn(last), 'Tab from the last row but one lands in the last row').toBe(true)
  await expect(page.getByRole('listitem', { name: last })).toBeInViewport()
  // at the top again, the focused last rows drawn far below, gaps between
  await page.evaluate(() => scrollTo(0, 0))
  await expectAccessible(page, 'a long list with rows drawn far apart')

  // the middle of the list, as a person sees it: desktop and phone, light and dark
  await page.evaluate(() => scrollTo(0, document.documentElement.scrollHeight / 2 - innerHeight / 2))
  await twoFrames(page)
  await page.screenshot({ path: `${SCREENSHOTS}/long-list-middle-light.png` })
  await page.emulateMedia({ colorScheme: 'dark' })
  await page.screenshot({ path: `${SCREENSHOTS}/long-list-middle-dark.png` })
  await page.setViewportSize({ width: 360, height: 740 })
  await page.evaluate(() => scrollTo(0, document.documentElement.scrollHeight / 2 - innerHeight / 2))
  await twoFrames(page)
  await page.screenshot({ path: `${SCREENSHOTS}/long-list-middle-phone-dark.png` })
  await page.emulateMedia({ colorScheme: 'light' })
  await page.screenshot({ path: `${SCREENSHOTS}/long-list-middle-phone-light.png` })
  // End and Home on a window narrowed after its rows were measured wide: drawing the rows on the way
  // makes the page taller than it was when the key was pressed (a smooth scroll stopped short of the
  // end). From the top, with a control of the last row focused (a plain focus() would scroll to it).
  await page.getByRole('listitem', { name: last }).getByRole('button', { name: 'Pause' }).evaluate((button: HTMLElement) => button.focus({ preventScroll: true }))
  await page.evaluate(() => scrollTo(0, 0))
  await twoFrames(page)
  await page.keyboard.press('End')
  await expect(page.getByRole('listitem', { name: last }), 'End from a row of the list').toBeInViewport()
  await page.keyboard.press('Home')
  await expect(top, 'Home from a row of the list').toBeInViewport()
  await page.getByRole('listitem', { name: last }).getByRole('button', { name: 'Pause' }).blur()
  await page.keyboard.press('End')
  await expect(page.getByRole('listitem', { name: last }), 'End with nothing focused').toBeInViewport()
  expect(await drawnRows(page)).toBeLessThan(COUNT / 2)
  // to the end as a phone scrolls, from the top, with the heights of rows in the middle not yet known
  await page.evaluate(() => scrollTo(0, 0))
  await page.mouse.wheel(0, 100_000)
  await expect(page.getByRole('listitem', { name: last })).toBeInViewport()
})
