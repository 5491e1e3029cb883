/**
 * npm run bench, "Scale: the page" (issue 17, points 1 and 2): 1,000 torrents in the list with 50
 * downloading (many-torrents.ts), and a 100 GiB torrent of 10,000 files (huge-torrent.ts).
 *
 * Alone: `unshare -n bash -c 'ip link set lo up && node --import tsx test/bench/page-scale.ts'`
 * after `npm run build`; BENCH_APP_DIR serves another build (e.g. an older commit's) for a
 * before-and-after comparison; BENCH_SCALE_PARTS=many, =huge or =resume runs one part.
 */
import type { Browser } from '@playwright/test'
import { launchChromium } from '../support/browser'
import { isMain } from '../support/is-main'
import { measureHugeTorrents, type HugeTorrentRun } from './huge-torrent'
import { hugeResumeMarkdown, measureHugeResume } from './huge-resume'
import { measureManyTorrents, type ManyTorrentsFigures } from './many-torrents'
import type { MainThreadProfile } from './main-thread-trace'
import { median } from './scale-page'

const pct = (share: number) => `${(share * 100).toFixed(1)} %`
const ms = (value: number) => `${value.toFixed(0)} ms`
const refresh = (p: MainThreadProfile) => (p.refreshMs.length ? `${median(p.refreshMs).toFixed(1)} ms (longest ${Math.max(...p.refreshMs).toFixed(1)} ms, ${p.refreshMs.length} seen)` : 'none seen')

/** The section's heading and how it was measured (docs/BENCHMARKS.md). */
export const PAGE_SCALE_INTRO = `## Scale: the page with 1,000 torrents, and a 100 GiB torrent of 10,000 files

\`test/bench/page-scale.ts\` (a section of \`npm run bench\`; alone, with \`BENCH_APP_DIR\` to measure another
build and \`BENCH_SCALE_PARTS=many\` or \`=huge\`): headless Chromium, the compiled server and its bridge, main-thread
tasks from a Chromium trace (every task, not only long ones), heap from CDP. 1,000 torrents: 950 of 32 KiB and 50 of
32 MiB with real piece hashes, two webtorrent seeders in Node over TCP (a local HTTP tracker, reached through the
bridge), all 1,000 .torrent files dropped on the page at once (Chromium's own drag events, CDP
\`Input.dispatchDragEvent\`, test/bench/drop-files.ts; then, in a fresh context, the same through "Open torrent file"),
50 downloads at most, seeds unlimited.
How these figures were reached, fix by fix, with the profiles by function that found each cost: docs/SCALE-WORK.md.
`

/** The app before the fixes of issue 17 (the app of d9ab7d9, BENCH_APP_DIR), measured 2026-12-05 on the same machine. */
export const PAGE_SCALE_BEFORE = `Before the fixes (the app of commit d9ab7d9, same machine, same day):

| measure | before | after (above) |
|---|---|---|
| dropping 1,000 .torrent files at once | not all listed after 10 min (982), 738 of them in error "Cannot add duplicate torrent" | all listed in 37 s, none in error |
| reload, main thread while downloading and idle, heap | not measured: the list never held all 1,000 | see above |
| 10 GiB, 10,000 files: add dialog / add / its file list opened, longest task | 132 ms / 138 ms / 9,680 ms | 33 ms / 23 ms / 143 ms |
| 100 GiB, 10,000 files: add dialog / add / its file list opened, longest task | 15 ms / 20 ms / 5,583 ms | 15 ms / 46 ms / 42 ms |
`

export function manyMarkdown(f: ManyTorrentsFigures): string {
  return `### 1,000 torrents

| measure | figure | target |
|---|---|---|
| dropping ${f.torrents} .torrent files at once until all are listed (Chromium's drag events, as from a file manager) | ${f.addSeconds.toFixed(1)} s, longest task ${ms(f.add.longestMs)} | it works; no task over 50 ms |
${f.byInput ? `| … the same through "Open torrent file" (Playwright's setInputFiles: Chromium makes the ${f.torrents} File objects in one task of its own first) | ${f.byInput.seconds.toFixed(1)} s, longest task ${ms(f.byInput.longestMs)} | |\n` : ''}| reload until the whole list shows | ${f.reloadSeconds.toFixed(2)} s | under 2 s |
| … longest task from the reload until 5 s after | ${ms(f.reload.longestMs)} (${f.reload.longTasks} of 50 ms and over) | none over 50 ms |
| the list when measured (${(f.fillSeconds / 60).toFixed(0)} min after the drop) | ${Object.entries(f.library).map(([state, n]) => `${n} ${state}`).join(', ')} | |
| main thread while ${f.active} download (${f.downloading.downloadMBps.toFixed(1)} MB/s in all; ${(f.downloading.windowMs / 1000).toFixed(0)} s) | ${pct(f.downloading.busyShare)} busy (${pct(f.downloading.cpuShare)} of it the thread's own CPU time), longest task ${ms(f.downloading.longestMs)} | under 10 %; none over 50 ms |
| RTCPeerConnections the page made in those ${(f.downloading.windowMs / 1000).toFixed(0)} s (WebRTC offers: the swarms have no WebRTC peer) | ${f.downloading.peerConnections} | |
| main thread idle (those downloading paused, the rest as they were) | ${pct(f.idle.busyShare)} busy (${pct(f.idle.cpuShare)} CPU time), longest task ${ms(f.idle.longestMs)} | |
| one UI refresh (the task of the engine's 250 ms tick: snapshots and render), median | downloading ${refresh(f.downloading)}; idle ${refresh(f.idle)} | |
| JS heap of the page (peak, downloading / idle) | ${f.downloading.heapMiB.toFixed(1)} / ${f.idle.heapMiB.toFixed(1)} MiB | under 200 MB |
| IndexedDB | ${f.indexedDbMiB.toFixed(1)} MiB | |
`
}

export function hugeMarkdown(runs: HugeTorrentRun[]): string {
  const rows = runs.map((r) => `| ${r.sizeGiB.toFixed(0)} GiB, ${r.files} files, ${r.pieces} × ${r.pieceLength / 1024 / 1024} MiB pieces (.torrent ${(r.torrentBytes / 1024).toFixed(0)} KiB) | ${r.openSeconds.toFixed(2)} s, ${ms(r.open.longestMs)} | ${ms(r.dialog.longestMs)} | ${ms(r.add.longestMs)} | ${ms(r.fileList.longestMs)} |`)
  return `### A huge torrent: 10,000 files in 10 × 10 folders, of zeros (sparse files on disk)

| torrent | open: until the add dialog shows, longest task | add dialog: unfold, none, all, a folder off and on: longest task | add (paused): longest task | its file list opened: longest task |
|---|---|---|---|---|
${rows.join('\n')}

Its resume and the IndexedDB writes while it downloads: the next table, in on-disk profiles.
`
}

export async function benchPageScale(browser: Browser, appArgs: string[] = []): Promise<{ markdown: string }> {
  const parts = (process.env.BENCH_SCALE_PARTS ?? 'many,huge,resume').split(',')
  const sections: string[] = []
  // each part's table as soon as it is measured: a later part that fails loses nothing
  if (parts.includes('many')) sections.push(manyMarkdown(await measureManyTorrents(browser, appArgs)))
  if (sections.length) console.log(sections[0])
  if (parts.includes('huge')) sections.push(hugeMarkdown(await measureHugeTorrents(browser, appArgs)))
  // in on-disk profiles of its own (huge-resume.ts): an off-the-record context's OPFS is too small
  if (parts.includes('resume')) sections.push(hugeResumeMarkdown(await measureHugeResume(appArgs)))
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
