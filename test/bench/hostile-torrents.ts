/**
 * The page's main thread while a person adds the worst .torrent files the parser accepts
 * (issue 13: "the page never freezes on input"): a name of dots and spaces, 100,000 files,
 * 10,000 files 100 folders deep, 3,000,000 pieces. Each is opened with "Open torrent file" in a
 * fresh browser profile, as a file from disk, and the longest task on the page's main thread is
 * read from a Chromium trace of each step (see hostileMarkdown).
 *
 * Alone: `unshare -n bash -c 'ip link set lo up && node --import tsx test/bench/hostile-torrents.ts'`
 * after `npm run build`; BENCH_APP_DIR serves another build (e.g. an older commit's) for a
 * before-and-after comparison.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, Page } from '@playwright/test'
import { allowWebRtc, launchChromium } from '../support/browser'
import {
  deepPathsTorrent, manyFilesTorrent, millionsOfPiecesTorrent, pathologicalNameTorrent, type HostileTorrent,
} from '../support/hostile-torrents'
import { isMain } from '../support/is-main'
import { startApp, type RunningApp } from '../e2e/harness'
import { traceMainThread, type MainThreadTasks } from './main-thread-trace'

const SETTLE_MS = 2000
const STEP_TIMEOUT_MS = 5 * 60_000

export interface HostileRun {
  torrent: HostileTorrent
  /** Choosing the file until the add dialog shows it (with one file: until it is listed and started). */
  open: MainThreadTasks
  /** "Add" with "Start paused" until it is listed, paused: the app's own work (a paused torrent is not in webtorrent). */
  add: MainThreadTasks | null
  /** "Resume" until it is downloading: webtorrent's own parse and set-up of the torrent, in the page, and the app's. */
  start: MainThreadTasks | null
  /** Seconds from choosing the file until the list shows it, or the app's error when it refused it. */
  seconds: number
  refused: string | null
}

export function hostileTorrents(): HostileTorrent[] {
  return [pathologicalNameTorrent(), manyFilesTorrent(), deepPathsTorrent(), millionsOfPiecesTorrent()]
}

/**
 * What the page shows of `name`: 'dialog' (the add dialog is open), 'listed:STATE', 'error:TEXT'
 * or ''. Read from the app's own properties rather than with Playwright's role queries, which run
 * in the page's main thread and walk the whole document: with thousands of rows, that alone made
 * tasks of 100 ms and more, which would be counted as the app's.
 */
function probe(name: string): string {
  const app = document.querySelector('bt-app') as (Element & { torrents?: { name: string; state: string }[]; notices?: { kind: string; text: string }[] }) | null
  if (app?.shadowRoot?.querySelector('bt-add-dialog')?.shadowRoot?.querySelector('dialog[open]')) return 'dialog'
  const torrent = app?.torrents?.find((t) => t.name === name)
  if (torrent) return `listed:${torrent.state}` // perhaps with a warning, e.g. that it will not fit
  const error = app?.notices?.find((notice) => notice.kind === 'error')
  return error ? `error:${error.text}` : ''
}

/** Waits until `probe` answers something `done` accepts; returns the answer. */
async function until(page: Page, name: string, done: (answer: string) => boolean): Promise<string> {
  const deadline = Date.now() + STEP_TIMEOUT_MS
  for (;;) {
    const answer = await page.evaluate(probe, name)
    if (done(answer)) return answer
    if (Date.now() > deadline) throw new Error(`timed out; the page shows "${answer}"`)
    await page.waitForTimeout(100)
  }
}

const shown = (answer: string) => answer !== ''
const started = (answer: string) => /^(listed:(downloading|seeding|error)|error:)/.test(answer)

export async function addHostileTorrent(browser: Browser, app: RunningApp, torrent: HostileTorrent, dir: string): Promise<HostileRun> {
  const file = join(dir, 'hostile.torrent')
  await writeFile(file, torrent.bytes)
  const context = await browser.newContext()
  try {
    await allowWebRtc(context, new URL(app.url).origin)
    const page = await context.newPage()
    await page.goto(app.url)
    await page.getByText('No torrents yet').waitFor()
    let outcome = ''
    const began = Date.now()
    const open = await traceMainThread(browser, page, async () => {
      await page.getByLabel('Open torrent file').setInputFiles(file)
      outcome = await until(page, torrent.listedName, shown)
      if (outcome.startsWith('listed:')) outcome = await until(page, torrent.listedName, started)
      await page.waitForTimeout(SETTLE_MS)
    })
    let seconds = (Date.now() - began) / 1000
    if (outcome.startsWith('error:')) return { torrent, open, add: null, start: null, seconds, refused: outcome.slice('error:'.length) }
    if (outcome !== 'dialog') return { torrent, open, add: null, start: null, seconds, refused: null }
    // CSS queries: cheap for the page, unlike role queries over thousands of rows
    const add = await traceMainThread(browser, page, async () => {
      await page.locator('bt-add-dialog label.paused input').check()
      const clicked = Date.now()
      await page.locator('bt-add-dialog button.primary').click() // "Add"
      const answer = await until(page, torrent.listedName, (a) => a === 'listed:paused' || a.startsWith('error:'))
      seconds += (Date.now() - clicked) / 1000
      if (answer.startsWith('error:')) throw new Error(`adding ${torrent.label} failed: ${answer}`)
      await page.waitForTimeout(SETTLE_MS)
    })
    const start = await traceMainThread(browser, page, async () => {
      await page.locator('bt-torrent-item button[aria-label^="Resume "]').click()
      await until(page, torrent.listedName, started)
      await page.waitForTimeout(SETTLE_MS)
    })
    return { torrent, open, add, start, seconds, refused: null }
  } finally {
    await context.close()
  }
}

