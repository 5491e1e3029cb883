// The page reaches the TCP swarm through its bridge: a TCP-only seeder found by an HTTP tracker,
// downloaded byte-exact; the bridge restarted mid-download. Each test has its own seeder and a
// server pointed at its tracker (newSwarm, serveApp).
import type { Page } from '@playwright/test'
import { expectAccessible } from './a11y'
import { expectFocusTrapped, tabTo } from './keyboard'
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
  // 64 MiB at up to 8 MB/s: every time-left shown was "estimating…" or in seconds or minutes,
  // never hours or days (the first speed figures of a run once promised "5 d 6 h" for a download
  // of a minute), and an estimate did show. Not "under a minute": that would assert the speed,
  // and a loaded 2-core CI machine once took two minutes over it.
  const { etas, uploads } = await stats
  // (Intl's words for the unit: "45 sec", "2 min", with whatever space the locale puts before it)
  expect(etas.filter((t) => t !== 'estimating…' && !/^\d+\s+(sec|min) left$/.test(t)), `time left shown: ${etas.join(', ')}`).toEqual([])
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

test('Diagnostics, reached by keyboard, shows what the engine and the bridge know of a download in progress', async ({ newSwarm, serveApp, openPage }) => {
  // slow enough that it is still downloading while looked at (64 MiB at 1 MB/s)
  const swarm = await newSwarm({ name: 'Diagnosed Fixture', sizeMiB: 64, pieceLength: 256 * 1024, webrtc: false, tcpPort: 0, announce: ['http'], uploadLimit: 1_000_000 })
  const app = await serveApp({ trackers: [swarm.wsUrl] })
  const page = await openPage(app, { colorScheme: 'light' })
  await addTorrentFile(page, swarm)
  await expect(item(page, swarm).getByText(/peers? \(.*tracker [1-9]/)).toBeVisible({ timeout: 60_000 })
  // More → Diagnostics, with the keyboard only
  await tabTo(page, item(page, swarm).getByLabel('More actions for Diagnosed Fixture'))
  await page.keyboard.press('Enter')
  await tabTo(page, item(page, swarm).getByRole('button', { name: 'Diagnostics of Diagnosed Fixture' }))
  await page.keyboard.press('Enter')
  const dialog = page.getByRole('dialog', { name: 'Diagnostics: Diagnosed Fixture' })
  await expect(dialog).toBeVisible()
  const fact = (term: string) => dialog.getByRole('term').filter({ hasText: new RegExp(`^${term}$`) }).locator('xpath=following-sibling::dd[1]')
  // the one seeder (found by the HTTP tracker, or dialing in first once the tracker named us: one
  // connection kept), unchoking us, with blocks asked of it and pieces only it has (ours count
  // too: libtorrent's distributed copies, 1.something)
  await expect(fact('Peers by source')).toHaveText(/^(tracker|incoming) 1$/)
  await expect(fact('Connections')).toContainText('1 open; 1 let us download, 1 have pieces we want')
  await expect(fact('Requests in flight')).toHaveText(/^[1-9]\d* blocks asked of peers, 0 asked of us$/)
  await expect(fact('Piece availability')).toHaveText(/^1(\.\d+)? distributed copies; [1-9][\d,]* of [1-9][\d,]* pieces missing, 0 of them on no connected peer$/)
  // the bridge's own /metrics, as this page may read it: this page, its connection, the bytes
  await expect(fact('Pages connected')).toHaveText('1')
  await expect(fact('Peer data since it started')).toHaveText(/^[1-9][\d.]* (KiB|MiB) received, /)
  await expect(fact('Peer connections')).toHaveText(/^\d+ dialed, \d+ incoming$/)
  await expect(fact('Dials since it started')).toHaveText(/^\d+ opened, \d+ failed, 0 refused by the bridge's rules$/)
  await expectAccessible(page, 'diagnostics')
  await expectFocusTrapped(page, dialog)
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme })
    await page.setViewportSize({ width: 1280, height: 720 })
    await page.screenshot({ path: `${SCREENSHOTS}/diagnostics-${scheme}.png` })
    await page.setViewportSize({ width: 360, height: 740 })
    await page.screenshot({ path: `${SCREENSHOTS}/diagnostics-${scheme}-360.png` })
  }
  await page.keyboard.press('Escape')
  await expect(dialog).toBeHidden()
})
