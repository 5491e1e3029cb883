// The page reaches the TCP swarm through its bridge: a TCP-only seeder found by an HTTP tracker,
// downloaded byte-exact; the bridge restarted mid-download. Each test has its own seeder and a
// server pointed at its tracker (newSwarm, serveApp).
import type { Page } from '@playwright/test'
import { expectAccessible } from './a11y'
import { expect, test } from './fixtures'
import { SCREENSHOTS, addTorrentFile, expectSavedFilesExact, type Swarm, type RunningApp } from './harness'

const item = (page: Page, swarm: Swarm) => page.getByRole('listitem', { name: swarm.name })

/** Every distinct time-left and upload-speed text the row shows until it is Seeding, sampled every 100 ms. */
async function sampleStats(page: Page, swarm: Swarm): Promise<{ etas: string[]; uploads: string[] }> {
  const etas = new Set<string>()
  const uploads = new Set<string>()
  const row = item(page, swarm)
  const deadline = Date.now() + 180_000
  while (Date.now() < deadline && (await row.getByTestId('state').textContent().catch(() => null)) !== 'Seeding') {
    const eta = await row.getByTitle(/^Time left/).textContent({ timeout: 100 }).catch(() => null)
    if (eta) etas.add(eta.trim())
    const up = await row.getByTitle('Upload speed').textContent({ timeout: 100 }).catch(() => null)
    if (up) uploads.add(up.trim())
    await page.waitForTimeout(100)
  }
  return { etas: [...etas], uploads: [...uploads] }
}

test('a TCP-only seeder found through an HTTP tracker: downloaded through the bridge, byte-exact', async ({ newSwarm, serveApp, openPage, tmpDir }) => {
  // webtorrent in Node with WebRTC off: reachable over TCP only, as a desktop client is.
  const swarm = await newSwarm({ name: 'Bridge Fixture', sizeMiB: 64, webrtc: false, tcpPort: 0, announce: ['http'], uploadLimit: 8_000_000 })
  const app = await serveApp({ trackers: [swarm.wsUrl] })
  const page = await openPage(app, { acceptDownloads: true })
  await expect(page.getByRole('status', { name: 'Reach' })).toContainText('Connected to the whole swarm')
  await addTorrentFile(page, swarm)
  const stats = sampleStats(page, swarm)
  await expect(item(page, swarm).getByText(/peers? \(.*tracker [1-9]/)).toBeVisible({ timeout: 60_000 })
  await page.screenshot({ path: `${SCREENSHOTS}/bridge-downloading.png` })
  // the peers count opens the list of peers: the seeder, its client read from its peer ID, found by the tracker
  await item(page, swarm).getByRole('button', { name: /^Peers of Bridge Fixture/ }).click()
  const peer = item(page, swarm).getByRole('list', { name: 'Peers' }).getByRole('listitem').filter({ hasText: 'tracker' })
  await expect(peer).toHaveCount(1)
  await expect(peer).toContainText(/WebTorrent \d/)
  await expect(peer).toContainText(/127\.0\.0\.1:\d+\s*tracker/)
  await expect(peer).toContainText('has 100%')
  await expect(peer).toContainText(/↓ [1-9][\d.]* (KiB|MiB)\/s/)
  // the seeder also dials the page's peer port once the tracker names the page: one connection
  // per peer all the same
  await expect(item(page, swarm).getByRole('list', { name: 'Peers' }).getByRole('listitem')).toHaveCount(1)
  await page.screenshot({ path: `${SCREENSHOTS}/bridge-peers.png` })
  await expectAccessible(page, 'peers list (bridge)')
  // More → Trackers: the page's WebSocket tracker, connected; the torrent's HTTP tracker,
  // announced to by the bridge, with the swarm it told of (the seeder, and this page too: the
  // local tracker keeps one swarm for its WebSocket and HTTP sides) and the peers it gave
  await item(page, swarm).getByRole('button', { name: /^Peers of Bridge Fixture/ }).click()
  await item(page, swarm).getByLabel('More actions for Bridge Fixture').click()
  await item(page, swarm).getByRole('button', { name: 'Trackers of Bridge Fixture' }).click()
  const trackers = item(page, swarm).getByRole('list', { name: 'Trackers' }).getByRole('listitem')
  const ws = trackers.filter({ hasText: swarm.wsUrl })
  await expect(ws).toContainText('Working')
  const http = trackers.filter({ hasText: /http:\/\/127\.0\.0\.1:\d+\/announce/ })
  await expect(http).toHaveCount(1)
  await expect(http).toContainText(/Working\s*[1-9]\d* seeders?\s*\d+ leechers?\s*gave [1-9]\d* peers?/)
  await item(page, swarm).getByLabel('More actions for Bridge Fixture').click() // closes "More"
  await page.screenshot({ path: `${SCREENSHOTS}/bridge-trackers.png` })
  await expectSavedFilesExact(page, swarm, tmpDir)
  // 64 MiB at 8 MB/s: every time-left shown was "estimating…" or under a minute (the first
  // speed figures of a run once promised days), and an estimate did show
  const { etas, uploads } = await stats
  // (Intl's words for the unit: "45 sec", with whatever space the locale puts before it)
  expect(etas.filter((t) => t !== 'estimating…' && !/^\d+\s+sec left$/.test(t)), `time left shown: ${etas.join(', ')}`).toEqual([])
  expect(etas.some((t) => t.endsWith(' left'))).toBe(true)
  // the seeder asks for nothing: no piece went up, so no upload speed (requests and haves are
  // not an upload; they once showed as a few hundred B/s)
  expect(uploads).toEqual(['↑ 0 B/s'])
  await expect(item(page, swarm)).toContainText('Ratio 0.00')
})

test('the bridge restarted mid-download: the page reconnects and the download completes, byte-exact', async ({ newSwarm, serveApp, openPage, tmpDir }) => {
  const swarm = await newSwarm({ name: 'Restart Fixture', sizeMiB: 64, webrtc: false, tcpPort: 0, announce: ['http'], uploadLimit: 6_000_000 })
  let app: RunningApp = await serveApp({ trackers: [swarm.wsUrl] })
  const page = await openPage(app, { acceptDownloads: true })
  await addTorrentFile(page, swarm)
  const bar = item(page, swarm).getByRole('progressbar')
  await expect.poll(async () => Number(await bar.getAttribute('aria-valuenow')), { timeout: 60_000 }).toBeGreaterThan(20)
  const port = Number(new URL(app.url).port)
  await app.close()
  await expect(page.getByRole('status', { name: 'Reach' })).toContainText('Bridge not connected')
  await page.screenshot({ path: `${SCREENSHOTS}/bridge-disconnected.png` })
  await expectAccessible(page, 'bridge disconnected')
  app = await serveApp({ trackers: [swarm.wsUrl], port })
  await expect(page.getByRole('status', { name: 'Reach' })).toContainText('Connected to the whole swarm', { timeout: 60_000 })
  await expectSavedFilesExact(page, swarm, tmpDir)
})
