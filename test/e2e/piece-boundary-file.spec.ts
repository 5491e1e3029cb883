// Regression for issue 12: a file that starts inside a piece and ends on a piece boundary read
// "-6296%" with Save disabled while its torrent ran (webtorrent's File.downloaded takes a whole
// piece off such a file), though the torrent read "Seeding 100%".
import type { Page } from '@playwright/test'
import { parseTorrent } from '../../src/core/torrent-parser/metainfo'
import type { FixtureFile } from '../support/fixtures'
import { expect, swarmTest as test } from './fixtures'
import { SCREENSHOTS, addTorrentFile, expectSavedFilesExact } from './harness'

const PIECE = 256 * 1024
/**
 * Eight 256 KiB pieces, four files in this (byte-sorted, so torrent) order: one of whole pieces
 * (starts and ends on a boundary), one from a boundary to inside a piece, one from inside a piece
 * to inside another, and a 4 KiB last file that starts inside the last piece and ends the torrent
 * on a piece boundary: the shape the bug was found with.
 */
const LAYOUT: FixtureFile[] = [
  { path: '1 - whole pieces.bin', length: 2 * PIECE },
  { path: '2 - from a boundary.bin', length: 700_001 },
  { path: '3 - inside to inside.bin', length: 8 * PIECE - 2 * PIECE - 700_001 - 4096 },
  { path: '4 - last.txt', length: 4096 },
]

// The seeder sends about 400 KB/s, so the download takes some seconds for the rows to be read meanwhile.
test.use({ swarmOptions: { name: 'Piece Boundary', files: LAYOUT, pieceLength: PIECE, uploadLimit: 400_000 } })

const NAME = 'Piece Boundary'
const item = (page: Page) => page.getByRole('listitem', { name: NAME })
const fileRows = (page: Page) => page.getByRole('list', { name: `Files of ${NAME}` }).getByRole('listitem')

/** What each file row reads after its size: "complete", "skipped" or "N%". */
async function rowTexts(page: Page): Promise<string[]> {
  // the row's own text, without its priority menu's options
  return fileRows(page).locator('.meta').evaluateAll((metas) => metas.map((meta) =>
    [...meta.childNodes].filter((node) => node.nodeType === Node.TEXT_NODE).map((node) => node.textContent).join('').replace(/\s+/g, ' ').trim()))
}

test('regression: a file starting inside a piece and ending on a piece boundary shows 100% and saves (issue 12)', async ({ app, swarm, openPage, tmpDir }) => {
  // The torrent really has the shape: total a multiple of the piece length, the last file inside the last piece.
  const meta = await parseTorrent(new Uint8Array(swarm.torrentFile))
  expect(meta.pieceLength).toBe(PIECE)
  expect(meta.length % PIECE).toBe(0)
  expect(meta.files.map((file) => file.name)).toEqual(LAYOUT.map((file) => file.path))
  const last = meta.files[meta.files.length - 1]!
  expect(last.offset % PIECE, 'the last file starts inside a piece').toBeGreaterThan(0)
  expect(Math.floor(last.offset / PIECE)).toBe(meta.pieceCount - 1)

  const page = await openPage(app, { acceptDownloads: true, viewport: { width: 900, height: 700 } })
  await addTorrentFile(page, swarm)
  await item(page).getByRole('button', { name: `Files of ${swarm.name}`, exact: true }).click()

  // While it downloads, every row reads 0 to 99%, or "complete" (100% is for complete files only).
  const seen = new Set<string>()
  const deadline = Date.now() + 90_000
  while ((await item(page).getByTestId('state').textContent())?.trim() !== 'Seeding') {
    expect(Date.now(), 'seeding within 90 s').toBeLessThan(deadline)
    for (const text of await rowTexts(page)) seen.add(text)
    await page.waitForTimeout(100)
  }
  const sane = /^\d+(\.\d+)? [KMG]?i?B · (complete|[1-9]?\d%)$/
  expect(seen.size, 'rows read while downloading').toBeGreaterThan(0)
  console.log(`issue 12: file rows read while downloading: ${[...seen].join(' | ')}`)
  expect([...seen].filter((text) => !sane.test(text)), 'file rows read while downloading').toEqual([])

  // Seeding, still running: every file complete, its bar full, and Save enabled.
  await expect(item(page).getByRole('progressbar')).toHaveAttribute('aria-valuenow', '100')
  await expect(fileRows(page)).toHaveCount(LAYOUT.length)
  expect(await rowTexts(page)).toEqual(['512.0 KiB · complete', '683.6 KiB · complete', '848.4 KiB · complete', '4.0 KiB · complete'])
  for (const row of await fileRows(page).all()) {
    await expect(row.locator('.bar > div')).toHaveAttribute('style', /^width: ?100%;?$/)
    await expect(row.getByRole('button', { name: /^Save / })).toBeEnabled()
  }
  await page.screenshot({ path: `${SCREENSHOTS}/piece-boundary-file.png`, fullPage: true })

  await expectSavedFilesExact(page, swarm, tmpDir)
  await expect(item(page).getByTestId('state'), 'saved while the torrent runs').toHaveText('Seeding')
})
