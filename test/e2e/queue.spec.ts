// The download manager's queue and seeding goals, seen from the list: what runs, what waits,
// what stops, and that every torrent still ends byte-exact.
import { mkdtemp } from 'node:fs/promises'
import { join } from 'node:path'
import type { Page } from '@playwright/test'
import { spawnLeecher } from '../support/leecher-cli'
import type { LocalTracker } from '../support/tracker'
import { expectAccessible } from './a11y'
import { expect, trackerTest } from './fixtures'
import { SCREENSHOTS, expectSavedFilesExact, type Swarm } from './harness'

type Source = Swarm

const test = trackerTest.extend<{ seed(name: string, seedNumber: number, sizeMiB: number, uploadLimit?: number): Promise<Source> }>({
  /** A webtorrent seeder (child process) on the spec's tracker, stopped when the test ends. */
  seed: async ({ tracker, newSwarm }, use) => {
    await use((name, seedNumber, sizeMiB, uploadLimit) =>
      newSwarm({ name, sizeMiB, seed: seedNumber, trackers: [tracker.wsUrl], ...(uploadLimit ? { uploadLimit } : {}) }))
  },
})

const item = (page: Page, name: string) => page.getByRole('listitem', { name })
const state = (page: Page, name: string) => item(page, name).getByTestId('state')

/** Opens Settings, applies each field (the form applies on change), closes it. */
async function setSettings(page: Page, fields: Record<string, string | boolean>): Promise<void> {
  await page.getByRole('button', { name: 'Settings' }).click()
  for (const [label, value] of Object.entries(fields)) {
    const input = page.getByLabel(label, { exact: true })
    if (typeof value === 'boolean') await input.setChecked(value)
    else {
      await input.fill(value)
      await input.dispatchEvent('change')
    }
  }
  await page.getByRole('button', { name: 'Close' }).click()
}

/** Sets `fields` in a newly opened page, after "Ask which files" turned off (the tests add whole torrents). */
async function withSettings(page: Page, fields: Record<string, string | boolean> = {}): Promise<Page> {
  await setSettings(page, { 'Ask which files to download when adding': false, ...fields })
  return page
}

async function addTorrent(page: Page, source: Source): Promise<void> {
  await page.getByLabel('Open torrent file').setInputFiles({ name: `${source.name}.torrent`, mimeType: 'application/x-bittorrent', buffer: source.torrentFile })
  await expect(item(page, source.name)).toBeVisible()
}

/**
 * How many peers the tracker has in a swarm. (Not its seeder count: a magnet leecher without
 * metadata announces `left: null`, which bittorrent-tracker's WebSocket side counts as complete.)
 */
function swarmPeers(tracker: LocalTracker, infoHash: string): number {
  return tracker.server.torrents[infoHash]?.peers.length ?? 0
}

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'

/** Hashes without zero-byte files: webtorrent in Node writes none, so a leecher reports none. */
function nonEmpty(sha256: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(sha256).filter(([, hex]) => hex !== EMPTY_SHA256))
}

/** Stops `source`'s own seeder, leaving the page alone in its swarm; then a leecher (writing under `dir`) takes it all from the page, byte-exact. */
async function leechFromPage(tracker: LocalTracker, source: Source, dir: string): Promise<void> {
  await source.stop()
  await expect.poll(() => swarmPeers(tracker, source.infoHash), { timeout: 30_000 }).toBe(1)
  const leecher = spawnLeecher({ magnet: source.magnetURI, dir: await mkdtemp(join(dir, 'leech-')), timeoutMs: 240_000 })
  try {
    expect(nonEmpty((await leecher.result).sha256)).toEqual(nonEmpty(source.sha256))
  } finally {
    leecher.stop()
  }
}

/** A torrent's state text as the list showed it, and the number of the sample that saw it first. */
type StateChange = [sample: number, name: string, text: string]

/**
 * Records, in the page, every change of any torrent's state text and every moment two torrents
 * were downloading at once. Sampled every 100 ms from what the list shows.
 */
async function recordStates(page: Page): Promise<() => Promise<{ changes: StateChange[]; overlaps: string[] }>> {
  await page.evaluate(() => {
    const record = { changes: [] as [number, string, string][], overlaps: [] as string[] }
    const last = new Map<string, string>()
    let sample = 0
    ;(window as unknown as { queueRecord: typeof record }).queueRecord = record
    setInterval(() => {
      sample++
      const list = document.querySelector('bt-app')?.shadowRoot?.querySelector('bt-torrent-list')?.shadowRoot
      const shown = [...(list?.querySelectorAll('bt-torrent-item') ?? [])].map((el) => [
        el.shadowRoot?.querySelector('h2')?.textContent ?? '',
        el.shadowRoot?.querySelector('[data-testid=state]')?.textContent ?? '',
      ] as [string, string])
      for (const [name, text] of shown) {
        if (last.get(name) !== text) record.changes.push([sample, name, text])
        last.set(name, text)
      }
      const busy = shown.filter(([, text]) => /^(Downloading|Checking|Getting metadata)/.test(text)).map(([name]) => name)
      if (busy.length > 1) record.overlaps.push(busy.join(' + '))
    }, 100)
  })
  return () => page.evaluate(() => (window as unknown as { queueRecord: { changes: StateChange[]; overlaps: string[] } }).queueRecord)
}

