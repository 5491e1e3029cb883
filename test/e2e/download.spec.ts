import { join } from 'node:path'
import { expect, test, type Page } from '@playwright/test'
import { SCREENSHOTS, addTorrentFile, confirmAddDialog, expectNoCspViolations, openApp, opfsEntries, sha256File, useSwarmApp } from './harness'

const env = useSwarmApp({ swarm: { name: 'Fixture Album', sizeMiB: 64 }, tmpPrefix: 'saved-' })

function item(page: Page) {
  return page.getByRole('listitem', { name: env.swarm.name })
}

test('downloads a multi-file torrent from a WebRTC seeder by magnet, and every saved file is byte-exact', async () => {
  const context = await env.browser.newContext({ acceptDownloads: true, viewport: { width: 1100, height: 800 } })
  const page = await openApp(context, env.app.url)
  await page.screenshot({ path: `${SCREENSHOTS}/empty.png` })

  await page.getByLabel('Magnet link, info hash or torrent URL').fill(env.swarm.magnetURI)
  await page.getByRole('button', { name: 'Add', exact: true }).click()
  expect(await confirmAddDialog(page, 60_000), 'the add dialog once the metadata arrived').toBe(true)
  const progress = item(page).getByRole('progressbar')
  await expect(progress).toHaveAttribute('aria-valuenow', /^(?!0$)\d/, { timeout: 60_000 })
  await expect(item(page).getByTestId('state')).toHaveText(/Downloading|Seeding/)
  await page.screenshot({ path: `${SCREENSHOTS}/downloading.png` })

  await expect(item(page).getByTestId('state')).toHaveText('Seeding', { timeout: 180_000 })
  await expect(progress).toHaveAttribute('aria-valuenow', '100')
  await item(page).getByRole("button", { name: `Files of ${env.swarm.name}`, exact: true }).click()
  await page.screenshot({ path: `${SCREENSHOTS}/done.png`, fullPage: true })

  const paths = Object.keys(env.swarm.sha256)
  expect(paths.length).toBeGreaterThan(3)
  for (const path of paths) {
    const name = path.split("/").pop()!
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: 30_000 }),
      item(page).getByRole('button', { name: `Save ${name}`, exact: true }).click(),
    ])
    expect(download.suggestedFilename()).toBe(name)
    const target = join(env.tmp, path.replaceAll('/', '__'))
    await download.saveAs(target)
    expect(await sha256File(target), `SHA-256 of ${path}`).toBe(env.swarm.sha256[path])
  }
  expectNoCspViolations(page) // WebRTC, the workers and saving, under the server's policy
  await context.close()
})

test('"Save all" writes the whole tree into a picked folder, byte-exact', async () => {
  const context = await env.browser.newContext({ acceptDownloads: true })
  // The folder picker is a native dialog that a headless browser cannot answer: give the app
  // a real directory handle (a folder in OPFS) as if the user had picked it.
  await context.addInitScript(() => {
    (window as unknown as { showDirectoryPicker: unknown }).showDirectoryPicker = async () =>
      (await navigator.storage.getDirectory()).getDirectoryHandle('picked', { create: true })
  })
  const page = await openApp(context, env.app.url)
  await addTorrentFile(page, env.swarm)
  await expect(item(page).getByTestId('state')).toHaveText('Seeding', { timeout: 180_000 })
  await item(page).getByRole('button', { name: `Save all files of ${env.swarm.name}` }).click()
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
  }, env.swarm.name)
  expect(saved).toEqual(env.swarm.sha256)
  await context.close()
})

test('adding by .torrent file, then removing with its data deletes the OPFS files', async () => {
  const context = await env.browser.newContext({ colorScheme: 'dark', viewport: { width: 360, height: 740 } })
  const page = await openApp(context, env.app.url)
  await addTorrentFile(page, env.swarm)
  await expect(item(page).getByRole('progressbar')).toHaveAttribute('aria-valuenow', /^(?!0$)\d/, { timeout: 60_000 })
  await page.screenshot({ path: `${SCREENSHOTS}/downloading-phone-dark.png` })
  expect((await opfsEntries(page, env.swarm.infoHash)).length).toBeGreaterThan(0)

  // The same torrent again, as a magnet: shown as the existing one, not added twice.
  await page.getByLabel('Magnet link, info hash or torrent URL').fill(env.swarm.magnetURI)
  await page.getByRole('button', { name: 'Add', exact: true }).click()
  await expect(page.getByRole('status').filter({ hasText: 'already in your list' })).toBeVisible()
  await expect(page.getByRole('listitem', { name: env.swarm.name })).toHaveCount(1)

  await item(page).getByRole('button', { name: `Remove ${env.swarm.name}` }).click()
  await page.getByRole('button', { name: 'Remove and delete data' }).click()
  await expect(item(page)).toHaveCount(0)
  await expect(page.getByText('No torrents yet')).toBeVisible()
  await expect.poll(() => opfsEntries(page, env.swarm.infoHash)).toEqual([])
  await context.close()
})
