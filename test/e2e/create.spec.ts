import { createHash } from 'node:crypto'
// Creating a torrent in the page: from a folder (a hybrid by default, its .torrent and magnet
// checked in Node, the files copied into OPFS), a 256 MiB file hashed and cancelled, a v2-only one;
// what the page creates it seeds, to qbittorrent-nox and webtorrent in Node, byte-exact.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Page } from '@playwright/test'
import { magnetUri, parseMagnet } from '../../src/core/torrent-parser/magnet'
import { parseTorrent } from '../../src/core/torrent-parser/metainfo'
import { fixtureLength, multiFileFixture, sha256Tree, torrentOrder, writeFixture, type FixtureFile } from '../support/fixtures'
import { spawnLeecher } from '../support/leecher-cli'
import { startLibtorrent } from '../support/peers/libtorrent'
import { pollUntil } from '../support/peers/process'
import { expectAccessible } from './a11y'
import { expect, trackerTest } from './fixtures'
import { SCREENSHOTS } from './harness'

const MiB = 1024 * 1024
const SHARE = 'Created Share'
const BIG = 'big-256MiB.bin'

/** The files the tests create torrents of, written once for the spec. */
interface Share {
  /** ~20 MiB: nested folders, a zero-byte file, a non-ASCII name, every size odd (short last piece). */
  files: FixtureFile[]
  /** The folder SHARE holding them, and their SHA-256 by path. */
  root: string
  sha256: Map<string, string>
  /** One file of 256 MiB. */
  bigFile: string
}

const test = trackerTest.extend<object, { share: Share }>({
  share: [async ({ tmpDir }, use) => {
    const files = multiFileFixture(20)
    const { root, sha256 } = await writeFixture(tmpDir, SHARE, files, 7)
    const bigFile = join((await writeFixture(tmpDir, 'big', [{ path: BIG, length: 256 * MiB }], 8)).root, BIG)
    await use({ files, root, sha256, bigFile })
  }, { scope: 'worker', timeout: 120_000 }],
})

/** A phone-sized page, light or dark, that may download. */
const phone = (colorScheme: 'light' | 'dark', acceptDownloads = false) => ({ colorScheme, viewport: { width: 360, height: 780 }, acceptDownloads })

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

/**
 * SHA-1 of each piece of the files, computed here in Node: laid end to end in torrent order, each
 * followed by zeros to the next piece boundary in a hybrid torrent (its BEP 47 padding files).
 */
async function expectedPieceHashes(ordered: FixtureFile[], root: string, pieceLength: number, padded: boolean): Promise<Buffer> {
  const parts: Buffer[] = []
  for (const f of ordered) {
    parts.push(await readFile(join(root, ...f.path.split('/'))))
    if (padded && f.length % pieceLength !== 0) parts.push(Buffer.alloc(pieceLength - (f.length % pieceLength)))
  }
  const all = Buffer.concat(parts)
  const out: Buffer[] = []
  for (let at = 0; at < all.length; at += pieceLength) out.push(createHash('sha1').update(all.subarray(at, at + pieceLength)).digest())
  return Buffer.concat(out)
}

/**
 * Picks the fixture folder, creates the torrent and waits for the magnet link. The Trackers field
 * comes prefilled with the server's (`--trackers`, WebSocket only); `trackers`, when given, is
 * typed over it, as a user adds an HTTP tracker.
 */
async function createShare(page: Page, share: Share, serverTracker: string, opts: { screenshot?: string; trackers?: string[]; version?: string } = {}): Promise<{ magnet: string; seen: number[] }> {
  await page.getByRole('button', { name: 'Create torrent', exact: true }).click()
  await expect(dialog(page)).toBeVisible()
  await dialog(page).getByLabel('Folder to share').setInputFiles(share.root)
  await expect(dialog(page).getByLabel('Torrent name')).toHaveValue(SHARE)
  await expect(dialog(page).getByText(`${share.files.length} files`)).toBeVisible()
  await expect(dialog(page).getByLabel(/^Trackers/)).toHaveValue(serverTracker)
  if (opts.trackers) await dialog(page).getByLabel(/^Trackers/).fill(opts.trackers.join('\n'))
  await expect(dialog(page).getByLabel('Torrent version')).toHaveValue('hybrid') // the default, as qBittorrent's
  if (opts.version) await dialog(page).getByLabel('Torrent version').selectOption(opts.version)
  if (opts.screenshot) {
    await page.screenshot({ path: `${SCREENSHOTS}/${opts.screenshot}` })
    await expectAccessible(page, 'create (form)')
  }
  const seen = await recordProgress(page)
  await dialog(page).getByRole('button', { name: 'Create', exact: true }).click()
  const magnetField = dialog(page).getByLabel('Magnet link')
  await expect(magnetField).toBeVisible({ timeout: 60_000 })
  return { magnet: await magnetField.inputValue(), seen: await seen() }
}