test('one download at a time: the others wait Queued and start in queue order; moving one up changes which is next', async ({ app, seed, openPage, tmpDir }) => {
  test.setTimeout(420_000)
  const [one, two, three] = await Promise.all([
    seed('Queue One', 11, 6, 2_000_000), seed('Queue Two', 12, 6, 2_000_000), seed('Queue Three', 13, 6, 2_000_000),
  ])
  const page = await openPage(app)
  const seen = await recordStates(page)
  // A crawl while the queue is arranged, so the first download cannot finish meanwhile.
  await setSettings(page, {
    'Ask which files to download when adding': false,
    'Active downloads at most (0 = no limit)': '1',
    'Download limit, KiB/s (0 = none)': '16',
  })
  for (const source of [one, two, three]) await addTorrent(page, source)
  await expect(state(page, one.name)).toHaveText(/^Downloading/, { timeout: 60_000 })
  await expect(state(page, two.name)).toHaveText('Queued (1st in line)')
  await expect(state(page, three.name)).toHaveText('Queued (2nd in line)')
  await page.screenshot({ path: `${SCREENSHOTS}/queue-one-active.png`, fullPage: true })
  await expectAccessible(page, 'queued')

  // Three moves ahead of Two: it starts next.
  await item(page, three.name).getByText('More', { exact: true }).click()
  await item(page, three.name).getByRole('button', { name: `Move ${three.name} up in the queue` }).click()
  await expect(state(page, three.name)).toHaveText('Queued (1st in line)')
  await expect(state(page, two.name)).toHaveText('Queued (2nd in line)')
  await expect(state(page, one.name)).toHaveText(/^Downloading/)
  await page.screenshot({ path: `${SCREENSHOTS}/queue-moved-up.png`, fullPage: true })

  await setSettings(page, { 'Download limit, KiB/s (0 = none)': '0' })
  for (const source of [one, three, two]) await expect(state(page, source.name)).toHaveText('Seeding', { timeout: 180_000 })
  // the recorder samples every 100 ms: let it see the last change too before reading its story
  await expect.poll(async () => (await seen()).changes.some(([, name, text]) => name === two.name && text === 'Seeding')).toBe(true)

  const { changes, overlaps } = await seen()
  expect(overlaps, 'moments two torrents downloaded at once').toEqual([])
  // The sample in which each first left the queue, and first showed Seeding (same sample = same render).
  const sampleOf = (name: string, match: (text: string) => boolean) => changes.find(([, n, text]) => n === name && match(text))?.[0] ?? Infinity
  const started = (name: string) => sampleOf(name, (text) => !text.startsWith('Queued'))
  const finished = (name: string) => sampleOf(name, (text) => text === 'Seeding')
  const story = JSON.stringify(changes.map(([, name, text]) => `${name}: ${text}`))
  expect(started(one.name), story).toBeLessThan(started(three.name))
  expect(started(three.name), `${three.name} starts once ${one.name} is done: ${story}`).toBeGreaterThanOrEqual(finished(one.name))
  expect(started(two.name), `${two.name} starts once ${three.name} is done: ${story}`).toBeGreaterThanOrEqual(finished(three.name))
  expect(finished(two.name), story).toBeLessThan(Infinity)

  for (const source of [one, two, three]) await expectSavedFilesExact(page, source, tmpDir)
})

test('one seed at a time: the second finished torrent waits and is not in the swarm until the limit is raised', async ({ app, tracker, seed, openPage, tmpDir }) => {
  test.setTimeout(420_000)
  const [first, second] = await Promise.all([seed('Seed First', 21, 5), seed('Seed Second', 22, 5)])
  const page = await withSettings(await openPage(app), { 'Active seeds at most (0 = no limit)': '1' })
  await addTorrent(page, first)
  await addTorrent(page, second)
  await expect(state(page, first.name)).toHaveText('Seeding', { timeout: 180_000 })
  await expect(item(page, second.name).getByRole('progressbar')).toHaveAttribute('aria-valuenow', '100', { timeout: 180_000 })
  await expect(state(page, second.name)).toHaveText('Queued to seed (1st in line)')
  await expect(state(page, first.name)).toHaveText('Seeding')
  await page.screenshot({ path: `${SCREENSHOTS}/queue-seed-limit.png`, fullPage: true })

  // Only the page is left to seed: the tracker has it in the first swarm and not in the second.
  await Promise.all([first.stop(), second.stop()])
  await expect.poll(() => swarmPeers(tracker, first.infoHash), { timeout: 30_000 }).toBe(1)
  await expect.poll(() => swarmPeers(tracker, second.infoHash), { timeout: 30_000 }).toBe(0)

  // A leecher of the second finds no one: the page neither joins its swarm nor uploads.
  const leecher = spawnLeecher({ magnet: second.magnetURI, dir: await mkdtemp(join(tmpDir, 'leech-')), timeoutMs: 240_000 })
  try {
    await expect.poll(() => swarmPeers(tracker, second.infoHash), { timeout: 60_000 }).toBe(1)
    await expect(item(page, second.name)).toContainText('0 peers')
    await expect(item(page, second.name)).toContainText('↑ 0 B/s')
    await expect(state(page, second.name)).toHaveText('Queued to seed (1st in line)')
    expect(swarmPeers(tracker, second.infoHash), 'only the leecher is in the swarm').toBe(1)

    // Two seed slots: the second seeds, and the leecher gets it byte-exact from the page.
    await setSettings(page, { 'Active seeds at most (0 = no limit)': '2' })
    await expect(state(page, second.name)).toHaveText('Seeding', { timeout: 60_000 })
    const { sha256 } = await leecher.result
    expect(nonEmpty(sha256)).toEqual(nonEmpty(second.sha256))
    await expect(state(page, first.name)).toHaveText('Seeding')
  } finally {
    leecher.stop()
  }
})

