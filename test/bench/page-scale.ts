/**
 * npm run bench, "Scale: the page" (issue 17, points 1 and 2): 1,000 torrents in the list with 50
 * downloading (many-torrents.ts), and a 100 GiB torrent of 10,000 files (huge-torrent.ts).
 *
 * Alone: `unshare -n bash -c 'ip link set lo up && node --import tsx test/bench/page-scale.ts'`
 * after `npm run build`; BENCH_APP_DIR serves another build (e.g. an older commit's) for a
 * before-and-after comparison; BENCH_SCALE_PARTS=many or =huge runs one part.
 */
import type { Browser } from '@playwright/test'
import { launchChromium } from '../support/browser'
import { isMain } from '../support/is-main'
import { measureHugeTorrents, type HugeTorrentRun } from './huge-torrent'
import { measureManyTorrents, type ManyTorrentsFigures } from './many-torrents'
import type { MainThreadProfile } from './main-thread-trace'
import { median } from './scale-page'

const pct = (share: number) => `${(share * 100).toFixed(1)} %`
const ms = (value: number) => `${value.toFixed(0)} ms`
const refresh = (p: MainThreadProfile) => (p.refreshMs.length ? `${median(p.refreshMs).toFixed(1)} ms (longest ${Math.max(...p.refreshMs).toFixed(1)} ms, ${p.refreshMs.length} seen)` : 'none seen')

/** The section's heading and how it was measured (docs/BENCHMARKS.md). */
export const PAGE_SCALE_INTRO = `## Scale: the page with 1,000 torrents, and a 100 GiB torrent of 10,000 files
`

/** Figures of the app before the fixes of issue 17 (measured once, by hand: BENCH_APP_DIR). */
export const PAGE_SCALE_BEFORE = ``

export function manyMarkdown(f: ManyTorrentsFigures): string {
  return `| measure | figure | target |
|---|---|---|
| dropping ${f.torrents} .torrent files at once until all are listed | ${f.addSeconds.toFixed(1)} s, longest task ${ms(f.add.longestMs)} | it works; no task over 50 ms |
| reload until the whole list shows | ${f.reloadSeconds.toFixed(2)} s | under 2 s |
| … longest task from the reload until 5 s after | ${ms(f.reload.longestMs)} (${f.reload.longTasks} of 50 ms and over) | none over 50 ms |
| main thread while ${f.active} download (${f.downloading.downloadMBps.toFixed(1)} MB/s in all; ${(f.downloading.windowMs / 1000).toFixed(0)} s) | ${pct(f.downloading.busyShare)} busy, longest task ${ms(f.downloading.longestMs)} | under 10 %; none over 50 ms |
| main thread idle (${f.torrents - f.active} seeding, ${f.active} paused) | ${pct(f.idle.busyShare)} busy, longest task ${ms(f.idle.longestMs)} | |
| one UI refresh (the task of the engine's 250 ms tick: snapshots and render), median | downloading ${refresh(f.downloading)}; idle ${refresh(f.idle)} | |
| JS heap of the page (peak, downloading / idle) | ${f.downloading.heapMiB.toFixed(1)} / ${f.idle.heapMiB.toFixed(1)} MiB | under 200 MB |
| IndexedDB | ${f.indexedDbMiB.toFixed(1)} MiB | |
`
}

export function hugeMarkdown(runs: HugeTorrentRun[]): string {
  const rows = runs.map((r) => `| ${r.sizeGiB.toFixed(0)} GiB, ${r.files} files, ${r.pieces} × ${r.pieceLength / 1024 / 1024} MiB pieces (.torrent ${(r.torrentBytes / 1024).toFixed(0)} KiB) | ${r.openSeconds.toFixed(2)} s, ${ms(r.open.longestMs)} | ${ms(r.dialog.longestMs)} | ${ms(r.add.longestMs)} | ${ms(r.fileList.longestMs)} | ${r.resumeSeconds.toFixed(2)} s (${r.verified} verified, ${r.resumeChecked} hashed), ${ms(r.resume.longestMs)} |`)
  const writes = runs.filter((r) => r.writes).map((r) => {
    const w = r.writes!
    return `While the ${r.sizeGiB.toFixed(0)} GiB one downloaded (${(w.downloadedMB / w.seconds).toFixed(1)} MB/s over ${w.seconds} s): ${(w.resumePuts / w.seconds).toFixed(1)} resume-data writes a second (${(w.resumeBytes / w.seconds / 1024).toFixed(1)} KiB/s of bitfields), ${(w.torrentPuts / w.seconds).toFixed(1)} torrent-record writes a second, ${w.otherPuts} other writes.`
  })
  return `| torrent | open: until the add dialog shows, longest task | add dialog: unfold, none, all, a folder off and on: longest task | add (paused): longest task | its file list opened: longest task | resume of a half-done copy: time, longest task |
|---|---|---|---|---|---|
${rows.join('\n')}

${writes.join('\n')}
`
}

export async function benchPageScale(browser: Browser, appArgs: string[] = []): Promise<{ markdown: string }> {
  const parts = (process.env.BENCH_SCALE_PARTS ?? 'many,huge').split(',')
  const sections: string[] = []
  if (parts.includes('many')) sections.push(manyMarkdown(await measureManyTorrents(browser, appArgs)))
  if (parts.includes('huge')) sections.push(hugeMarkdown(await measureHugeTorrents(browser, appArgs)))
  return { markdown: sections.join('\n') }
}

if (isMain(import.meta.url)) {
  const browser = await launchChromium()
  try {
    const appDir = process.env.BENCH_APP_DIR
    console.log((await benchPageScale(browser, appDir ? ['--app-dir', appDir] : [])).markdown)
  } finally {
    await browser.close()
  }
}