export async function measureHostileTorrents(browser: Browser, appArgs: string[] = [], log: (line: string) => void = console.log): Promise<HostileRun[]> {
  const app = await startApp(['ws://127.0.0.1:9'], 0, appArgs) // nothing downloads: no tracker needed
  const dir = await mkdtemp(join(tmpdir(), 'hostile-'))
  try {
    const runs: HostileRun[] = []
    for (const torrent of hostileTorrents()) {
      log(`bench hostile: ${torrent.label} (${(torrent.bytes.length / 1024 / 1024).toFixed(1)} MiB)…`)
      const run = await addHostileTorrent(browser, app, torrent, dir)
      log(`bench hostile:   open ${run.open.longestMs.toFixed(0)} ms, add ${run.add?.longestMs.toFixed(0) ?? '-'} ms, ${run.seconds.toFixed(1)} s${run.refused ? `, refused: ${run.refused}` : ''}`)
      runs.push(run)
    }
    return runs
  } finally {
    await rm(dir, { recursive: true, force: true })
    await app.close()
  }
}

const ms = (tasks: MainThreadTasks | null) => (tasks ? `${tasks.longestMs.toFixed(0)} ms` : '')
const steps = (run: HostileRun) => [run.open, run.add, run.start].filter((t): t is MainThreadTasks => t !== null)
const longOnes = (run: HostileRun) => {
  const count = steps(run).reduce((n, t) => n + t.longTasks, 0)
  return count ? `${count} (${steps(run).reduce((n, t) => n + t.longTaskMs, 0).toFixed(0)} ms)` : '0'
}

export function hostileMarkdown(runs: HostileRun[], title = 'The main thread while adding hostile .torrent files'): string {
  const rows = runs.map((run) => {
    const bytes = run.torrent.bytes.length
    const size = bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MiB` : `${(bytes / 1024).toFixed(0)} KiB`
    const outcome = run.refused ? `refused: “${run.refused}”` : `listed in ${run.seconds.toFixed(1)} s`
    return `| ${run.torrent.label} | ${size} | ${ms(run.open)} | ${ms(run.add)} | ${ms(run.start)} | ${longOnes(run)} | ${outcome} |`
  })
  const worst = runs.reduce((a, run) => Math.max(a, ...steps(run).map((t) => t.longestMs)), 0)
  return `## ${title}

Each file is opened with "Open torrent file" in a fresh profile; the page's main-thread tasks come from a Chromium trace
(every task, not only those over 50 ms; tracing makes them somewhat slower). Three steps, each traced until it is done
and then ${SETTLE_MS / 1000} s more: **open** (until the add dialog shows the files; a single-file torrent is added and
started at once), **add** ("Start paused", then "Add", until it is listed: the app's own work, since a paused torrent is
not in webtorrent), **start** ("Resume", until it is downloading: webtorrent's parse and set-up of the torrent, which
run in the page because WebRTC does).

| torrent | size | open: longest task | add: longest task | start: longest task | tasks of 50 ms and over | outcome |
|---|---|---|---|---|---|---|
${rows.join('\n')}

Longest main-thread task over all: ${worst.toFixed(0)} ms. Target: no task over 50 ms.
`
}

export async function benchHostileTorrents(browser: Browser): Promise<{ markdown: string }> {
  return { markdown: hostileMarkdown(await measureHostileTorrents(browser)) }
}

if (isMain(import.meta.url)) {
  const browser = await launchChromium()
  try {
    const appDir = process.env.BENCH_APP_DIR
    console.log(hostileMarkdown(await measureHostileTorrents(browser, appDir ? ['--app-dir', appDir] : [])))
  } finally {
    await browser.close()
  }
}
