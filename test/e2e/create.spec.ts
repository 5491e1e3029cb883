import { createHash } from 'node:crypto'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test'
import type { RunningServer } from '../../bridge/server'
import { parseMagnet } from '../../src/core/magnet'
import { parseTorrent } from '../../src/core/metainfo'
import { launchChromium } from '../support/browser'
import { fixtureLength, multiFileFixture, torrentOrder, writeFixture, type FixtureFile } from '../support/fixtures'
import { spawnLeecher } from '../support/leecher-cli'
import { startTracker, type LocalTracker } from '../support/tracker'
import { SCREENSHOTS, openApp, startApp } from './harness'

const MiB = 1024 * 1024
const SHARE = 'Created Share'
const BIG = 'big-256MiB.bin'

let browser: Browser
let tracker: LocalTracker
let app: RunningServer
let work: string
/** ~20 MiB: nested folders, a zero-byte file, a non-ASCII name, every size odd (short last piece). */
let files: FixtureFile[]
let shareRoot: string
let shareSha256: Map<string, string>
let bigFile: string

test.beforeAll(async () => {
  tracker = await startTracker()
  app = await startApp([tracker.wsUrl])
  browser = await launchChromium()
  work = await mkdtemp(join(tmpdir(), 'create-'))
  files = multiFileFixture(20)
  ;({ root: shareRoot, sha256: shareSha256 } = await writeFixture(work, SHARE, files, 7))
  bigFile = join((await writeFixture(work, 'big', [{ path: BIG, length: 256 * MiB }], 8)).root, BIG)
})

test.afterAll(async () => {
  await browser?.close()
  await app?.close()
  await tracker?.close()
  if (work) await rm(work, { recursive: true, force: true })
})

async function open(scheme: 'light' | 'dark', downloads = false): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ colorScheme: scheme, viewport: { width: 360, height: 780 }, acceptDownloads: downloads })
  const page = await openApp(context, app.url)
  const button = page.getByRole('button', { name: 'Create torrent', exact: true })
  await expect(button).toBeVisible()
  return { context, page }
}

function dialog(page: Page) {
  return page.getByRole('dialog')
}

/** Records every aria-valuenow the hashing progress bar shows (it lives in nested shadow roots). */
async function recordProgress(page: Page): Promise<() => Promise<number[]>> {
  await page.evaluate(() => {
    const w = window as unknown as { seen: number[] }
    w.seen = []
    const find = (root: Document | ShadowRoot): Element | null => {
      const hit = root.querySelector('[role=progressbar][aria-label^="Hashing"]')
      if (hit) return hit
      for (const el of root.querySelectorAll('*')) {
        if (el.shadowRoot) {
          const inner = find(el.shadowRoot)
          if (inner) return inner
        }
      }
      return null
    }
    const tick = () => {
      const value = find(document)?.getAttribute('aria-valuenow')
      if (value != null && w.seen.at(-1) !== Number(value)) w.seen.push(Number(value))
      requestAnimationFrame(tick)
    }
    tick()
  })
  return () => page.evaluate(() => (window as unknown as { seen: number[] }).seen)
}

/** Entries of the app's OPFS `torrents/` folder, with the files (and sizes) of each. */
async function opfsTree(page: Page): Promise<Record<string, Record<string, number>>> {
  return page.evaluate(async () => {
    const out: Record<string, Record<string, number>> = {}
    const root = await navigator.storage.getDirectory()
    let torrents: FileSystemDirectoryHandle
    try {
      torrents = await root.getDirectoryHandle('torrents')
    } catch {
      return out
    }
    type Entries = { entries(): AsyncIterable<[string, FileSystemHandle]> }
    for await (const [name, handle] of (torrents as unknown as Entries).entries()) {
      out[name] = {}
      if (handle.kind !== 'directory') continue
      for await (const [file, fh] of (handle as unknown as Entries).entries()) {
        if (fh.kind === 'file') out[name]![file] = (await (fh as FileSystemFileHandle).getFile()).size
      }
    }
    return out
  })
}

/** SHA-1 of each piece of the files, concatenated in torrent order, computed here in Node. */
async function expectedPieceHashes(ordered: FixtureFile[], root: string, pieceLength: number): Promise<Buffer> {
  const all = Buffer.concat(await Promise.all(ordered.map((f) => readFile(join(root, ...f.path.split('/'))))))
  const out: Buffer[] = []
  for (let at = 0; at < all.length; at += pieceLength) out.push(createHash('sha1').update(all.subarray(at, at + pieceLength)).digest())
  return Buffer.concat(out)
}

