// Downloads from a WebRTC seeder (webtorrent in Node) by magnet and by .torrent: every saved
// file byte-exact, "Save all" into a picked folder, and removing a torrent with its data.
import { join } from 'node:path'
import type { Page } from '@playwright/test'
import { expect, swarmTest as test } from './fixtures'
import { SCREENSHOTS, addTorrentFile, confirmAddDialog, expectNoCspViolations, opfsEntries, sha256File, type Swarm } from './harness'

test.use({ swarmOptions: { name: 'Fixture Album', sizeMiB: 64 } })

function item(page: Page, swarm: Swarm) {
  return page.getByRole('listitem', { name: swarm.name })
}

test('downloads a multi-file torrent from a WebRTC seeder by magnet, and every saved file is byte-exact', async ({ app, swarm, openPage, tmpDir }) => {
  const page = await openPage(app, { acceptDownloads: true, viewport: { width: 1100, height: 800 } })
  await page.screenshot({ path: `${SCREENSHOTS}/empty.png` })

  await page.getByLabel('Magnet link, info hash or torrent URL').fill(swarm.magnetURI)
  await page.getByRole('button', { name: 'Add', exact: true }).click()
  await confirmAddDialog(page, { timeout: 60_000 }) // once the metadata arrived
  const progress = item(page, swarm).getByRole('progressbar')
  await expect(progress).toHaveAttribute('aria-valuenow', /^(?!0$)\d/, { timeout: 60_000 })
  await expect(item(page, swarm).getByTestId('state')).toHaveText(/Downloading|Seeding/)
  await page.screenshot({ path: `${SCREENSHOTS}/downloading.png` })

  await expect(item(page, swarm).getByTestId('state')).toHaveText('Seeding', { timeout: 180_000 })
  await expect(progress).toHaveAttribute('aria-valuenow', '100')
  await item(page, swarm).getByRole("button", { name: `Files of ${swarm.name}`, exact: true }).click()
  await page.screenshot({ path: `${SCREENSHOTS}/done.png`, fullPage: true })

  const paths = Object.keys(swarm.sha256)
  expect(paths.length).toBeGreaterThan(3)
  for (const path of paths) {
    const name = path.split("/").pop()!
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: 30_000 }),
      item(page, swarm).getByRole('button', { name: `Save ${name}`, exact: true }).click(),
    ])
    expect(download.suggestedFilename()).toBe(name)
    const target = join(tmpDir, path.replaceAll('/', '__'))
    await download.saveAs(target)
    expect(await sha256File(target), `SHA-256 of ${path}`).toBe(swarm.sha256[path])
  }
  expectNoCspViolations(page) // WebRTC, the workers and saving, under the server's policy
})

test('"Save all" writes the whole tree into a picked folder, byte-exact', async ({ app, swarm, openPage }) => {
  const page = await openPage(app, {
    acceptDownloads: true,
    // The folder picker is a native dialog that a headless browser cannot answer: give the app
    // a real directory handle (a folder in OPFS) as if the user had picked it.
    prepare: (context) => context.addInitScript(() => {
      (window as unknown as { showDirectoryPicker: unknown }).showDirectoryPicker = async () =>
        (await navigator.storage.getDirectory()).getDirectoryHandle('picked', { create: true })
    }),
  })
  await addTorrentFile(page, swarm)
  await expect(item(page, swarm).getByTestId('state')).toHaveText('Seeding', { timeout: 180_000 })
  await item(page, swarm).getByRole('button', { name: `Save all files of ${swarm.name}` }).click()
  await expect(page.getByRole('status').filter({ hasText: 'Saved' })).toBeVisible()

  const saved = await page.evaluate(async (folder) => {
    const hex = (buf: ArrayBuffer) => [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, '0')).join('')
    const out: Record<string, string> = {}
    async function walk(dir: FileSystemDirectoryHandle, prefix: string) {
      for await (const [name, handle] of (dir as unknown as { entries(): AsyncIterable<[string, FileSystemHandle]> }).entries()) {
        if (handle.kind === 'directory') await walk(handle as FileSystemDirectoryHandle, `${prefix}${name}/`)
        else out[`${prefix}${name}`] = hex(await crypto.subtle.digest('SHA-256', await (await (handle as FileSystemFileHandle).getFile()).arrayBuffer()))
      }
    }
    const root = await navigator.storage.getDirectory()
    await walk(await (await root.getDirectoryHandle('picked')).getDirectoryHandle(folder), '')
    return out
  }, swarm.name)
  expect(saved).toEqual(swarm.sha256)
})

test('adding by .torrent file, then removing with its data deletes the OPFS files', async ({ app, swarm, openPage }) => {
  const page = await openPage(app, { colorScheme: 'dark', viewport: { width: 360, height: 740 } })
  await addTorrentFile(page, swarm)
  await expect(item(page, swarm).getByRole('progressbar')).toHaveAttribute('aria-valuenow', /^(?!0$)\d/, { timeout: 60_000 })
  await page.screenshot({ path: `${SCREENSHOTS}/downloading-phone-dark.png` })
  expect((await opfsEntries(page, swarm.infoHash)).length).toBeGreaterThan(0)

  // The same torrent again, as a magnet: shown as the existing one, not added twice.
  await page.getByLabel('Magnet link, info hash or torrent URL').fill(swarm.magnetURI)
  await page.getByRole('button', { name: 'Add', exact: true }).click()
  await expect(page.getByRole('status').filter({ hasText: 'already in your list' })).toBeVisible()
  await expect(page.getByRole('listitem', { name: swarm.name })).toHaveCount(1)

  await item(page, swarm).getByRole('button', { name: `Remove ${swarm.name}` }).click()
  await page.getByRole('button', { name: 'Remove and delete data' }).click()
  await expect(item(page, swarm)).toHaveCount(0)
  await expect(page.getByText('No torrents yet')).toBeVisible()
  await expect.poll(() => opfsEntries(page, swarm.infoHash)).toEqual([])
})
