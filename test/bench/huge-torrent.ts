/**
 * Issue 17, point 2: a huge torrent. 10,000 files in folders of folders (10 × 10 × 100), 10 GiB
 * and 100 GiB of zeros (so its piece hashes are cheap to make and its files sparse on disk). Each
 * is opened with "Open torrent file" (parse, then the add dialog: its tree is unfolded, all and
 * none chosen, a folder toggled), added paused, its file list opened. The resume of a half-done
 * copy and the IndexedDB writes while it downloads are measured by huge-resume.ts, in on-disk
 * profiles: in this off-the-record context OPFS refuses the copy (QuotaExceededError, whatever
 * CDP's quota override says). Its helpers for the copy live here, beside the layout they copy.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, Page } from '@playwright/test'
import { allowWebRtc } from '../support/browser'
import { startTracker } from '../support/tracker'
import { startApp } from '../e2e/harness'
import { profileMainThread, type MainThreadProfile } from './main-thread-trace'
import { setQuota } from './scale-page'
import { nestedLayout, zeroTorrent, type MadeTorrent } from './scale-torrents'

const MiB = 1024 * 1024
const GiB = 1024 * MiB
const FILES = 10_000
const SIZES_GIB = (process.env.BENCH_HUGE_GIB ?? '10,100').split(',').map(Number).filter((n) => n > 0)
const SETTLE_MS = 1000
const TIMEOUT_MS = 5 * 60_000

export interface HugeTorrentRun {
  sizeGiB: number
  files: number
  pieces: number
  pieceLength: number
  torrentBytes: number
  /** Choosing the file until the dialog shows its tree (parsed in the parse worker). */
  openSeconds: number
  open: MainThreadProfile
  dialog: MainThreadProfile
  add: MainThreadProfile
  fileList: MainThreadProfile
}

export interface Row { state: string; verified: number; checked: number; infoHash: string; downloaded: number }

export function rowOf(page: Page, name: string): Promise<Row | undefined> {
  return page.evaluate((wanted) => {
    const app = document.querySelector('bt-app') as unknown as { torrents?: { name: string; state: string; piecesVerified: number; piecesChecked: number; infoHash: string; downloaded: number }[] } | null
    const t = app?.torrents?.find((x) => x.name === wanted)
    return t ? { state: t.state, verified: t.piecesVerified, checked: t.piecesChecked, infoHash: t.infoHash, downloaded: t.downloaded } : undefined
  }, name).catch(() => undefined)
}

