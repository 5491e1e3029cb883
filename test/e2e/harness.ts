import { join } from 'node:path'
import { expect, type BrowserContext, type ConsoleMessage, type Page } from '@playwright/test'
import { allowWebRtc } from '../support/browser'
import { sha256File } from '../support/fixtures'
export { sha256File }
import type { FixtureFile } from '../support/fixtures'
import { spawnSeeder, type SeederProcessOptions } from '../support/seeder-process'
import { spawnServerProcess } from '../support/server-process'

export interface Swarm {
  magnetURI: string
  infoHash: string
  wsUrl: string
  torrentFile: Buffer
  name: string
  /** SHA-256 of every source file, keyed by its path inside the torrent. */
  sha256: Record<string, string>
  files: FixtureFile[]
  stop(): Promise<void>
}

/**
 * A local swarm in a child process (WebRTC in Node stays out of the test runner): a WebSocket
 * tracker and a webtorrent seeder on loopback, seeding generated files.
 */
export async function startSwarm(opts: SeederProcessOptions): Promise<Swarm> {
  const seeder = await spawnSeeder(opts)
  const { info } = seeder
  if (!info.wsUrl) throw new Error('the swarm has no WebSocket tracker')
  return {
    magnetURI: info.magnetURI,
    infoHash: info.infoHash,
    wsUrl: info.wsUrl,
    name: info.name,
    sha256: info.sha256,
    files: info.files,
    torrentFile: Buffer.from(seeder.torrentFile),
    stop: () => seeder.stop(),
  }
}

/** The server as its own process: where it serves the app, its bridge's peer port, its PID. */
export interface RunningApp {
  url: string
  peerPort: number
  pid: number
  /** SIGTERM, as Ctrl-C would; resolves once it has exited (its ports are free again). */
  close(): Promise<void>
}

/**
 * The real server, compiled and run as `npm start` runs it, on a free loopback port, pointed at
 * local trackers only, with its bridge kept on loopback: peer port on 127.0.0.1, no public DHT
 * routers, loopback peers allowed.
 */
export async function startApp(trackers: string[], port = 0, extraArgs: string[] = []): Promise<RunningApp> {
  // extraArgs come last, so e.g. ['--dht-bootstrap', '127.0.0.1:P'] overrides the default 'none'
  const { daemon, url, peerPort } = await spawnServerProcess(['--port', String(port), '--host', '127.0.0.1', '--ice-servers', 'none',
    '--trackers', trackers.join(','), '--peer-port', '0', '--peer-host', '127.0.0.1', '--dht-bootstrap', 'none', '--allow-net', '127.0.0.0/8',
    ...extraArgs])
  return { url, peerPort, pid: daemon.pid, close: () => daemon.stop() }
}

/**
 * Opens a swarm's .torrent with "Open torrent file". It has several files, so the add dialog asks
 * (with "Ask which files to download when adding" on, as it is by default): every file is kept.
 */
export async function addTorrentFile(page: Page, swarm: Pick<Swarm, 'torrentFile' | 'files'>): Promise<void> {
  expect(swarm.files.length, 'files in the torrent (with several, the add dialog asks)').toBeGreaterThan(1)
  await page.getByLabel('Open torrent file').setInputFiles({ name: 'fixture.torrent', mimeType: 'application/x-bittorrent', buffer: swarm.torrentFile })
  await confirmAddDialog(page)
}

/** Saves every file of a complete torrent through its "Save NAME" buttons; checks each SHA-256. */
export async function expectSavedFilesExact(page: Page, swarm: Pick<Swarm, 'name' | 'sha256'>, dir: string): Promise<void> {
  const item = page.getByRole('listitem', { name: swarm.name })
  await expect(item.getByTestId('state')).toHaveText('Seeding', { timeout: 180_000 })
  const files = item.getByRole('button', { name: `Files of ${swarm.name}`, exact: true })
  if ((await files.getAttribute('aria-expanded')) !== 'true') await files.click()
  for (const [path, sha] of Object.entries(swarm.sha256)) {
    const name = path.split('/').pop()!
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      item.getByRole('button', { name: `Save ${name}`, exact: true }).click(),
    ])
    expect(download.suggestedFilename()).toBe(name)
    const target = join(dir, `${Date.now()}-${path.replaceAll('/', '__')}`)
    await download.saveAs(target)
    expect(await sha256File(target), `SHA-256 of ${path}`).toBe(sha)
    // Chromium drops a download from a quick burst of more than ten (measured: the 11th of 30
    // back-to-back saves never starts; none is lost 300 ms apart). A person never saves that fast.
    await page.waitForTimeout(300)
  }
}

/** What the Content-Security-Policy refused in each page opened with openApp, for expectNoCspViolations. */
const cspViolations = new WeakMap<Page, string[]>()

/**
 * Collects the page's CSP violations: its `securitypolicyviolation` events and the console errors
 * Chromium writes for them, which also cover its workers ("Refused to …").
 */
