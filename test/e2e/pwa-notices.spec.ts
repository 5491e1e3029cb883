// Notices: permission asked on the first add (not at load), a notification when the download
// finishes, the app badge counts active downloads, the title shows overall progress.
import type { BrowserContext } from '@playwright/test'
import { expect, swarmTest as test } from './fixtures'
import { confirmAddDialog } from './harness'
import { waitForController } from './pwa-helpers'

test.use({ swarmOptions: { name: 'Notice Fixture', sizeMiB: 8, uploadLimit: 1_000_000 } })

interface Recorded { permissionAsks: number; badges: (number | 'clear')[]; notifications: { title: string; body?: string }[] }

test('permission on first add, title progress, badge, and a notification when done', async ({ app, swarm, openPage }) => {
  // Record what the app asks of the platform (headless Chromium has no badge or notification UI).
  const record = (context: BrowserContext) => context.addInitScript(() => {
    const rec: Recorded = { permissionAsks: 0, badges: [], notifications: [] }
    ;(window as unknown as { rec: Recorded }).rec = rec
    // Headless Chromium answers 'denied' before anyone asks: play a user who has not been asked yet.
    let permission: NotificationPermission = 'default'
    Object.defineProperty(Notification, 'permission', { configurable: true, get: () => permission })
    // The user says yes in the browser's prompt.
    Notification.requestPermission = async () => { rec.permissionAsks++; permission = 'granted'; return permission }
    const nav = navigator as unknown as Record<string, unknown>
    nav.setAppBadge = async (n: number) => { rec.badges.push(n) }
    nav.clearAppBadge = async () => { rec.badges.push('clear') }
    ServiceWorkerRegistration.prototype.showNotification = async (title: string, options?: NotificationOptions) => {
      rec.notifications.push({ title, ...(options?.body ? { body: options.body } : {}) })
    }
  })
  const page = await openPage(app, { prepare: record })
  await waitForController(page)
  const rec = () => page.evaluate(() => (window as unknown as { rec: Recorded }).rec)
  expect((await rec()).permissionAsks).toBe(0) // not at load
  expect(await page.title()).toBe('Torrent Web')

  await page.getByLabel('Magnet link, info hash or torrent URL').fill(swarm.magnetURI)
  await page.getByRole('button', { name: 'Add', exact: true }).click()
  await expect.poll(async () => (await rec()).permissionAsks).toBe(1)
  await confirmAddDialog(page, { timeout: 60_000 }) // once the metadata arrived

  await expect.poll(() => page.title(), { timeout: 60_000 }).toMatch(/^([1-9]\d?)% · Torrent Web$/)
  expect((await rec()).badges).toContain(1)

  const item = page.getByRole('listitem', { name: swarm.name })
  await expect(item.getByTestId('state')).toHaveText('Seeding', { timeout: 120_000 })
  await expect.poll(async () => (await rec()).notifications).toEqual([{ title: 'Download finished', body: swarm.name }])
  await expect.poll(() => page.title()).toBe('Torrent Web')
  expect((await rec()).badges.at(-1)).toBe('clear')

  // A second add does not ask again.
  await page.getByLabel('Magnet link, info hash or torrent URL').fill('magnet:?xt=urn:btih:' + 'ab'.repeat(20))
  await page.getByRole('button', { name: 'Add', exact: true }).click()
  await expect(page.getByRole('listitem')).toHaveCount(2)
  expect((await rec()).permissionAsks).toBe(1)
})
