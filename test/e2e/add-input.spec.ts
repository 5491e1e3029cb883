// Every way to add a torrent but the magnet field's own: a torrent URL (and what a site that
// refuses it gets), paste and drop anywhere, a large .torrent parsed in the worker. Nothing here
// downloads: the server's trackers are the fixtures' NO_TRACKER.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Page } from '@playwright/test'
import { makeTorrent } from '../support/make-torrent'
import { expect, test as base } from './fixtures'
import { SCREENSHOTS, confirmAddDialog } from './harness'

/** Torrents of two files: the add dialog asks for each. */
const small = (name: string) => makeTorrent({ name, files: [{ path: ['a.bin'], length: 100_000 }, { path: ['b', 'c.bin'], length: 5 }] })

const test = base.extend<object, { filesUrl: string }>({
  /** A site on another origin: one route that allows cross-origin fetches (CORS), one that does not. */
  filesUrl: [async ({}, use) => {
    const files = createServer((req, res) => {
      if (req.url === '/cors.torrent') res.writeHead(200, { 'access-control-allow-origin': '*' }).end(small('From a URL'))
      else if (req.url === '/no-cors.torrent') res.writeHead(200).end(small('Never seen'))
      else res.writeHead(404, { 'access-control-allow-origin': '*' }).end()
    })
    await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve))
    await use(`http://127.0.0.1:${(files.address() as AddressInfo).port}`)
    await new Promise((resolve) => files.close(resolve))
  }, { scope: 'worker' }],
})

async function addText(page: Page, text: string) {
  await page.getByLabel('Magnet link, info hash or torrent URL').fill(text)
  await page.getByRole('button', { name: 'Add', exact: true }).click()
}

test('a torrent URL is fetched; a CORS refusal and a 404 say what to do', async ({ app, openPage, filesUrl }) => {
  const page = await openPage(app)
  await addText(page, `${filesUrl}/cors.torrent`)
  await confirmAddDialog(page)
  await expect(page.getByRole('listitem', { name: 'From a URL' })).toBeVisible()

  await addText(page, `${filesUrl}/no-cors.torrent`)
  await expect(page.getByRole('alert')).toContainText('CORS')
  await expect(page.getByRole('alert')).toContainText('Open torrent file')

  await addText(page, `${filesUrl}/missing.torrent`)
  await expect(page.getByRole('alert').filter({ hasText: 'The site answered 404' })).toBeVisible()
  await expect(page.getByRole('listitem')).toHaveCount(1)
})

test('paste anywhere (a magnet, a .torrent file) and drop anywhere add torrents', async ({ app, openPage }) => {
  const page = await openPage(app)
  const torrent = [...small('Dropped')]
  const pasted = [...small('Pasted file')]
  await page.evaluate(({ torrent, pasted }) => {
    const paste = (data: DataTransfer) => document.body.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true }))
    const text = new DataTransfer()
    text.setData('text/plain', 'magnet:?xt=urn:btih:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa&dn=Pasted%20magnet')
    paste(text)
    const file = new DataTransfer()
    file.items.add(new File([new Uint8Array(pasted)], 'Pasted.TORRENT'))
    paste(file)
    const drop = new DataTransfer()
    drop.items.add(new File([new Uint8Array(torrent)], 'dropped.torrent'))
    document.body.dispatchEvent(new DragEvent('dragover', { dataTransfer: drop, bubbles: true, cancelable: true }))
    document.body.dispatchEvent(new DragEvent('drop', { dataTransfer: drop, bubbles: true, cancelable: true }))
  }, { torrent, pasted })
  await confirmAddDialog(page) // the pasted file and the dropped one, each with two files, one dialog after the other
  await confirmAddDialog(page)
  for (const name of ['Pasted magnet', 'Pasted file', 'Dropped']) {
    await expect(page.getByRole('listitem', { name })).toBeVisible()
  }
})

test('a large torrent with hostile paths parses in the worker and lists sanitised names', async ({ app, openPage }) => {
  const hostile = [['..', '..', 'etc', 'passwd'], ['/abs', 'x'], ['CON'], ['a', '', 'b'], ['dup.txt'], ['DUP.txt']]
  const many = Array.from({ length: 6000 }, (_, i) => ({ path: ['many', `file ${String(i).padStart(5, '0')} with a long name.bin`], length: 1000 + i }))
  const bytes = makeTorrent({ name: 'Big and hostile', files: [...hostile.map((path) => ({ path, length: 10 })), ...many] })
  expect(bytes.byteLength).toBeGreaterThan(256 * 1024) // large enough for the parse worker
  const page = await openPage(app, { viewport: { width: 360, height: 740 } })
  await page.getByLabel('Open torrent file').setInputFiles({ name: 'big.torrent', mimeType: 'application/x-bittorrent', buffer: Buffer.from(bytes) })
  await confirmAddDialog(page, { timeout: 30_000 }) // parsed in the worker first
  const item = page.getByRole('listitem', { name: 'Big and hostile' })
  await item.getByRole('button', { name: 'Files of Big and hostile', exact: true }).click()
  const list = item.getByRole('list', { name: 'Files of Big and hostile' })
  // 50 rows at a time (6,006 drawn at once took seconds of the main thread; docs/BENCHMARKS.md), the rest one click away
  await expect(list.getByRole('listitem')).toHaveCount(50)
  await item.getByRole('button', { name: 'Show 50 more (5,956 not shown)' }).click()
  await expect(list.getByRole('listitem')).toHaveCount(100)
  const paths = await list.getByRole('listitem').evaluateAll((items) => items.slice(0, 6).map((li) => li.querySelector('.path')?.textContent ?? ''))
  for (const path of paths) {
    expect(path.split('/')).not.toContain('..')
    expect(path.startsWith('/')).toBe(false)
  }
  expect(paths).toContain('_CON')
  expect(paths).toContain('a/b')
  expect(new Set(paths.map((p) => p.toLowerCase())).size).toBe(paths.length)
  await page.screenshot({ path: `${SCREENSHOTS}/large-torrent-phone.png` })
})
