// Bad input (text that is no magnet, files that are no torrent) gets a clear message and the app
// keeps working; the server's Content-Security-Policy holds. Nothing here downloads.
import { expectAccessible } from './a11y'
import { expect, test } from './fixtures'
import { SCREENSHOTS, cspViolationsOf, expectNoCspViolations } from './harness'

test('malformed input gets a clear message and the app keeps working', async ({ app, openPage }) => {
  for (const scheme of ['light', 'dark'] as const) {
    const page = await openPage(app, { colorScheme: scheme, viewport: { width: 360, height: 740 } })
    const field = page.getByLabel('Magnet link, info hash or torrent URL')
    const add = page.getByRole('button', { name: 'Add', exact: true })
    const alerts = page.getByRole('alert')

    await field.fill('hello world')
    await add.click()
    await expect(alerts.last()).toContainText('Paste a magnet link')

    await field.fill('magnet:?xt=urn:btih:1234')
    await add.click()
    await expect(alerts.last()).toContainText(/info hash|magnet/i)

    // Garbage bytes and a bencoded dict that is no torrent, as files.
    await page.getByLabel('Open torrent file').setInputFiles([
      { name: 'garbage.torrent', mimeType: 'application/x-bittorrent', buffer: Buffer.from('this is not bencode at all') },
      { name: 'not-a-torrent.torrent', mimeType: 'application/x-bittorrent', buffer: Buffer.from('d3:foo3:bare') },
    ])
    await expect(alerts.filter({ hasText: 'garbage.torrent' })).toBeVisible()
    await expect(alerts.filter({ hasText: 'not-a-torrent.torrent' })).toContainText(/info/i)
    await page.screenshot({ path: `${SCREENSHOTS}/error-${scheme}.png` })
    if (scheme === 'light') await expectAccessible(page, 'error notices')

    // Still working: a valid info hash is added and listed.
    await field.fill('0123456789abcdef0123456789abcdef01234567')
    await add.click()
    await expect(page.getByRole('listitem')).toHaveCount(1)
    await expect(page.getByTestId('state')).toHaveText('Getting metadata')
    await page.screenshot({ path: `${SCREENSHOTS}/metadata-${scheme}.png` })
    expectNoCspViolations(page)
    await page.context().close()
  }
})

test('the server\'s Content-Security-Policy refuses an injected inline script, and the tests hear of it', async ({ app, openPage }) => {
  const page = await openPage(app)
  const ran = await page.evaluate(() => {
    const script = document.createElement('script')
    script.textContent = 'window.injectedRan = true'
    document.head.append(script)
    return (window as unknown as { injectedRan?: boolean }).injectedRan === true
  })
  expect(ran).toBe(false)
  await expect.poll(() => cspViolationsOf(page).length).toBeGreaterThan(0)
  expect(cspViolationsOf(page).join('\n')).toMatch(/script-src/)
})