test('a ratio goal: seeding stops once a leecher has taken the whole torrent, and the list says why; Seed starts it again', async ({ app, tracker, seed, openPage, tmpDir }) => {
  test.setTimeout(420_000)
  const source = await seed('Ratio Goal', 31, 5)
  const page = await withSettings(await openPage(app), { 'Stop seeding at ratio (0 = never)': '1' })
  await addTorrent(page, source)
  await expect(state(page, source.name)).toHaveText('Seeding', { timeout: 180_000 })
  // The page is the only seeder: the leecher's whole download is the page's upload, ratio 1.
  await leechFromPage(tracker, source, tmpDir)
  await expect(state(page, source.name)).toHaveText(/^Done: /, { timeout: 30_000 })
  console.log(`[queue] after its ratio goal: "${await state(page, source.name).textContent()}"`)
  await expect(state(page, source.name)).toHaveText(/^Done: ratio goal reached \(1\.\d\d\)$/)
  await page.screenshot({ path: `${SCREENSHOTS}/queue-ratio-goal.png`, fullPage: true })
  await expectAccessible(page, 'done (ratio goal)')
  await expect.poll(() => swarmPeers(tracker, source.infoHash), { timeout: 30_000 }).toBe(0) // the page left the swarm

  // Seed, pressed by the user, seeds past the goal (as Transmission does): it announces again and stays.
  await item(page, source.name).getByRole('button', { name: `Seed ${source.name}` }).click()
  await expect(state(page, source.name)).toHaveText('Seeding')
  await expect.poll(() => swarmPeers(tracker, source.infoHash), { timeout: 30_000 }).toBe(1)
  await expect(state(page, source.name)).toHaveText('Seeding')
})

test('what a torrent uploaded survives a reload, and a ratio goal set later counts it', async ({ app, tracker, seed, openPage, tmpDir }) => {
  test.setTimeout(420_000)
  const source = await seed('Ratio Kept', 51, 5)
  const page = await withSettings(await openPage(app))
  await addTorrent(page, source)
  await expect(state(page, source.name)).toHaveText('Seeding', { timeout: 180_000 })
  await leechFromPage(tracker, source, tmpDir)
  await expect(item(page, source.name)).toContainText(/Ratio 1\.\d\d/)

  // Still seeding after the reload (no goal), with the ratio it had.
  await page.reload()
  await expect(state(page, source.name)).toHaveText('Seeding', { timeout: 60_000 })
  await expect(item(page, source.name)).toContainText(/Ratio 1\.\d\d/)
  await setSettings(page, { 'Stop seeding at ratio (0 = never)': '1' })
  await expect(state(page, source.name)).toHaveText(/^Done: ratio goal reached \(1\.\d\d\)$/, { timeout: 30_000 })
})

test('a seeding-time goal stops a torrent that seeds after a reload', async ({ app, seed, openPage, tmpDir }) => {
  test.setTimeout(300_000)
  const source = await seed('Time Goal', 41, 4)
  const page = await withSettings(await openPage(app))
  await addTorrent(page, source)
  await expectSavedFilesExact(page, source, tmpDir)

  // After a reload it seeds from its saved state; the goal counts this seeding too.
  await page.reload()
  await expect(state(page, source.name)).toHaveText('Seeding', { timeout: 60_000 })
  await setSettings(page, { 'Stop seeding after minutes (0 = never)': '0.1' })
  await expect(state(page, source.name)).toHaveText(/^Done: /, { timeout: 90_000 })
  console.log(`[queue] after its time goal: "${await state(page, source.name).textContent()}"`)
  await expect(state(page, source.name)).toHaveText('Done: seeding time goal reached')
  await page.screenshot({ path: `${SCREENSHOTS}/queue-time-goal.png`, fullPage: true })
})
