import type { Page } from '@playwright/test'
import { torrentOrder } from '../support/fixtures'
import type { SeederProcessOptions } from '../support/seeder-process'
import { expectAccessible } from './a11y'
import { expect, swarmTest } from './fixtures'
import { SCREENSHOTS, addDialog, expectSavedFilesExact, openApp, opfsEntries, opfsSizes, type Swarm } from './harness'

const PIECE = 256 * 1024
const NAME = 'Add Dialog Fixture'

const test = swarmTest.extend<object, { albumPage: Page }>({
  /** The page the first test downloads into and the second reloads (the two run in order, in one worker). */
  albumPage: [async ({ browser, app }, use) => {
    const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 360, height: 740 }, colorScheme: 'light' })
    await use(await openApp(context, app.url))
    await context.close()
  }, { scope: 'worker' }],
})

test.describe.configure({ mode: 'serial' })
test.use({ swarmOptions: { name: NAME, sizeMiB: 24, pieceLength: PIECE } })

const item = (p: Page) => p.getByRole('listitem', { name: NAME })

/** Bytes other than zero in a file's OPFS copy, outside the pieces it shares with its neighbours. */
async function writtenInside(p: Page, swarm: Swarm, index: number): Promise<number> {
  const files = torrentOrder(swarm.files)
  const offset = files.slice(0, index).reduce((sum, f) => sum + f.length, 0)
  const length = files[index]!.length
  const headroom = { before: PIECE - (offset % PIECE), after: (offset + length) % PIECE || PIECE }
  return p.evaluate(async ({ infoHash, index, headroom, length }) => {
    const dir = await (await (await navigator.storage.getDirectory()).getDirectoryHandle('torrents')).getDirectoryHandle(infoHash)
    let file: File
    try { file = await (await dir.getFileHandle(`file-${index}`)).getFile() } catch { return 0 }
    const inner = new Uint8Array(await file.slice(headroom.before, Math.max(headroom.before, length - headroom.after)).arrayBuffer())
    return inner.reduce((count, byte) => count + (byte !== 0 ? 1 : 0), 0)
  }, { infoHash: swarm.infoHash, index, headroom, length })
}

test('the add dialog shows the file tree; only the chosen files are downloaded, byte-exact', async ({ albumPage: page, swarm, tmpDir }) => {
  const files = torrentOrder(swarm.files)
  const skippedPaths = ['album/disc 1/02 - long track.bin', 'album/disc 2/01 - track.bin']
  const skipped = skippedPaths.map((path) => files.findIndex((file) => file.path === path))
  expect(skipped).not.toContain(-1)

  // Cancel adds nothing.
  await page.getByLabel('Open torrent file').setInputFiles({ name: 'fixture.torrent', mimeType: 'application/x-bittorrent', buffer: swarm.torrentFile })
  const dialog = addDialog(page)
  await expect(dialog).toBeVisible()
  await dialog.getByRole('button', { name: 'Cancel' }).click()
  await expect(dialog).toBeHidden()
  await expect(page.getByText('No torrents yet')).toBeVisible()

  await page.getByLabel('Open torrent file').setInputFiles({ name: 'fixture.torrent', mimeType: 'application/x-bittorrent', buffer: swarm.torrentFile })
  await expect(dialog).toBeVisible()
  await expect(dialog.getByText(swarm.name)).toBeVisible()
  const total = dialog.getByRole('status', { name: 'Selected size' })
  await expect(total).toContainText(`${files.length} of ${files.length} files selected`)
  // Select none disables Add; select all brings every file back.
  await dialog.getByRole('button', { name: 'Select none' }).click()
  await expect(total).toContainText(`0 of ${files.length} files selected`)
  await expect(dialog.getByRole('button', { name: 'Add', exact: true })).toBeDisabled()
  await dialog.getByRole('button', { name: 'Select all' }).click()
  await expect(dialog.getByRole('button', { name: 'Add', exact: true })).toBeEnabled()
  // A folder folds and unfolds; unchecking it unchecks what it holds.
  await dialog.getByRole('button', { name: 'Fold folder album/disc 2' }).click()
  await expect(dialog.getByRole('checkbox', { name: 'album/disc 2/01 - track.bin' })).toHaveCount(0)
  await dialog.getByRole('checkbox', { name: 'Folder album/disc 2' }).uncheck()
  await dialog.getByRole('button', { name: 'Unfold folder album/disc 2' }).click()
  await expect(dialog.getByRole('checkbox', { name: 'album/disc 2/01 - track.bin' })).not.toBeChecked()
  await dialog.getByRole('checkbox', { name: 'album/disc 1/02 - long track.bin' }).uncheck()
  // The parent folder is now partly chosen.
  expect(await dialog.getByRole('checkbox', { name: 'Folder album', exact: true }).evaluate((el) => (el as HTMLInputElement).indeterminate)).toBe(true)
  await expect(total).toContainText(`${files.length - 2} of ${files.length} files selected`)
  await page.screenshot({ path: `${SCREENSHOTS}/add-dialog-light-360.png` })
  await page.emulateMedia({ colorScheme: 'dark' })
  await page.screenshot({ path: `${SCREENSHOTS}/add-dialog-dark-360.png` })
  await page.emulateMedia({ colorScheme: 'light' })
  await dialog.getByRole('button', { name: 'Add', exact: true }).click()
  await expect(dialog).toBeHidden()

  await expect(item(page).getByTestId('state')).toHaveText('Seeding', { timeout: 120_000 })
  await item(page).getByRole('button', { name: `Files of ${swarm.name}`, exact: true }).click()
  for (const index of skipped) {
    const name = files[index]!.path.split('/').pop()!
    await expect(item(page).getByLabel(`Priority of ${name}`)).toHaveValue('0')
    await expect(item(page).getByRole('button', { name: `Save ${name}`, exact: true })).toBeDisabled()
    expect(await writtenInside(page, swarm, index), `bytes written inside skipped ${files[index]!.path}`).toBe(0)
  }
  await item(page).getByRole('button', { name: `Files of ${swarm.name}`, exact: true }).click()
  const chosen = Object.fromEntries(Object.entries(swarm.sha256).filter(([path]) => !skippedPaths.includes(path)))
  expect(Object.keys(chosen)).toHaveLength(files.length - 2)
  await expectSavedFilesExact(page, { name: swarm.name, sha256: chosen }, tmpDir)
})

