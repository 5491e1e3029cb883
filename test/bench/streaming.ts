/**
 * Streaming bench: time from Play to the first video frame for a ~200 MiB video on a loopback
 * seeder throttled to 5 MB/s, against waiting for the whole file (a client without streaming);
 * and from a seek to 80% to the next frame.
 *
 *   import { benchStreaming } from './streaming'   // from run.ts: (await benchStreaming(browser)).markdown
 *   node --import tsx test/bench/streaming.ts      // alone (builds nothing: run `vite build` first)
 */
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Browser, Page } from '@playwright/test'
import { allowWebRtc, launchChromium } from '../support/browser'
import { makeVideo, spawnMediaSeeder } from '../support/media'
import { startApp } from '../e2e/harness'
import { askFilesOff } from './app-page'

const MiB = 1024 * 1024
const FOLDER = 'Bench Movie'
const UPLOAD_LIMIT = Number(process.env.BENCH_STREAM_LIMIT ?? 5_000_000)
const VIDEO_SECONDS = Number(process.env.BENCH_STREAM_SECONDS ?? 200)
/** 8 Mibit/s for 200 s: 200 MiB of video. */
const VIDEO_BITRATE = 8 * MiB

export interface StreamingFigures {
  fileMiB: number
  uploadLimit: number
  /** Play clicked (metadata in, nothing downloaded yet) to the first presented frame. */
  playToFrameS: number
  /** Add clicked to the first frame, streaming. */
  addToFrameS: number
  /** currentTime set to 80% of the duration to the next presented frame. */
  seekToFrameS: number
  /** Add clicked to the whole file downloaded, then Play to the first frame. */
  wholeFileS: number
  /** Of which Play to first frame once complete. */
  wholeFilePlayS: number
}

/** Resolves when the player's <video> presents a frame (requestVideoFrameCallback). */
function nextFrame(page: Page, seekTo?: number): Promise<void> {
  // No named functions in here: tsx's transform would wrap them in a __name() the page lacks.
  return page.evaluate(async (seek) => {
    let video: HTMLVideoElement | null = null
    while (!video) {
      video = document.querySelector('bt-player')?.shadowRoot?.querySelector('video') ?? null
      if (!video) await new Promise((r) => setTimeout(r, 10))
    }
    const v = video
    if (seek !== undefined) {
      while (!(v.duration > 0)) await new Promise((r) => setTimeout(r, 10))
      v.currentTime = v.duration * seek
      await new Promise((r) => v.addEventListener('seeked', r, { once: true }))
    }
    await new Promise((r) => v.requestVideoFrameCallback(() => r(undefined)))
  }, seekTo)
}

async function openPage(browser: Browser, url: string): Promise<{ page: Page; close: () => Promise<void> }> {
  const context = await browser.newContext()
  await allowWebRtc(context, new URL(url).origin)
  const page = await context.newPage()
  await page.goto(url)
  await page.getByText('No torrents yet').waitFor()
  await page.evaluate(async () => { await navigator.serviceWorker.ready })
  return { page, close: () => context.close() }
}

async function add(page: Page, magnet: string): Promise<number> {
  await askFilesOff(page)
  await page.getByLabel('Magnet link, info hash or torrent URL').fill(magnet)
  const start = Date.now()
  await page.getByRole('button', { name: 'Add', exact: true }).click()
  await page.getByRole('listitem', { name: FOLDER }).getByRole('button', { name: `Files of ${FOLDER}`, exact: true }).click({ timeout: 120_000 })
  return start
}

export async function measureStreaming(browser: Browser): Promise<StreamingFigures> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-stream-'))
  const root = join(dir, FOLDER)
  await mkdir(root)
  makeVideo(join(root, 'movie.mp4'), { seconds: VIDEO_SECONDS, bitrate: VIDEO_BITRATE })
  const fileMiB = (await stat(join(root, 'movie.mp4'))).size / MiB
  const seeder = await spawnMediaSeeder(root, { uploadLimit: UPLOAD_LIMIT })
  const app = await startApp([seeder.wsUrl])
  try {
    const play = (page: Page) => page.getByRole('listitem', { name: FOLDER }).getByRole('button', { name: 'Play movie.mp4', exact: true }).click()

    // Streaming: Play as soon as the file list is there, then a seek to 80%.
    const streaming = await openPage(browser, app.url)
    const added = await add(streaming.page, seeder.magnetURI)
    const playAt = Date.now()
    await play(streaming.page)
    await nextFrame(streaming.page)
    const framed = Date.now()
    await streaming.page.waitForTimeout(1000)
    const seekAt = Date.now()
    await nextFrame(streaming.page, 0.8)
    const seekToFrameS = (Date.now() - seekAt) / 1000
    await streaming.close()

    // Without streaming: the whole file first, then Play.
    const whole = await openPage(browser, app.url)
    const wholeAdded = await add(whole.page, seeder.magnetURI)
    await whole.page.getByRole('listitem', { name: FOLDER }).getByTestId('state').filter({ hasText: /Seeding|Done/ }).waitFor({ timeout: 15 * 60_000 })
    const wholePlayAt = Date.now()
    await play(whole.page)
    await nextFrame(whole.page)
    const wholeEnd = Date.now()
    await whole.close()

    return {
      fileMiB, uploadLimit: UPLOAD_LIMIT,
      playToFrameS: (framed - playAt) / 1000, addToFrameS: (framed - added) / 1000, seekToFrameS,
      wholeFileS: (wholeEnd - wholeAdded) / 1000, wholeFilePlayS: (wholeEnd - wholePlayAt) / 1000,
    }
  } finally {
    await app.close()
    await seeder.stop()
    await rm(dir, { recursive: true, force: true })
  }
}

export function streamingMarkdown(f: StreamingFigures): string {
  const s = (x: number) => `${x.toFixed(2)} s`
  return [
    '## Streaming: play while it downloads',
    '',
    `A ${f.fileMiB.toFixed(0)} MiB H.264 video (8 Mbit/s, key frame every second, index at the front) from one webtorrent`,
    `seeder on loopback throttled to ${(f.uploadLimit / 1e6).toFixed(1)} MB/s; fresh browser profile each time.`,
    '',
    '| what | time |',
    '|---|---|',
    `| Play to first frame, streaming (Play pressed as soon as the file list shows) | ${s(f.playToFrameS)} |`,
    `| Add to first frame, streaming | ${s(f.addToFrameS)} |`,
    `| seek to 80% to next frame, while downloading | ${s(f.seekToFrameS)} |`,
    `| Add to first frame, waiting for the whole file first (no streaming) | ${s(f.wholeFileS)} |`,
    `| … of which Play to first frame once complete | ${s(f.wholeFilePlayS)} |`,
    '',
  ].join('\n')
}

export async function benchStreaming(browser: Browser): Promise<{ figures: StreamingFigures; markdown: string }> {
  const figures = await measureStreaming(browser)
  return { figures, markdown: streamingMarkdown(figures) }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const browser = await launchChromium()
  try {
    const { figures, markdown } = await benchStreaming(browser)
    console.log(JSON.stringify(figures))
    console.log(markdown)
  } finally {
    await browser.close()
  }
}
