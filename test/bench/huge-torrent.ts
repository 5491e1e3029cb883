/**
 * Issue 17, point 2: a huge torrent. 10,000 files in folders of folders (10 × 10 × 100), 10 GiB
 * and 100 GiB of zeros (so its piece hashes are cheap to make and its files sparse on disk). Each
 * is opened with "Open torrent file" (parse, then the add dialog: its tree is unfolded, all and
 * none chosen, a folder toggled), added paused, its file list opened; then a half-done copy is
 * made the way a half-done download leaves one (the files of the first half at full length in
 * OPFS, sparse, and the resume bitfield of their pieces in IndexedDB), the page reloaded, and
 * "Resume" timed until it downloads with those pieces counted. For the largest, a webtorrent
 * seeder in Node serves the rest over TCP through the bridge, and the page's IndexedDB writes are
 * counted while it downloads.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, Page } from '@playwright/test'
import { allowWebRtc } from '../support/browser'
import { spawnJsonLines, type JsonLinesChild } from '../support/json-lines-child'
import { startTracker } from '../support/tracker'
import type { TorrentSetSpec } from '../support/torrent-set-seeder'
import { startApp } from '../e2e/harness'
import { profileMainThread, type MainThreadProfile } from './main-thread-trace'
import { setQuota } from './scale-page'
import { nestedLayout, zeroTorrent, type MadeTorrent } from './scale-torrents'

const MiB = 1024 * 1024
const GiB = 1024 * MiB
const FILES = 10_000
const SIZES_GIB = (process.env.BENCH_HUGE_GIB ?? '10,100').split(',').map(Number).filter((n) => n > 0)
const WRITES_WINDOW_MS = 10_000
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
  /** Pieces verified in the half-done copy. */
  verified: number
  /** "Resume" until it is downloading with them counted. */
  resumeSeconds: number
  resumeChecked: number
  resume: MainThreadProfile
  /** Why the resume was not measured. */
  resumeProblem?: string
  /** While downloading from the seeder (the largest size only). */
  writes?: { seconds: number; downloadedMB: number; resumePuts: number; resumeBytes: number; torrentPuts: number; otherPuts: number }
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

async function measureOne(browser: Browser, appUrl: string, torrent: MadeTorrent, files: { length: number }[], seeded: boolean, log: (line: string) => void): Promise<HugeTorrentRun> {
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

    const run: HugeTorrentRun = {
      sizeGiB: torrent.length / GiB, files: files.length, pieces: Math.ceil(torrent.length / torrent.pieceLength), pieceLength: torrent.pieceLength,
      torrentBytes: torrent.bytes.length, openSeconds, open, dialog, add, fileList, verified: 0, resumeSeconds: NaN, resumeChecked: 0, resume: { longestMs: NaN, longTasks: 0, longTaskMs: 0, windowMs: 0, busyShare: 0, refreshMs: [], timers: [] },
    }
    try {
      const { infoHash } = (await rowOf(page, torrent.name))!
      const copy = halfDone(torrent, files)
      await makeHalfDoneCopy(page, infoHash, copy)
      await page.reload()
      await untilRow(page, torrent.name, 'the half-done copy listed', (r) => r.state === 'paused' && r.verified === copy.verified, 200)
      await page.waitForTimeout(2000)
      if (seeded) await countWrites(page)
      let resumeSeconds = 0
      let resumeChecked = 0
      const resume = await profileMainThread(browser, page, async () => {
        const began = Date.now()
        await page.locator('bt-torrent-item button[aria-label^="Resume "]').click()
        const row = await untilRow(page, torrent.name, 'resumed', (r) => r.state === 'downloading' && r.verified >= copy.verified)
        resumeSeconds = (Date.now() - began) / 1000
        resumeChecked = row.checked
        await page.waitForTimeout(SETTLE_MS)
      })
      log(`bench huge ${torrent.name}: ${copy.verified} pieces verified; resume ${resumeSeconds.toFixed(2)} s (${resumeChecked} hashed), longest task ${resume.longestMs.toFixed(0)} ms`)
      Object.assign(run, { verified: copy.verified, resumeSeconds, resumeChecked, resume })
      if (seeded) {
        await page.waitForTimeout(3000) // connected, downloading
        await countWrites(page)
        const before = (await rowOf(page, torrent.name))!.downloaded
        await page.waitForTimeout(WRITES_WINDOW_MS)
        const after = (await rowOf(page, torrent.name))!.downloaded
        const puts = await page.evaluate(() => (window as unknown as { idbPuts: Record<string, { count: number; bytes: number }> }).idbPuts)
        const { resume: r, torrents: t, ...others } = puts
        run.writes = {
          seconds: WRITES_WINDOW_MS / 1000, downloadedMB: (after - before) / 1e6, resumePuts: r?.count ?? 0, resumeBytes: r?.bytes ?? 0,
          torrentPuts: t?.count ?? 0, otherPuts: Object.values(others).reduce((n, o) => n + o.count, 0),
        }
        log(`bench huge ${torrent.name}: ${JSON.stringify(run.writes)}`)
      }
    } catch (err) {
      // the half-done copy could not be made (OPFS said its quota was exceeded, whatever the quota override): the rest stands
      run.resumeProblem = (err as Error).message.split('\n')[0]!
      log(`bench huge ${torrent.name}: resume not measured: ${run.resumeProblem}`)
    }
    return run
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
  let seeder: JsonLinesChild<{ tcpPort: number }> | undefined
  try {
    const runs: HugeTorrentRun[] = []
    const largest = Math.max(...SIZES_GIB)
    for (const sizeGiB of SIZES_GIB) {
      const files = nestedLayout(FILES, Math.floor((sizeGiB * GiB) / FILES))
      const pieceLength = hugePieceLength(sizeGiB)
      log(`bench huge: generating ${sizeGiB} GiB, ${FILES} files (sparse)…`)
      const torrent = await zeroTorrent(join(dir, String(sizeGiB)), `Huge ${sizeGiB} GiB`, files, pieceLength, tracker.httpUrl)
      const seeded = sizeGiB === largest
      if (seeded) {
        const specFile = join(dir, 'seeder.json')
        await writeFile(specFile, JSON.stringify({ torrents: [{ file: torrent.file, path: torrent.path }] } satisfies TorrentSetSpec))
        seeder = spawnJsonLines([process.execPath, '--import', 'tsx', 'test/support/torrent-set-seeder.ts', specFile])
        await seeder.next((line) => line.tcpPort > 0, 300_000, 'the huge torrent seeder')
      }
      const app = await startApp([tracker.wsUrl], 0, appArgs)
      try {
        runs.push(await measureOne(browser, app.url, torrent, files, seeded, log))
      } finally {
        await app.close()
      }
    }
    return runs
  } finally {
    await seeder?.stop()
    await tracker.close()
    await rm(dir, { recursive: true, force: true })
  }
}