test('history lists the finished download after a reload; "Clear history" empties it', async ({ albumPage: page }) => {
  await page.reload()
  await expect(item(page)).toBeVisible()
  await page.getByRole('button', { name: 'History' }).click()
  const history = page.getByRole('dialog', { name: 'History' })
  await expect(history).toBeVisible()
  const entry = history.getByRole('listitem', { name: NAME })
  await expect(entry).toBeVisible()
  await expect(entry).toContainText('MiB')
  await expect(entry).toContainText(String(new Date().getFullYear()))
  await page.screenshot({ path: `${SCREENSHOTS}/history-light-360.png` })
  await expectAccessible(page, 'history')
  await page.emulateMedia({ colorScheme: 'dark' })
  await page.screenshot({ path: `${SCREENSHOTS}/history-dark-360.png` })
  await page.emulateMedia({ colorScheme: 'light' })
  await history.getByRole('button', { name: 'Clear history' }).click()
  await expect(history.getByText('No finished downloads yet.')).toBeVisible()
  await history.getByRole('button', { name: 'Close' }).click()
  await page.reload()
  await page.getByRole('button', { name: 'History' }).click()
  await expect(page.getByRole('dialog', { name: 'History' }).getByText('No finished downloads yet.')).toBeVisible()
  // The torrent itself stays in the list: history is only the record.
  await expect(item(page)).toBeVisible()
})

test('the setting "Ask which files to download when adding" off: a multi-file torrent starts at once', async ({ app, swarm, openPage }) => {
  const p = await openPage(app)
  await p.getByRole('button', { name: 'Settings' }).click()
  const ask = p.getByLabel('Ask which files to download when adding')
  await expect(ask).toBeChecked()
  await ask.uncheck()
  await p.getByRole('button', { name: 'Close' }).click()
  await p.getByLabel('Open torrent file').setInputFiles({ name: 'fixture.torrent', mimeType: 'application/x-bittorrent', buffer: swarm.torrentFile })
  await expect(item(p)).toBeVisible()
  await expect(addDialog(p)).toBeHidden()
  await p.reload()
  await p.getByRole('button', { name: 'Settings' }).click()
  await expect(p.getByLabel('Ask which files to download when adding')).not.toBeChecked()
})