export async function untilRow(page: Page, name: string, what: string, done: (row: Row) => boolean, pollMs = 50): Promise<Row> {
  const deadline = Date.now() + TIMEOUT_MS
  for (;;) {
    const row = await rowOf(page, name)
    if (row && done(row)) return row
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(row)}`)
    await page.waitForTimeout(pollMs)
  }
}

export async function until(page: Page, what: string, check: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + TIMEOUT_MS
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await page.waitForTimeout(50)
  }
}

export const dialogShown = (page: Page) => page.evaluate(() => Boolean(document.querySelector('bt-app')?.shadowRoot?.querySelector('bt-add-dialog')?.shadowRoot?.querySelector('dialog[open] li')))

/** The state a half-done download leaves: the first half's files whole in OPFS (sparse), their pieces in the resume bitfield. */
export function halfDone(torrent: MadeTorrent, files: { length: number }[]): { present: { index: number; length: number }[]; bitfield: number[]; verified: number } {
  const present: { index: number; length: number }[] = []
  let end = 0
  for (const [index, file] of files.entries()) {
    if (end + file.length > torrent.length / 2) break
    present.push({ index, length: file.length })
    end += file.length
  }
  const verified = Math.floor(end / torrent.pieceLength)
  const pieces = Math.ceil(torrent.length / torrent.pieceLength)
  const bitfield = new Array<number>(Math.ceil(pieces / 8)).fill(0)
  for (let i = 0; i < verified; i++) bitfield[i >> 3]! |= 0x80 >> (i & 7)
  return { present, bitfield, verified }
}

export async function makeHalfDoneCopy(page: Page, infoHash: string, copy: ReturnType<typeof halfDone>): Promise<void> {
  await page.evaluate(async ({ infoHash, present, bitfield }) => {
    const root = await navigator.storage.getDirectory()
    const dir = await (await root.getDirectoryHandle('torrents', { create: true })).getDirectoryHandle(infoHash, { create: true })
    for (const { index, length } of present) {
      const writable = await (await dir.getFileHandle(`file-${index}`, { create: true })).createWritable()
      await writable.truncate(length) // sparse: zeros, as the torrent's data is
      await writable.close()
    }
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open('torrent-web')
      open.onsuccess = () => resolve(open.result)
      open.onerror = () => reject(open.error)
    })
    await new Promise<void>((resolve, reject) => {
      const tx = db.transaction('resume', 'readwrite')
      tx.objectStore('resume').put({ infoHash, bitfield: new Uint8Array(bitfield), savedAt: Date.now() })
      tx.oncomplete = () => resolve()
      tx.onerror = () => reject(tx.error)
    })
    db.close()
  }, { infoHash, ...copy })
}

/** Counts IndexedDB puts by store from now on (the page's own calls go through the prototype). */
export function countWrites(page: Page): Promise<void> {
  return page.evaluate(() => {
    const w = window as unknown as { idbPuts: Record<string, { count: number; bytes: number }> }
    w.idbPuts = {}
    const put = IDBObjectStore.prototype.put
    IDBObjectStore.prototype.put = function (this: IDBObjectStore, value: unknown, key?: IDBValidKey) {
      const entry = (w.idbPuts[this.name] ??= { count: 0, bytes: 0 })
      entry.count++
      const bitfield = (value as { bitfield?: Uint8Array } | null)?.bitfield
      if (bitfield) entry.bytes += bitfield.byteLength
      return put.call(this, value, key)
    }
  })
}

async function measureOne(browser: Browser, appUrl: string, torrent: MadeTorrent, files: { length: number }[], log: (line: string) => void): Promise<HugeTorrentRun> {
  const context = await browser.newContext()
  try {
    const origin = new URL(appUrl).origin
    await allowWebRtc(context, origin)
    const page = await context.newPage()
    await page.goto(appUrl)
    await page.getByText('No torrents yet').waitFor()
    await setQuota(context, page, origin, 2 * torrent.length + 4 * GiB) // room for the swap files of createWritable too
    let openSeconds = 0
    const open = await profileMainThread(browser, page, async () => {
      const began = Date.now()
      await page.getByLabel('Open torrent file').setInputFiles(torrent.file)
      await until(page, 'the add dialog', () => dialogShown(page))
      openSeconds = (Date.now() - began) / 1000
      await page.waitForTimeout(SETTLE_MS)
    })
    // CSS queries, not role queries: those walk the whole document in the page's main thread
    const dialog = await profileMainThread(browser, page, async () => {
      await page.locator('bt-add-dialog button.twisty').nth(0).click() // season 1
      await page.locator('bt-add-dialog button.twisty').nth(1).click() // season 1/disc 1: 100 files
      await page.locator('bt-add-dialog .tools button').nth(1).click() // select none
      await page.locator('bt-add-dialog .tools button').nth(0).click() // select all
      await page.locator('bt-add-dialog li.folder input[type=checkbox]').nth(0).click() // season 1 off
      await page.locator('bt-add-dialog li.folder input[type=checkbox]').nth(0).click() // and on
      await page.locator('bt-add-dialog label.paused input').check()
      await page.waitForTimeout(SETTLE_MS)
    })
    const add = await profileMainThread(browser, page, async () => {
      await page.locator('bt-add-dialog button.primary').click()
      await untilRow(page, torrent.name, 'it listed, paused', (r) => r.state === 'paused')
      await page.waitForTimeout(SETTLE_MS)
    })
    const fileList = await profileMainThread(browser, page, async () => {
      await page.locator('bt-torrent-item button[aria-label^="Files of "]').click()
      await until(page, 'its file list', () => page.evaluate(() => document.querySelector('bt-app')?.shadowRoot?.querySelector('bt-torrent-list')
        ?.shadowRoot?.querySelector('bt-torrent-item')?.shadowRoot?.querySelector('bt-file-list')?.shadowRoot?.querySelector('li') !== null))
      await page.waitForTimeout(SETTLE_MS)
    })
    await page.locator('bt-torrent-item button[aria-label^="Files of "]').click()
    log(`bench huge ${torrent.name}: open ${openSeconds.toFixed(2)} s (longest ${open.longestMs.toFixed(0)} ms), dialog ${dialog.longestMs.toFixed(0)} ms, add ${add.longestMs.toFixed(0)} ms, files ${fileList.longestMs.toFixed(0)} ms`)

    return {
      sizeGiB: torrent.length / GiB, files: files.length, pieces: Math.ceil(torrent.length / torrent.pieceLength), pieceLength: torrent.pieceLength,
      torrentBytes: torrent.bytes.length, openSeconds, open, dialog, add, fileList,
    }
  } finally {
    await context.close()
  }
}

/** What libtorrent and qBittorrent pick for such sizes: a few thousand pieces. */
export function hugePieceLength(sizeGiB: number): number {
  return sizeGiB >= 64 ? 16 * MiB : sizeGiB >= 8 ? 4 * MiB : MiB
}

export async function measureHugeTorrents(browser: Browser, appArgs: string[] = [], log: (line: string) => void = console.log): Promise<HugeTorrentRun[]> {
  const dir = await mkdtemp(join(tmpdir(), 'scale-huge-'))
  const tracker = await startTracker({ intervalMs: 60_000 })
  try {
    const runs: HugeTorrentRun[] = []
    for (const sizeGiB of SIZES_GIB) {
      const files = nestedLayout(FILES, Math.floor((sizeGiB * GiB) / FILES))
      const pieceLength = hugePieceLength(sizeGiB)
      log(`bench huge: generating ${sizeGiB} GiB, ${FILES} files (sparse)…`)
      const torrent = await zeroTorrent(join(dir, String(sizeGiB)), `Huge ${sizeGiB} GiB`, files, pieceLength, tracker.httpUrl)
      const app = await startApp([tracker.wsUrl], 0, appArgs)
      try {
        runs.push(await measureOne(browser, app.url, torrent, files, log))
      } finally {
        await app.close()
      }
    }
    return runs
  } finally {
    await tracker.close()
    await rm(dir, { recursive: true, force: true })
  }
}