/** Picks the fixture folder, creates the torrent and waits for the magnet link. */
async function createShare(page: Page, screenshot?: string): Promise<{ magnet: string; seen: number[] }> {
  await page.getByRole('button', { name: 'Create torrent', exact: true }).click()
  await expect(dialog(page)).toBeVisible()
  await dialog(page).getByLabel('Folder to share').setInputFiles(shareRoot)
  await expect(dialog(page).getByLabel('Torrent name')).toHaveValue(SHARE)
  await expect(dialog(page).getByText(`${files.length} files`)).toBeVisible()
  await expect(dialog(page).getByLabel(/^Trackers/)).toHaveValue(tracker.wsUrl)
  if (screenshot) await page.screenshot({ path: `${SCREENSHOTS}/${screenshot}` })
  const seen = await recordProgress(page)
  await dialog(page).getByRole('button', { name: 'Create', exact: true }).click()
  const magnetField = dialog(page).getByLabel('Magnet link')
  await expect(magnetField).toBeVisible({ timeout: 60_000 })
  return { magnet: await magnetField.inputValue(), seen: await seen() }
}

test('creates a torrent from a folder: progress, magnet link, a .torrent that parses, the files copied into OPFS', async () => {
  const { context, page } = await open('light', true)
  const { magnet, seen } = await createShare(page, 'create-form-phone-light.png')
  expect(seen.length, 'the progress bar was shown').toBeGreaterThan(0)
  expect(seen.every((v) => v >= 0 && v <= 100)).toBe(true)
  expect(seen).toEqual([...seen].sort((a, b) => a - b)) // it only moves forward

  const link = parseMagnet(magnet)
  expect(link.name).toBe(SHARE)
  expect(link.trackers).toEqual([tracker.wsUrl])
  await expect(dialog(page).getByRole('heading')).toHaveText(`“${SHARE}” is seeding`)
  await page.screenshot({ path: `${SCREENSHOTS}/create-done-phone-light.png` })

  // The .torrent, as the browser downloads it
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    dialog(page).getByRole('button', { name: 'Download .torrent' }).click(),
  ])
  expect(download.suggestedFilename()).toBe(`${SHARE}.torrent`)
  const torrentPath = join(work, 'created.torrent')
  await download.saveAs(torrentPath)
  const bytes = new Uint8Array(await readFile(torrentPath))
  const meta = await parseTorrent(bytes)
  expect(createHash('sha1').update(meta.infoBytes).digest('hex')).toBe(link.infoHash)
  expect(meta.infoHash).toBe(link.infoHash)
  expect(meta.name).toBe(SHARE)
  expect(meta.announce).toEqual([tracker.wsUrl])
  const ordered = torrentOrder(files)
  expect(meta.files.map((f) => [f.name, f.length])).toEqual(ordered.map((f) => [f.path, f.length]))
  expect(meta.length).toBe(fixtureLength(files))
  expect(meta.pieceLength).toBe(16 * 1024)
  expect(meta.lastPieceLength).toBeLessThan(meta.pieceLength)
  expect(Buffer.from(meta.pieceHashes).equals(await expectedPieceHashes(ordered, shareRoot, meta.pieceLength)), 'piece hashes').toBe(true)

  // The copies the page seeds from: torrents/<infoHash>/file-<i>, byte-exact; no temporary folder left.
  const tree = await opfsTree(page)
  expect(Object.keys(tree).filter((name) => name.startsWith('.creating-'))).toEqual([])
  expect(tree[link.infoHash]).toEqual(Object.fromEntries(ordered.map((f, i) => [`file-${i}`, f.length])))
  const copies = await page.evaluate(async (hash) => {
    const hex = (buf: ArrayBuffer) => [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, '0')).join('')
    const dir = await (await (await navigator.storage.getDirectory()).getDirectoryHandle('torrents')).getDirectoryHandle(hash)
    const out: string[] = []
    for (let i = 0; ; i++) {
      let file: File
      try {
        file = await (await dir.getFileHandle(`file-${i}`)).getFile()
      } catch {
        return out
      }
      out.push(hex(await crypto.subtle.digest('SHA-256', await file.arrayBuffer())))
    }
  }, link.infoHash)
  expect(copies).toEqual(ordered.map((f) => shareSha256.get(f.path)))

  // Copy magnet link: the clipboard holds it
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(app.url).origin })
  await dialog(page).getByRole('button', { name: 'Copy magnet link' }).click()
  await expect(dialog(page).getByRole('status')).toHaveText('Copied')
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(magnet)
  await context.close()
})

