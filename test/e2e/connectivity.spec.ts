// The Connectivity panel (issue 15): what the bridge reaches, read at a glance, from the header and
// from a torrent that has no peers. The server is the real one, its peer port on loopback as every
// test's is, so its port mapping is off and the panel says why; the DHT is its own (no nodes).
import type { Page } from '@playwright/test'
import { expectAccessible } from './a11y'
import { expect, test } from './fixtures'
import { SCREENSHOTS } from './harness'

test.use({ appOptions: { trackers: [] } })

const panel = (page: Page) => page.getByRole('dialog', { name: 'Connectivity' })

test('the Connectivity panel says whether peers can connect in, and why not; a torrent without peers leads to it', async ({ app, openPage }) => {
  const page = await openPage(app, { colorScheme: 'light' })
  await expect(page.getByRole('status', { name: 'Reach' })).toContainText('Connected to the whole swarm')
  // the header says it at a glance
  await expect(page.getByRole('button', { name: 'Connectivity: No: the peer port listens on 127.0.0.1 only (--peer-host)' })).toHaveText('Incoming: closed')
  await page.getByRole('button', { name: /^Connectivity: / }).click()
  const facts = panel(page).getByRole('definition')
  const fact = (term: string) => panel(page).getByRole('term').filter({ hasText: term }).locator('xpath=following-sibling::dd[1]')
  await expect(fact('Bridge')).toHaveText('Connected')
  await expect(fact('Reachable from the internet')).toHaveText('No: the peer port listens on 127.0.0.1 only (--peer-host)')
  await expect(fact('External address')).toHaveText('Not known')
  await expect(fact('DHT')).toHaveText('0 nodes: none found yet')
  await expect(fact('Local peer discovery')).toHaveText('Off')
  await expect(fact('Proxy')).toHaveText('None')
  await expect(fact('IPv6')).toHaveText('No: IPv4 peers only')
  await expect(facts).toHaveCount(7)
  // router advice only where a router was asked and said no: here none could help
  await expect(panel(page)).not.toContainText('forward TCP port')
  await page.screenshot({ path: `${SCREENSHOTS}/connectivity-light.png` })
  await expectAccessible(page, 'connectivity panel (header)')
  await panel(page).getByRole('button', { name: 'Close' }).click()
  await expect(panel(page)).toBeHidden()

  // a magnet nobody has: no peers, and the way to the panel beside the count
  await page.setViewportSize({ width: 360, height: 740 })
  await page.emulateMedia({ colorScheme: 'dark' })
  await page.getByLabel('Magnet link, info hash or torrent URL').fill('magnet:?xt=urn:btih:0f0e0d0c0b0a09080706050403020100f0e0d0c0&dn=Nobody+has+this')
  await page.getByRole('button', { name: 'Add', exact: true }).click()
  const why = page.getByRole('button', { name: 'Why no peers for Nobody has this? Show connectivity' })
  await expect(why).toBeVisible()
  await page.screenshot({ path: `${SCREENSHOTS}/why-none-dark-360.png` })
  // A peer that comes and goes, or a restart for want of peers (queued, no place in line, for a
  // moment), leaves "Why none?" the same element, with the focus on it: it once was drawn anew
  // and the focus fell to the page's body.
  await why.focus()
  expect(await flickerRow(page, { peers: 1, peerSources: { tracker: 1 } }), '"Why none?" is the same element after a peer came and went').toBe(true)
  expect(await flickerRow(page, { state: 'queued' }), '"Why none?" is the same element after a restart').toBe(true)
  await expect(why).toBeFocused()
  // a seed with no peers has no one to upload to, which is normal: no "Why none?" there
  const looking = await setRow(page, { state: 'seeding', progress: 1, peers: 0 })
  await expect(why).toBeHidden()
  await expect(page.locator('bt-torrent-item').first()).toContainText('0 peers')
  await page.screenshot({ path: `${SCREENSHOTS}/seed-no-peers-dark-360.png` })
  await setRow(page, looking)
  await expect(why).toBeVisible()
  await why.click()
  await expect(panel(page)).toBeVisible()
  await expect(fact('Reachable from the internet')).toHaveText(/^No: /)
  await page.screenshot({ path: `${SCREENSHOTS}/connectivity-dark-360.png` })
})

test('a bridge started with --no-dht: neither the Reach line nor the Connectivity panel claims a DHT', async ({ serveApp, openPage }) => {
  const app = await serveApp({ trackers: [], args: ['--no-dht'] })
  const page = await openPage(app, { colorScheme: 'light' })
  const reach = page.getByRole('status', { name: 'Reach' })
  await expect(reach).toHaveText('Connected to the swarm through the bridge: TCP peers and HTTP/UDP trackers (this bridge runs no DHT), and WebRTC peers.')
  await page.getByRole('button', { name: /^Connectivity: / }).click()
  const fact = (term: string) => panel(page).getByRole('term').filter({ hasText: term }).locator('xpath=following-sibling::dd[1]')
  await expect(fact('DHT')).toHaveText('Off')
  await page.screenshot({ path: `${SCREENSHOTS}/connectivity-no-dht-light.png` })
  await panel(page).getByRole('button', { name: 'Close' }).click()
  await page.setViewportSize({ width: 360, height: 740 })
  await page.emulateMedia({ colorScheme: 'dark' })
  await page.screenshot({ path: `${SCREENSHOTS}/reach-no-dht-dark-360.png` })
})

/**
 * The first torrent's row is given a snapshot changed by `change` and then its own again, as the
 * engine sends them when a peer connects and drops or a torrent is restarted (the next real
 * snapshot is its own too); true when "Why none?" was never redrawn.
 */
async function flickerRow(page: Page, change: Record<string, unknown>): Promise<boolean> {
  return page.locator('bt-torrent-item').first().evaluate(async (node, change) => {
    const item = node as HTMLElement & { torrent: object; updateComplete: Promise<boolean> }
    const before = item.shadowRoot?.querySelector('button.why')
    const looking = item.torrent
    item.torrent = { ...looking, ...change }
    await item.updateComplete
    item.torrent = looking
    await item.updateComplete
    const after = item.shadowRoot?.querySelector('button.why')
    return Boolean(before && before === after)
  }, change)
}

/** Gives the first torrent's row a snapshot changed by `change`, as the engine would send it; returns the one it had. */
async function setRow(page: Page, change: Record<string, unknown>): Promise<Record<string, unknown>> {
  return page.locator('bt-torrent-item').first().evaluate(async (node, change) => {
    const item = node as HTMLElement & { torrent: Record<string, unknown>; updateComplete: Promise<boolean> }
    const before = item.torrent
    item.torrent = { ...before, ...change }
    await item.updateComplete
    return before
  }, change)
}
