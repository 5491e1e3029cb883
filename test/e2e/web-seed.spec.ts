// A web seed (BEP 19) in real Chromium, where CORS bites: nginx (Debian's nginx-light) serves a
// multi-file torrent's files and sends no CORS headers, so the page's own fetch of them fails;
// the page turns to the bridge, which fetches the ranges for it. No peer at all: every byte comes
// from nginx through the bridge. The peers list shows the web seed by host, through the bridge,
// with its speed; every saved file's SHA-256 is the source's.
// The page's server has a WebSocket tracker (trackerTest) that knows no peer of this torrent: the
// web seed is all there is.
import { join } from 'node:path'
import { multiFileFixture, writeFixture } from '../support/fixtures'
import { makeTorrent } from '../support/peers/mktorrent'
import { expect, trackerTest as test } from './fixtures'
import { SCREENSHOTS, confirmAddDialog, expectNoCspViolations, expectSavedFilesExact } from './harness'

const NAME = 'payload'

test('a web seed without CORS headers: its ranges come through the bridge, the peers list shows it, every file byte-exact', async ({ app, realPeers, openPage, tmpDir }) => {
  const data = join(tmpDir, 'web-seed-data')
  const sha256 = Object.fromEntries((await writeFixture(data, NAME, multiFileFixture(8))).sha256)
  // 1 MiB/s a connection (after its first second's worth at once): the download lasts long enough to be watched
  const nginx = await realPeers.nginx({ root: data, rateLimit: 1024 * 1024 })
  const made = await makeTorrent({ path: join(data, NAME), webSeeds: [nginx.url], pieceLengthLog2: 20, source: 'e2e web seed' })
  const page = await openPage(app, { acceptDownloads: true })
  await expect(page.getByRole('status', { name: 'Reach' })).toContainText('Connected to the whole swarm')
  // the page's own fetch of nginx is refused for want of CORS headers: Chromium says so
  const corsRefused = page.waitForEvent('console', { predicate: (m) => /blocked by CORS policy/.test(m.text()), timeout: 30_000 })
  await page.getByLabel('Open torrent file').setInputFiles({ name: 'payload.torrent', mimeType: 'application/x-bittorrent', buffer: Buffer.from(made.torrent) })
  await confirmAddDialog(page)
  const item = page.getByRole('listitem', { name: NAME })
  await corsRefused
  const peers = item.getByRole('button', { name: /^Peers of payload: 1 peer \(web seed 1\)/ })
  await peers.click()
  const seed = item.getByRole('list', { name: 'Peers' }).getByRole('listitem')
  await expect(seed).toHaveCount(1)
  await expect(seed).toContainText('Web seed, through the bridge')
  await expect(seed).toContainText(`127.0.0.1:${nginx.port}`)
  await expect(seed).toContainText(/↓ [1-9][\d.]* (KiB|MiB)\/s/)
  await page.screenshot({ path: `${SCREENSHOTS}/web-seed-peers.png` })
  await expectSavedFilesExact(page, { name: NAME, sha256 }, tmpDir)
  // nginx served ranges (206) and nothing else; the first of them went unread by the page (CORS)
  const served = await nginx.requests()
  expect(served.filter((r) => !/^GET \/payload\/\S+ 206$/.test(r) && !/^HEAD \/ /.test(r))).toEqual([])
  expectNoCspViolations(page)
})