/** A tree of files' SHA-256 without BEP 47 padding files (".pad/N"), which some clients write out. */
function withoutPadding(tree: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(tree).filter(([path]) => !path.startsWith('.pad/')))
}

/** The .torrent the done dialog offers ("Download .torrent"), as the browser saves it (into `dir`). */
async function downloadTorrentFile(page: Page, dir: string, name: string): Promise<Uint8Array> {
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    dialog(page).getByRole('button', { name: 'Download .torrent' }).click(),
  ])
  expect(download.suggestedFilename()).toBe(`${SHARE}.torrent`)
  const torrentPath = join(dir, name)
  await download.saveAs(torrentPath)
  return new Uint8Array(await readFile(torrentPath))
}

test('creates a torrent from a folder: progress, magnet link, a .torrent that parses, the files copied into OPFS', async ({ app, tracker, share, openPage, tmpDir }) => {
  const page = await openPage(app, phone('light', true))
  const { magnet, seen } = await createShare(page, share, tracker.wsUrl, { screenshot: 'create-form-phone-light.png' })
  expect(seen.length, 'the progress bar was shown').toBeGreaterThan(0)
  expect(seen.every((v) => v >= 0 && v <= 100)).toBe(true)
  expect(seen).toEqual([...seen].sort((a, b) => a - b)) // it only moves forward

  const link = parseMagnet(magnet)
  expect(link.name).toBe(SHARE)
  expect(link.trackers).toEqual([tracker.wsUrl])
  await expect(dialog(page).getByRole('heading')).toHaveText(`“${SHARE}” is seeding`)
  await page.screenshot({ path: `${SCREENSHOTS}/create-done-phone-light.png` })
  await expectAccessible(page, 'create (done)')

  // The .torrent, as the browser downloads it: a hybrid (v1 + v2) by default
  const meta = await parseTorrent(await downloadTorrentFile(page, tmpDir, 'created.torrent'))
  expect(meta.version).toBe('hybrid')
  expect(createHash('sha1').update(meta.infoBytes).digest('hex')).toBe(link.infoHash)
  expect(meta.infoHash).toBe(link.infoHash)
  expect(createHash('sha256').update(meta.infoBytes).digest('hex')).toBe(link.infoHashV2)
  expect(meta.name).toBe(SHARE)
  expect(meta.announce).toEqual([tracker.wsUrl])
  const ordered = torrentOrder(share.files)
  const real = meta.files.filter((f) => !f.pad)
  expect(real.map((f) => [f.name, f.length])).toEqual(ordered.map((f) => [f.path, f.length]))
  for (const f of real) if (f.length > 0) expect(f.offset % meta.pieceLength).toBe(0) // every file starts a piece
  expect(meta.length - meta.files.filter((f) => f.pad).reduce((n, f) => n + f.length, 0)).toBe(fixtureLength(share.files))
  expect(meta.pieceLength).toBe(16 * 1024)
  expect(Buffer.from(meta.pieceHashes).equals(await expectedPieceHashes(ordered, share.root, meta.pieceLength, true)), 'piece hashes').toBe(true)

  // The copies the page seeds from: torrents/<infoHash>/file-<i>, byte-exact, padding files as
  // zeros of their length; no temporary folder left.
  const tree = await opfsTree(page)
  expect(Object.keys(tree).filter((name) => name.startsWith('.creating-'))).toEqual([])
  expect(tree[link.infoHash]).toEqual(Object.fromEntries(meta.files.map((f) => [`file-${f.index}`, f.length])))
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
  const zeros = (n: number) => createHash('sha256').update(Buffer.alloc(n)).digest('hex')
  expect(copies).toEqual(meta.files.map((f) => (f.pad ? zeros(f.length) : share.sha256.get(f.name))))

  // Copy magnet link: the clipboard holds it
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(app.url).origin })
  await dialog(page).getByRole('button', { name: 'Copy magnet link' }).click()
  await expect(dialog(page).getByRole('status')).toHaveText('Copied')
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(magnet)
})