for (const scheme of ['light', 'dark'] as const) {
  test(`hashing a 256 MiB file (${scheme}): the bar moves, Cancel deletes what was written, then it completes`, async () => {
    const { context, page } = await open(scheme)
    await page.getByRole('button', { name: 'Create torrent', exact: true }).click()
    await dialog(page).getByLabel('Files to share').setInputFiles(bigFile)
    await expect(dialog(page).getByLabel('Torrent name')).toHaveValue(BIG)
    await dialog(page).getByLabel('Private torrent').check()

    // Start, catch it mid-way, cancel
    await dialog(page).getByRole('button', { name: 'Create', exact: true }).click()
    await expect(dialog(page).getByRole('heading')).toHaveText(`Creating “${BIG}”`)
    const bar = dialog(page).getByRole('progressbar', { name: `Hashing ${BIG}` })
    await expect(bar).toHaveAttribute('aria-valuenow', /^[1-9]\d?$/)
    await page.screenshot({ path: `${SCREENSHOTS}/create-hashing-phone-${scheme}.png` })
    await dialog(page).getByRole('button', { name: 'Cancel' }).click()
    await expect(dialog(page).getByRole('button', { name: 'Create', exact: true })).toBeVisible()
    await expect(dialog(page).getByLabel('Private torrent')).toBeChecked() // the form is as it was
    await expect.poll(() => opfsTree(page)).toEqual({})

    // Again, to the end: the bar moves through several values; time it
    const seen = await recordProgress(page)
    const started = Date.now()
    await dialog(page).getByRole('button', { name: 'Create', exact: true }).click()
    await expect(dialog(page).getByLabel('Magnet link')).toBeVisible({ timeout: 120_000 })
    const seconds = (Date.now() - started) / 1000
    const values = await seen()
    expect(values.filter((v) => v > 0 && v < 100).length, `progress values ${values.join(',')}`).toBeGreaterThanOrEqual(2)
    console.log(`[create] 256 MiB hashed and copied into OPFS in ${seconds.toFixed(2)} s: ${(256 / seconds).toFixed(0)} MiB/s (UI-measured, ${scheme})`)
    await page.screenshot({ path: `${SCREENSHOTS}/create-done-phone-${scheme}-big.png` })

    const infoHash = parseMagnet(await dialog(page).getByLabel('Magnet link').inputValue()).infoHash
    expect(await opfsTree(page)).toEqual({ [infoHash]: { 'file-0': 256 * MiB } })
    await context.close()
  })
}

// bt-app adds a created torrent with engine.add({ kind: 'file', bytes }, { complete: true }).
test('a torrent created in the page seeds: a webtorrent client in Node downloads it by magnet, byte-exact', async () => {
  const { context, page } = await open('light')
  const { magnet } = await createShare(page)
  await dialog(page).getByRole('button', { name: 'Close' }).click()
  const item = page.getByRole('listitem', { name: SHARE })
  await expect(item.getByTestId('state')).toHaveText('Seeding', { timeout: 30_000 })
  await page.screenshot({ path: `${SCREENSHOTS}/create-seeding-phone-light.png` })

  const dir = await mkdtemp(join(work, 'leech-'))
  const leecher = spawnLeecher({ magnet, dir, timeoutMs: 150_000 })
  try {
    const { sha256, seconds } = await leecher.result
    console.log(`[create] Node leecher downloaded ${SHARE} from the page in ${seconds.toFixed(1)} s`)
    // webtorrent writes no file for a zero-byte entry; every other file must be byte-exact.
    const expected = Object.fromEntries([...shareSha256].filter(([path]) => files.find((f) => f.path === path)!.length > 0))
    const got = Object.fromEntries(Object.entries(sha256).filter(([path]) => path in expected))
    expect(got).toEqual(expected)
  } finally {
    leecher.stop()
  }
  await context.close()
})