async function watchCsp(page: Page): Promise<void> {
  const seen: string[] = []
  cspViolations.set(page, seen)
  const onConsole = (message: ConsoleMessage) => {
    if (message.type() === 'error' && /Content Security Policy|Refused to/i.test(message.text())) seen.push(message.text())
  }
  page.on('console', onConsole)
  page.on('worker', (worker) => worker.on('console', onConsole))
  page.context().on('serviceworker', (worker) => worker.on('console', onConsole))
  await page.exposeFunction('__cspViolation', (text: string) => { seen.push(text) })
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      void (window as unknown as { __cspViolation(text: string): void }).__cspViolation(`${e.effectiveDirective} refused ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`)
    })
  })
}

/** What the page (opened with openApp) has had refused by its Content-Security-Policy so far. */
export function cspViolationsOf(page: Page): readonly string[] {
  return cspViolations.get(page) ?? []
}

/** Fails the test when the page (opened with openApp) broke its Content-Security-Policy. */
export function expectNoCspViolations(page: Page): void {
  expect(cspViolationsOf(page), 'CSP violations').toEqual([])
}

/** Opens the app and waits for its empty list (`ready`: the empty list's heading in the context's language). */
export async function openApp(context: BrowserContext, url: string, ready = 'No torrents yet'): Promise<Page> {
  await allowWebRtc(context, new URL(url).origin)
  const page = await context.newPage()
  page.on('pageerror', (err) => console.log(`[page error] ${err.message}`))
  await watchCsp(page)
  await page.goto(url)
  await page.getByText(ready).waitFor()
  return page
}

/** Names of the entries under the app's OPFS folder for one torrent (empty when deleted). */
export async function opfsEntries(page: Page, infoHash: string): Promise<string[]> {
  return page.evaluate(async (hash) => {
    const root = await navigator.storage.getDirectory()
    try {
      const dir = await (await root.getDirectoryHandle('torrents')).getDirectoryHandle(hash)
      const names: string[] = []
      for await (const name of (dir as unknown as { keys(): AsyncIterable<string> }).keys()) names.push(name)
      return names
    } catch {
      return []
    }
  }, infoHash)
}

/** Bytes in each file of the app's OPFS folder for one torrent, by entry name. */
export async function opfsSizes(page: Page, infoHash: string): Promise<Record<string, number>> {
  return page.evaluate(async (hash) => {
    const sizes: Record<string, number> = {}
    try {
      const dir = await (await (await navigator.storage.getDirectory()).getDirectoryHandle('torrents')).getDirectoryHandle(hash)
      for await (const [name, handle] of (dir as unknown as { entries(): AsyncIterable<[string, FileSystemFileHandle]> }).entries()) {
        sizes[name] = (await handle.getFile()).size
      }
    } catch {
      // no folder: nothing stored
    }
    return sizes
  }, infoHash)
}

export const SCREENSHOTS = 'test-results/screenshots'

/** The add dialog (file tree, choose files) shown before a .torrent with several files is added, or a magnet's metadata arrived. */
export function addDialog(page: Page) {
  return page.getByRole('dialog', { name: 'Choose files to download' })
}

/**
 * Expects the add dialog, keeps every file and clicks "Add". It asks for a .torrent with several
 * files at once, and for a magnet of several files once its metadata arrived (give that a
 * `timeout`); a single-file torrent, or any torrent with "Ask which files to download when adding"
 * off, is added without it, and a test of those does not call this.
 */
export async function confirmAddDialog(page: Page, options: { timeout?: number } = {}): Promise<void> {
  const dialog = addDialog(page)
  await expect(dialog, 'the add dialog').toBeVisible(options)
  const name = await dialog.locator('#add-name').textContent()
  await dialog.getByRole('button', { name: 'Add', exact: true }).click()
  // The same dialog may open again at once for the next torrent (several dropped at a time).
  const shown = async () => (await dialog.isVisible()) ? await dialog.locator('#add-name').textContent() : null
  await expect.poll(shown).not.toBe(name)
}

const BYTE_UNITS: Record<string, number> = { B: 1, KiB: 2 ** 10, MiB: 2 ** 20, GiB: 2 ** 30, TiB: 2 ** 40 }

/** The "used" figure of the storage line under the list ("Storage: 64.5 MiB used of …"), in bytes. */
export async function storageLineUsed(page: Page): Promise<number> {
  const text = (await page.getByRole('group', { name: 'Storage' }).textContent()) ?? ''
  const match = /Storage: ([\d.]+) (B|KiB|MiB|GiB|TiB) used/.exec(text)
  if (!match) throw new Error(`no "used" figure in the storage line: ${JSON.stringify(text)}`)
  return Number(match[1]) * BYTE_UNITS[match[2]!]!
}

/**
 * Expects the storage line to say at least `bytes` are used (it rounds to 0.1 of a unit, so a
 * little less is allowed), read once: call it right after the torrent shows complete, when the
 * line must already count it (regression: it said "0 B used" beside a complete 64 MiB torrent,
 * the browser's estimate read before the writes and asked again only every 5 s).
 */
export async function expectStorageLineAtLeast(page: Page, bytes: number): Promise<void> {
  expect(await storageLineUsed(page), 'the storage line\'s "used" figure').toBeGreaterThanOrEqual(bytes * 0.99)
}