for (const scheme of ['light', 'dark'] as const) {
  test(`hashing a 256 MiB file (${scheme}): the bar moves, Cancel deletes what was written, then it completes`, async ({ app, share, openPage }) => {
    const page = await openPage(app, phone(scheme))
    await page.getByRole('button', { name: 'Create torrent', exact: true }).click()
    await dialog(page).getByLabel('Files to share').setInputFiles(share.bigFile)
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
  })
}

// BEP 52 both ways: the page answers libtorrent's hash requests from the trees it built while
// hashing, and serves the pieces; libtorrent checks each against the file's pieces root.
test('"Torrent version: v2" makes a v2-only torrent that the page seeds: libtorrent (HTTP tracker, .torrent, bridge inbound port, BEP 52 handshake) downloads it, byte-exact', async ({ app, tracker, share, openPage, tmpDir }) => {
  const page = await openPage(app, phone('dark', true))
  const { magnet } = await createShare(page, share, tracker.wsUrl, { version: 'v2', trackers: [tracker.wsUrl, tracker.httpUrl], screenshot: 'create-form-v2-phone-dark.png' })
  await expect(dialog(page).getByRole('heading')).toHaveText(`“${SHARE}” is seeding`)
  await page.screenshot({ path: `${SCREENSHOTS}/create-done-v2-phone-dark.png` })
  const link = parseMagnet(magnet)
  expect(magnet).toMatch(/^magnet:\?xt=urn:btmh:1220[0-9a-f]{64}&dn=/) // btmh alone
  const torrentFile = await downloadTorrentFile(page, tmpDir, 'created-v2.torrent')
  const meta = await parseTorrent(torrentFile)
  expect(meta.version).toBe('v2')
  expect(meta.infoHashV2).toBe(link.infoHashV2)
  expect(meta.infoHash).toBe(link.infoHash)
  expect(meta.files.filter((f) => !f.pad).map((f) => f.name)).toEqual(torrentOrder(share.files).map((f) => f.path))
  await dialog(page).getByRole('button', { name: 'Close' }).click()
  const item = page.getByRole('listitem', { name: SHARE })
  await expect(item.getByTestId('state')).toHaveText('Seeding', { timeout: 30_000 })

  // libtorrent finds the page only through the torrent's HTTP tracker and reaches it through the
  // bridge's peer port, under the truncated v2 info-hash. A libtorrent takes the btmh magnet alone:
  // it fetches the metadata (BEP 9: the exact info dictionary, checked by its SHA-256) and every
  // file's piece layer (BEP 52 hash requests, answered from the page's trees); then another, once
  // the first is gone (so the page is the only peer to get anything from), takes the .torrent.
  const torrentPath = join(tmpDir, 'created-v2-for-libtorrent.torrent')
  await writeFile(torrentPath, torrentFile)
  const t0 = Date.now()
  for (const source of [{ magnet }, { torrent: torrentPath }]) {
    const lt = await startLibtorrent()
    try {
      const dir = await mkdtemp(join(tmpDir, 'lt-'))
      expect(await lt.add(source, dir)).toBe(meta.infoHash) // the v2 info-hash cut to 20 bytes
      await pollUntil(async () => ((await lt.status())[meta.infoHash]?.seeding ? true : undefined), { timeoutMs: 90_000, what: 'libtorrent downloading the v2 torrent from the page' })
      expect((await lt.status())[meta.infoHash]?.downloaded).toBeGreaterThan(0)
      expect(withoutPadding(await sha256Tree(join(dir, SHARE))), 'what libtorrent wrote').toEqual(Object.fromEntries(share.sha256))
    } finally {
      await lt.stop()
    }
  }
  console.log(`[create] two libtorrents downloaded the v2-only ${SHARE} from the page through the bridge (btmh magnet, then .torrent) in ${((Date.now() - t0) / 1000).toFixed(1)} s`)
})

