// Streaming: a video plays while it downloads from a throttled seeder, through the service
// worker's range route; a seek to 80% plays; subtitles turn on; text previews; a file the
// browser cannot play says so and offers Save; saved files are byte-exact.
import { createHash, randomBytes } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Page } from '@playwright/test'
import { makeVideo, spawnMediaSeeder, writeSrt, type MediaSeeder } from '../support/media'
import { expectAccessible } from './a11y'
import { expect, test as base } from './fixtures'
import { SCREENSHOTS, confirmAddDialog, expectNoCspViolations, sha256File, startApp } from './harness'
import { redrawRows } from './keyboard'
import { waitForController } from './pwa-helpers'

const FOLDER = 'Clip Folder'

/** The spec's swarm: a folder of media, seeded at 2 MB/s; the SHA-256 of each file by name. */
interface Media { seeder: MediaSeeder; sha256: Record<string, string> }

const test = base.extend<object, { media: Media }>({
  media: [async ({ tmpDir }, use) => {
    const root = join(tmpDir, FOLDER)
    await mkdir(root)
    // 40 s at 6 Mbit/s: about 30 MB, some 15 s at the seeder's 2 MB/s.
    makeVideo(join(root, 'clip.mp4'), { seconds: 40, bitrate: 6_000_000 })
    await writeSrt(join(root, 'clip.srt'))
    await writeFile(join(root, 'notes.txt'), 'Read me first.\nThis torrent is a test clip.\n')
    await writeFile(join(root, 'old.avi'), randomBytes(300_000)) // not a video any browser plays
    const sha256: Record<string, string> = {}
    for (const name of ['clip.mp4', 'clip.srt', 'notes.txt', 'old.avi']) {
      sha256[name] = createHash('sha256').update(await readFile(join(root, name))).digest('hex')
    }
    const seeder = await spawnMediaSeeder(root, { uploadLimit: 2_000_000 })
    await use({ seeder, sha256 })
    await seeder.stop()
  }, { scope: 'worker', timeout: 240_000 }],
  /** The server, pointed at the media seeder's tracker. */
  app: [async ({ media }, use) => {
    const app = await startApp([media.seeder.wsUrl])
    await use(app)
    await app.close()
  }, { scope: 'worker', timeout: 60_000 }],
})

const item = (page: Page) => page.getByRole('listitem', { name: FOLDER })
const player = (page: Page) => page.getByRole('dialog', { name: /^Player: / })

async function videoState(page: Page) {
  return page.locator('bt-player video').evaluate((v: HTMLVideoElement) => ({
    readyState: v.readyState, currentTime: v.currentTime, duration: v.duration, paused: v.paused,
    error: v.error?.code ?? null, tracks: [...v.textTracks].map((t) => ({ mode: t.mode, cues: t.cues?.length ?? 0 })),
  }))
}

async function torrentPercent(page: Page): Promise<number> {
  return Number(await item(page).getByRole('progressbar').getAttribute('aria-valuenow'))
}

/** Saves a file through its "Save NAME" button, into `dir`; its SHA-256. */
async function save(page: Page, dir: string, name: string): Promise<string> {
  const [download] = await Promise.all([
    page.waitForEvent('download', { timeout: 30_000 }),
    item(page).getByRole('button', { name: `Save ${name}`, exact: true }).click(),
  ])
  const target = join(dir, `saved-${name}`)
  await download.saveAs(target)
  return sha256File(target)
}

