// The list's toolbar: filters by state with their counts, a name search, the total speeds; a
// torrent the app points at is never left hidden by a filter.
import type { Page } from '@playwright/test'
import { expectAccessible } from './a11y'
import { expect, swarmTest as test } from './fixtures'
import { SCREENSHOTS, addTorrentFile } from './harness'

test.use({ swarmOptions: { name: 'List Fixture', sizeMiB: 8 } })

const ALPHA = `magnet:?xt=urn:btih:${'ab'.repeat(20)}&dn=${encodeURIComponent('Alpha Ünïcode')}`
const BETA = `magnet:?xt=urn:btih:${'cd'.repeat(20)}&dn=Beta`

async function addMagnet(page: Page, magnet: string): Promise<void> {
  await page.getByLabel('Magnet link, info hash or torrent URL').fill(magnet)
  await page.getByRole('button', { name: 'Add', exact: true }).click()
}

test('filters with counts, a name search, total speeds; a highlighted torrent is never hidden', async ({ app, swarm, openPage }) => {
  const page = await openPage(app, { colorScheme: 'light' })
  const rows = page.getByRole('listitem')
  const show = page.getByRole('group', { name: 'Show' })
  await addTorrentFile(page, swarm)
  await expect(page.getByRole('listitem', { name: swarm.name }).getByTestId('state')).toHaveText('Seeding', { timeout: 120_000 })
  // one torrent: no toolbar
  await expect(show).toHaveCount(0)

  await addMagnet(page, ALPHA)
  await addMagnet(page, BETA)
  await expect(rows).toHaveCount(3)
  await page.getByRole('listitem', { name: 'Beta' }).getByRole('button', { name: 'Pause' }).click()
  await expect(page.getByRole('listitem', { name: 'Beta' }).getByTestId('state')).toHaveText('Paused')

  // each filter with its count; none under Errors, so no Errors button
  await expect(show.getByRole('button')).toHaveText([/^All\s+3$/, /^Downloading\s+1$/, /^Seeding\s+1$/, /^Completed\s+1$/, /^Paused\s+1$/])
  await expect(page.getByLabel('Total speeds')).toHaveText(/^↓ .+\/s · ↑ .+\/s$/)
  await page.screenshot({ path: `${SCREENSHOTS}/list-toolbar-light.png` })
  await expectAccessible(page, 'list with toolbar')

  await show.getByRole('button', { name: /^Downloading/ }).click()
  await expect(show.getByRole('button', { name: /^Downloading/ })).toHaveAttribute('aria-pressed', 'true')
  await expect(rows).toHaveCount(1)
  await expect(rows.first()).toHaveAccessibleName('Alpha Ünïcode')
  await show.getByRole('button', { name: /^Paused/ }).click()
  await expect(rows).toHaveCount(1)
  await expect(rows.first()).toHaveAccessibleName('Beta')

  // the search: every word, case and accents aside
  await show.getByRole('button', { name: /^All/ }).click()
  const search = page.getByRole('searchbox', { name: 'Filter torrents by name' })
  await search.fill('unicode ALPHA')
  await expect(rows).toHaveCount(1)
  await expect(rows.first()).toHaveAccessibleName('Alpha Ünïcode')
  await search.fill('nothing like it')
  await expect(rows).toHaveCount(0)
  await page.getByRole('button', { name: 'Show all' }).click()
  await expect(rows).toHaveCount(3)
  await expect(search).toHaveValue('')

  // a phone, dark
  await page.setViewportSize({ width: 360, height: 740 })
  await page.emulateMedia({ colorScheme: 'dark' })
  await page.screenshot({ path: `${SCREENSHOTS}/list-toolbar-phone-dark.png`, fullPage: true })

  // Seeding chosen, then Beta added again: the app points at it, and the filter lets it be seen
  await show.getByRole('button', { name: /^Seeding/ }).click()
  await expect(rows).toHaveCount(1)
  await addMagnet(page, BETA)
  // shown in the page (and said to screen readers by the announcer, outside <main>)
  await expect(page.getByRole('main').getByText('“Beta” is already in your list.')).toBeVisible()
  await expect(page.getByRole('listitem', { name: 'Beta' })).toBeVisible()
  await expect(show.getByRole('button', { name: /^All/ })).toHaveAttribute('aria-pressed', 'true')

  // Paused chosen, then a new torrent added: it shows, the filter back to All
  await show.getByRole('button', { name: /^Paused/ }).click()
  await expect(rows).toHaveCount(1)
  await addMagnet(page, `magnet:?xt=urn:btih:${'ef'.repeat(20)}&dn=Gamma`)
  await expect(page.getByRole('listitem', { name: 'Gamma' })).toBeVisible()
  await expect(rows).toHaveCount(4)
})