test('a magnet: once its metadata arrives the dialog asks; nothing is downloaded before; a reload asks again; one file chosen downloads only it, byte-exact', async ({ app, swarm, openPage, countingSeeder, tmpDir }) => {
  test.setTimeout(240_000) // two seeder runs (each writes and hashes its files) and a reload
  // The info hash depends on the files only: a first run of the seeder tells the magnet, and
  // with no seeder yet the added magnet waits for its metadata.
  const seederOptions: SeederProcessOptions = { name: 'Magnet Choice Fixture', sizeMiB: 8, seed: 7, pieceLength: PIECE, trackers: [swarm.wsUrl] }
  const probe = await countingSeeder(seederOptions)
  const { magnetURI, infoHash, name, sha256 } = probe.info
  const files = torrentOrder(probe.info.files)
  const metadataBytes = probe.torrentFile.length
  await probe.stop()
  expect(new URL(magnetURI).searchParams.getAll('tr')).toEqual([swarm.wsUrl])

  const p = await openPage(app, { acceptDownloads: true, viewport: { width: 360, height: 740 }, colorScheme: 'light' })
  const magnetItem = p.getByRole('listitem', { name })
  const dialog = addDialog(p)
  const addMagnet = async () => {
    await p.getByLabel('Magnet link, info hash or torrent URL').fill(magnetURI)
    await p.getByRole('button', { name: 'Add', exact: true }).click()
  }
  await addMagnet()
  await expect(magnetItem.getByTestId('state')).toHaveText('Getting metadata')
  await expect(dialog).toBeHidden()
  await p.screenshot({ path: `${SCREENSHOTS}/add-magnet-getting-metadata-360.png` })

  const seeder = await countingSeeder(seederOptions)
  expect(seeder.info.infoHash).toBe(infoHash)
  await expect(dialog).toBeVisible({ timeout: 60_000 })
  await expect(dialog.getByText(name)).toBeVisible()
  const total = dialog.getByRole('status', { name: 'Selected size' })
  await expect(total).toContainText(`${files.length} of ${files.length} files selected`)
  await expect(magnetItem.getByTestId('state')).toHaveText('Waiting for you to choose files')
  await expect(magnetItem).toContainText('1 peer')
  await p.screenshot({ path: `${SCREENSHOTS}/add-dialog-magnet-light-360.png` })

  /** Nothing of the files downloaded: every OPFS file empty, the seeder sent the metadata and no 16 KiB block of data. */
  const expectNothingDownloaded = async () => {
    // Connected to the seeder with the metadata: time enough for a download that should not happen.
    await p.waitForTimeout(3000)
    const sizes = await opfsSizes(p, infoHash)
    expect(Object.values(sizes).every((size) => size === 0), `OPFS sizes ${JSON.stringify(sizes)}`).toBe(true)
    // ut_metadata messages count as uploaded, with their headers.
    expect(seeder.uploaded()).toBeLessThanOrEqual(metadataBytes + 1024)
  }
  await expectNothingDownloaded()

  // Closed before choosing: after a reload it still waits, and the dialog asks again.
  await p.reload()
  await expect(dialog).toBeVisible({ timeout: 30_000 })
  await expect(dialog.getByText(name)).toBeVisible()
  await p.emulateMedia({ colorScheme: 'dark' })
  await p.screenshot({ path: `${SCREENSHOTS}/add-dialog-magnet-dark-360.png` })
  await p.emulateMedia({ colorScheme: 'light' })
  await expectNothingDownloaded()

  // Cancel removes the torrent and its folder.
  await dialog.getByRole('button', { name: 'Cancel' }).click()
  await expect(dialog).toBeHidden()
  await expect(p.getByText('No torrents yet')).toBeVisible()
  await expect.poll(() => opfsEntries(p, infoHash)).toEqual([])

  // Added again: one file chosen of several, and only it comes from the seeder.
  await addMagnet()
  await expect(dialog).toBeVisible({ timeout: 60_000 })
  const chosenPath = 'album/disc 1/01 - intro.bin'
  const chosenLength = files.find((file) => file.path === chosenPath)!.length
  await dialog.getByRole('button', { name: 'Select none' }).click()
  await expect(dialog.getByRole('button', { name: 'Add', exact: true })).toBeDisabled()
  await dialog.getByRole('checkbox', { name: chosenPath }).check()
  await expect(total).toContainText(`1 of ${files.length} files selected`)
  const uploadedBefore = seeder.uploaded()
  await dialog.getByRole('button', { name: 'Add', exact: true }).click()
  await expect(dialog).toBeHidden()
  await expectSavedFilesExact(p, { name, sha256: { [chosenPath]: sha256[chosenPath]! } }, tmpDir)
  // The seeder's counter lags by up to 250 ms; the pieces the file shares with its neighbours come too.
  await expect.poll(() => seeder.uploaded() - uploadedBefore).toBeGreaterThanOrEqual(chosenLength)
  expect(seeder.uploaded() - uploadedBefore).toBeLessThanOrEqual(chosenLength + 2 * PIECE)
  // expectSavedFilesExact left the file list open: every other file is skipped.
  for (const file of files.filter((f) => f.path !== chosenPath)) {
    await expect(magnetItem.getByLabel(`Priority of ${file.path.split('/').pop()!}`)).toHaveValue('0')
  }
})