test('a video plays while it downloads, seeks to 80%, shows subtitles; the saved file is byte-exact', async ({ app, media: { seeder, sha256 }, openPage, tmpDir }) => {
  const page = await openPage(app, { acceptDownloads: true, viewport: { width: 1100, height: 820 } })
  await waitForController(page)
  expect(await page.evaluate(() => document.createElement('video').canPlayType('video/mp4; codecs="avc1.42E01E, mp4a.40.2"'))).not.toBe('')

  await page.getByLabel('Magnet link, info hash or torrent URL').fill(seeder.magnetURI)
  await page.getByRole('button', { name: 'Add', exact: true }).click()
  await confirmAddDialog(page, { timeout: 60_000 }) // once the metadata arrived
  await item(page).getByRole('button', { name: `Files of ${FOLDER}`, exact: true }).click({ timeout: 60_000 })
  await item(page).getByRole('button', { name: 'Play clip.mp4', exact: true }).click()
  await expect(player(page)).toBeVisible()

  // Playing before the download is complete.
  await expect.poll(async () => {
    const v = await videoState(page)
    return v.readyState >= 3 && v.currentTime > 0.5
  }, { timeout: 60_000 }).toBe(true)
  const percentWhilePlaying = await torrentPercent(page)
  expect(percentWhilePlaying).toBeLessThan(100)
  console.log(`[streaming] playing at ${percentWhilePlaying}% of the torrent`)
  await expect(page.getByTestId('player-progress')).toContainText('playing while it downloads')

  // Subtitles from the same folder (.srt converted to WebVTT).
  await player(page).getByLabel('Subtitles').selectOption({ label: 'clip.srt' })
  await expect.poll(async () => (await videoState(page)).tracks).toEqual([{ mode: 'showing', cues: 2 }])
  await page.screenshot({ path: `${SCREENSHOTS}/pwa-player-light.png` })
  await expectAccessible(page, 'player (video)')

  // A seek to 80% plays (the pieces it needs are fetched first).
  const { duration } = await videoState(page)
  expect(duration).toBeGreaterThan(30)
  const target = duration * 0.8
  await page.locator('bt-player video').evaluate((v: HTMLVideoElement, t) => { v.currentTime = t }, target)
  await expect.poll(async () => {
    const v = await videoState(page)
    return v.readyState >= 3 && v.currentTime > target + 0.5 && !v.paused
  }, { timeout: 60_000 }).toBe(true)
  console.log(`[streaming] playing after the seek at ${await torrentPercent(page)}% of the torrent`)

  await player(page).getByRole('button', { name: 'Close player' }).click()
  await expect(player(page)).toBeHidden()
  await expect(item(page).getByRole('button', { name: 'Play clip.mp4', exact: true }), 'the focus is back on what opened the player').toBeFocused()
  await expect(item(page).getByTestId('state')).toHaveText('Seeding', { timeout: 180_000 })
  expect(await save(page, tmpDir, 'clip.mp4')).toBe(sha256['clip.mp4'])
  expectNoCspViolations(page) // streamed video and blob: subtitles, under the server's policy
})

test('text previews; a file the browser cannot play says so and offers Save (byte-exact)', async ({ app, media: { seeder, sha256 }, openPage, tmpDir }) => {
  const page = await openPage(app, { acceptDownloads: true, colorScheme: 'dark', viewport: { width: 360, height: 740 } })
  await waitForController(page)
  await page.getByLabel('Open torrent file').setInputFiles({ name: 'clip.torrent', mimeType: 'application/x-bittorrent', buffer: seeder.torrentFile })
  await confirmAddDialog(page)
  await item(page).getByRole('button', { name: `Files of ${FOLDER}`, exact: true }).click({ timeout: 60_000 })

  await item(page).getByRole('button', { name: 'Play notes.txt', exact: true }).click()
  await expect(player(page).getByLabel('Contents of notes.txt')).toContainText('This torrent is a test clip.')
  // the player gives the focus back to its Play button even when the row was redrawn meanwhile
  // (the element that opened it is gone by then; the new row has its files folded)
  expect(await redrawRows(page), 'the row was drawn anew while the player was open').toBe(true)
  await page.keyboard.press('Escape')
  await expect(player(page)).toBeHidden()
  await expect(item(page).getByRole('button', { name: 'Play notes.txt', exact: true }), 'the focus is back on "Play notes.txt"').toBeFocused()

  await item(page).getByRole('button', { name: 'Play clip.mp4', exact: true }).click()
  await expect.poll(async () => (await videoState(page)).readyState >= 3, { timeout: 60_000 }).toBe(true)
  await page.screenshot({ path: `${SCREENSHOTS}/pwa-player-phone-dark.png` })
  await player(page).getByRole('button', { name: 'Close player' }).click()

  await expect(item(page).getByTestId('state')).toHaveText('Seeding', { timeout: 180_000 })
  await item(page).getByRole('button', { name: 'Play old.avi', exact: true }).click()
  await expect(player(page).getByRole('alert')).toContainText('This browser cannot play “old.avi”')
  await page.screenshot({ path: `${SCREENSHOTS}/pwa-player-unsupported-phone-dark.png` })
  await expectAccessible(page, 'player (cannot play)')
  const [download] = await Promise.all([
    page.waitForEvent('download', { timeout: 30_000 }),
    player(page).getByRole('button', { name: 'Save old.avi' }).click(),
  ])
  expect(download.suggestedFilename()).toBe('old.avi')
  const savedPath = join(tmpDir, 'saved-player-old.avi')
  await download.saveAs(savedPath)
  expect(await sha256File(savedPath)).toBe(sha256['old.avi'])
  expectNoCspViolations(page) // streamed images and text previews
})