// bt-app adds a created torrent with engine.add({ kind: 'file', bytes }, { complete: true }); the
// bridge announces it to the torrent's HTTP tracker with the bridge's inbound peer port.
test('a hybrid torrent created in the page seeds through its v1 half: qbittorrent-nox (HTTP tracker, .torrent, bridge inbound port) and webtorrent in Node (WebRTC) download it, byte-exact', async ({ app, tracker, share, openPage, realPeers, tmpDir }) => {
  const page = await openPage(app, phone('light', true))
  const { magnet } = await createShare(page, share, tracker.wsUrl, { trackers: [tracker.wsUrl, tracker.httpUrl] })
  const torrentFile = await downloadTorrentFile(page, tmpDir, 'created-seeding.torrent')
  const meta = await parseTorrent(torrentFile)
  expect(meta.announce).toEqual([tracker.wsUrl, tracker.httpUrl])
  expect(parseMagnet(magnet).trackers).toEqual([tracker.wsUrl, tracker.httpUrl])
  await dialog(page).getByRole('button', { name: 'Close' }).click()
  const item = page.getByRole('listitem', { name: SHARE })
  await expect(item.getByTestId('state')).toHaveText('Seeding', { timeout: 30_000 })
  await page.screenshot({ path: `${SCREENSHOTS}/create-seeding-phone-light.png` })

  // qbittorrent-nox (libtorrent) gets no tracker of its own: it finds the page only through the
  // torrent's HTTP tracker, and reaches it only through the bridge's peer port. It is throttled so
  // that its connection lasts long enough to be seen in the UI. (aria2c 1.36 cannot join a hybrid
  // torrent: it reads the info-hash wrongly, d8f2… where libtorrent reads 7439… for the same file.)
  const qbtDir = await mkdtemp(join(tmpDir, 'qbt-'))
  // The Node leecher gets the WebSocket tracker only: its bytes come over WebRTC, not TCP.
  const rtcMagnet = magnetUri({ ...parseMagnet(magnet), trackers: [tracker.wsUrl] })
  const rtcDir = await mkdtemp(join(tmpDir, 'leech-'))
  const leecher = spawnLeecher({ magnet: rtcMagnet, dir: rtcDir, timeoutMs: 150_000 })
  try {
    const t0 = Date.now()
    const qbt = await realPeers.qbittorrent({ downloadLimit: 4_000_000 })
    await qbt.addTorrent(torrentFile, qbtDir)
    await expect(item.getByText(/peers? \(.*incoming [1-9]/)).toBeVisible({ timeout: 30_000 })
    // qBittorrent 4.5 names a hybrid by its v2 info-hash cut to 20 bytes (its "hash"; infohash_v1 beside it)
    const done = await qbt.waitSeeding(meta.infoHashV2!.slice(0, 40), 90_000)
    console.log(`[create] qbittorrent-nox downloaded the hybrid ${SHARE} from the page through the bridge in ${((Date.now() - t0) / 1000).toFixed(1)} s (throttled to 4 MB/s)`)
    expect(done.progress).toBe(1)
    // every file byte-exact, the zero-byte one included; BEP 47 padding files, if a client writes them out, left aside
    expect(withoutPadding(await sha256Tree(join(qbtDir, SHARE))), 'what qbittorrent-nox wrote').toEqual(Object.fromEntries(share.sha256))

    const { sha256, seconds } = await leecher.result
    console.log(`[create] Node leecher downloaded ${SHARE} from the page over WebRTC in ${seconds.toFixed(1)} s`)
    // webtorrent in Node writes every file with bytes; a zero-byte file that starts on a piece
    // boundary (here, after a padding file) it does not create, so that one is left aside for it
    const EMPTY = createHash('sha256').digest('hex')
    expect(withoutPadding(sha256), 'what webtorrent in Node wrote')
      .toEqual(Object.fromEntries([...share.sha256].filter(([path, hash]) => hash !== EMPTY || path in sha256)))
  } finally {
    leecher.stop()
  }
})
