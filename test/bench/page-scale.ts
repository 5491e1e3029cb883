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

/**
 * The app before the fixes of issue 17 (the app of d9ab7d9, BENCH_APP_DIR), measured 2026-12-05 on the same machine;
 * then the windowed list's before and after (measured by hand, alternating, with their loads).
 */
export const PAGE_SCALE_BEFORE = `Before the fixes (the app of commit d9ab7d9, same machine, same day):

| measure | before | after (above) |
|---|---|---|
| dropping 1,000 .torrent files at once | not all listed after 10 min (982), 738 of them in error "Cannot add duplicate torrent" | all listed in 37 s, none in error |
| reload, main thread while downloading and idle, heap | not measured: the list never held all 1,000 | see above |
| 10 GiB, 10,000 files: add dialog / add / its file list opened, longest task | 132 ms / 138 ms / 9,680 ms | 33 ms / 23 ms / 143 ms |
| 100 GiB, 10,000 files: add dialog / add / its file list opened, longest task | 15 ms / 20 ms / 5,583 ms | 15 ms / 46 ms / 42 ms |

### The list windowed: only the rows in and near the view drawn (2026-12-05)

The list drew its first 100 rows (20 a task, "Show more" for the rest); now it draws the rows in the view and one
screen above and below, a gap of their height standing in for the others (\`src/core/download-manager/list-window.ts\`,
\`src/ui/row-window.ts\`; the focused row with its neighbours, an opened row and the highlighted one stay drawn). The
reload is now measured until what a person sees: the count of all 1,000 on the list's "All" filter and its first
rows (before: until the app held all 1,000 and the list had drawn a row); then the page is scrolled to its end, where
the oldest torrent's row must show. \`BENCH_SCALE_PARTS=many\`, the app of 8f58b4e (before) and of 099a70a (after),
alternating on the same machine shared with other runs; load average (1 min) at the start and end of each run:

| measure | before, load 3.6-5.6 (10:00) | after, load 5.5-3.6 (09:56) | before, load 11-17 (09:39) | after, load 12-17 (09:34, 09:44) |
|---|---|---|---|---|
| reload until the list shows | 0.65 s | 0.53 s | 0.87 s | 0.76 s, 1.14 s |
| … longest task from the reload until 5 s after (tasks of 50 ms and over) | 214 ms (5) | 65 ms (2) | 185 ms (5) | 172 ms (3), 155 ms (8) |
| … scrolled to the end, the oldest torrent shown | no (100 rows, then "Show more") | yes | no | yes, yes |
| one UI refresh, median, downloading / idle | 5.9 / 2.3 ms | 6.6 / 2.2 ms | 6.1 / 2.6 ms | 5.4 / 2.5 ms, 10.3 / 2.9 ms |
| main thread busy while 50 download (its own CPU time) | 23.4 % (11.0 %) | 17.9 % (11.0 %) | 34.0 % (11.1 %) | 30.6 % (12.2 %), 65.0 % (10.9 %) |
| main thread busy idle (its own CPU time) | 5.9 % (4.0 %) | 7.3 % (4.6 %) | 5.8 % (2.7 %) | 9.5 % (4.4 %), 12.5 % (3.9 %) |
| JS heap, downloading / idle | 48.5 / 50.8 MiB | 41.5 / 49.8 MiB | 50.3 / 50.8 MiB | 48.7 / 49.5, 49.7 / 50.6 MiB |

The reload's long tasks by function (\`test/bench/add-reload-profile.ts\`, no seeders, unminified builds, load 8 to 12):
before, tasks of 50 ms and over of the thread's own CPU time: one of 66 ms, with Lit's render of the list 65 ms inside
the long tasks; after: one of 50 ms, Lit's render 27 ms, the rest native "(program)" (the old page's teardown and the
new one's start). **No task over 50 ms: still not met** on a reload (65 ms at best here), and no longer because of the
list. **The UI refresh and the busy shares did not move** beyond the machine's noise: before, \`content-visibility: auto\`
already kept the 100 drawn rows but the few on screen from being laid out, and the refresh is the engine's snapshots
more than the rows (docs/SCALE-WORK.md); the windowed list lays out the ~15 rows it draws, and no longer holds up to
1,000 row elements once "Show more" was pressed.
`

/**
 * The page's data path (issue 17, item 1), measured by hand with test/bench/bridge-data-path.ts and
 * the "many" part above, two builds alternating; kept here so that a full run writes it again.
 */
export const PAGE_SCALE_DATA_PATH = `### The page's data path: main-thread time per MiB from a TCP peer (branch s7-datapath)

Where the page's main-thread time per MiB received through the bridge went, from a Chromium trace split by event
(\`test/bench/bridge-data-path.ts\` with \`BENCH_PATH_TRACE=1\`; one seeder over TCP, capped at a fixed rate):
at 1 MB/s, 16 MiB arrived in 888 WebSocket messages but as **8,701 \`network.mojom.WebSocketClient\` messages, each
a main-thread task**: Chromium reads a WebSocket 1,000 bytes at a time while it carries under 1.2 MB/s
(\`kSmallReadBufferSize\`, \`kThresholdInBytesPerSecond\` in net/websockets/websocket_basic_stream.cc), and every
read is a task on the socket's thread (14,066 tasks in 16.6 s). What the page's JavaScript does per block
(decode, the streams, the wire, the piece) was the smaller part. With nothing done with the bytes, Chromium's
main thread takes 4.6 to 8.4 ms of task time (7.1 to 9.7 ms CPU) per MiB just to receive them, by message size
(\`test/bench/websocket-message-cost.ts\`, 4 MB/s). Now the WebSocket lives in a worker
(\`src/workers/api-gateway/bridge-socket.worker.ts\`, \`src/bridge-client/worker-socket.ts\`): its reads are the
worker's tasks, the page gets whole messages in batches (at most 1 MiB or 4 ms) with their buffers moved, and the
frames it sends in one task go in one message. And the peer dialer no longer walks all 1,000 torrents when
one torrent's announce brings candidates (\`pump\` and \`done\`: 1.8 % of the downloading profile before).

2026-12-05, the app before (8f58b4e, the branch's base) and after (90c1d42), unminified builds (\`BENCH_APP_DIR\`,
\`NAME=DIR\` arguments), on the 2-core machine shared with other engineers' runs (load average beside each):

| | before | after |
|---|---|---|
| 1 MB/s, 16 MiB, median of 3 alternating (09:27–09:29, load 9.6–10.5): main-thread CPU time per MiB | 58.5 ms | **42.0 ms** |
| … task time per MiB (wall, with the load's waits) | 89.3 ms | 78.9 ms |
| 4 MB/s, 64 MiB, median of 3 alternating (09:33–09:35, load 11.7–16.1): CPU time per MiB | 21.2 ms | **13.1 ms** |
| … task time per MiB | 52.9 ms | 40.4 ms |
| again, quieter: 4 MB/s (09:52–09:54, load 5.7–10.6) / 1 MB/s (09:54–09:56, load 4.7–10.0): CPU time per MiB | 19.3 / 45.4 ms | **10.8 / 34.9 ms** |
| … task time per MiB | 32.4 / 78.5 ms | 26.4 / 63.5 ms |
| 1,000 torrents, while 50 download (\`BENCH_SCALE_PARTS=many\`; 09:16–09:22 load 14–16, 09:35–09:41 load 15–18) | 29.2 % busy, **13.2 % CPU**, at 2.98 MB/s | 27.0 % busy, **9.9 % CPU**, at 2.56 MB/s |
| … the profile's "(program)" (native work: the socket's reads among it) / \`pump\`+\`done\`+\`openActive\` | 16.1 % / 2.2 % | 6.9 % / 0.4 % |
| … idle (the 50 paused; nothing flows) | 12.7 % busy, 3.7 % CPU | 16.5 % busy, 3.8 % CPU |
| as fast as it goes (a webtorrent seeder in Node, 256 MiB, 4 rounds alternating, 09:42–09:44, load 14–17): seconds per round / CPU per MiB | 22.8, 12.3, 10.9, 11.7 s / 7.9–8.9 ms | 17.2, 14.6, 9.0, 8.7 s / 3.3–4.2 ms |
| traced at 1 MB/s (16 MiB): \`WebSocketClient\` mojo messages on the main thread / main-thread tasks | 8,701 / 14,066 | 1 (8,566 on the worker) / 4,924 |

The target, under 10 % while 50 download, is met by the thread's own CPU time in this pair (9.9 %), not by its wall
time in tasks (27 %: at load 15 to 18 a task waits for a core much of its time; the quiet full run gave 16.3 % busy,
12.7 % CPU before). What is left at 1 MB/s after, from the trace: one task per batch (at that rate a batch is mostly
one message: about 40 % of the main thread's CPU), the row's progress bar's layout and paint (20 %), the engine's
tick (16 %), webtorrent's request rounds (6 %). Not measured here: the bridge bench's ratio to aria2c (qbittorrent-nox
at 95 MB/s; the full \`npm run bench\` runs it); as fast as a webtorrent seeder goes the page kept its speed, within
this load's noise, at half the CPU per MiB.
`

export function manyMarkdown(f: ManyTorrentsFigures): string {
  return `### 1,000 torrents

| measure | figure | target |
|---|---|---|
| dropping ${f.torrents} .torrent files at once until all are listed (Chromium's drag events, as from a file manager) | ${f.addSeconds.toFixed(1)} s, longest task ${ms(f.add.longestMs)} | it works; no task over 50 ms |
${f.byInput ? `| … the same through "Open torrent file" (Playwright's setInputFiles: Chromium makes the ${f.torrents} File objects in one task of its own first) | ${f.byInput.seconds.toFixed(1)} s, longest task ${ms(f.byInput.longestMs)} | |\n` : ''}| reload until the list shows (the count of all on its "All" filter, and its first rows) | ${f.reloadSeconds.toFixed(2)} s | under 2 s |
| … then scrolled to the page's end: the oldest torrent's row shown | ${f.endReached ? 'yes' : 'no'} | yes |
| … longest task from the reload until 5 s after | ${ms(f.reload.longestMs)} (${f.reload.longTasks} of 50 ms and over) | none over 50 ms |
| the list when measured (${(f.fillSeconds / 60).toFixed(0)} min after the drop) | ${Object.entries(f.library).map(([state, n]) => `${n} ${state}`).join(', ')} | |
| main thread while ${f.active} download (${f.downloading.downloadMBps.toFixed(1)} MB/s in all; ${(f.downloading.windowMs / 1000).toFixed(0)} s) | ${pct(f.downloading.busyShare)} busy (${pct(f.downloading.cpuShare)} of it the thread's own CPU time), longest task ${ms(f.downloading.longestMs)} | under 10 %; none over 50 ms |
| RTCPeerConnections the page made in those ${(f.downloading.windowMs / 1000).toFixed(0)} s (WebRTC offers: the swarms have no WebRTC peer) | ${f.downloading.peerConnections} | |
| main thread idle (those downloading paused, the rest as they were) | ${pct(f.idle.busyShare)} busy (${pct(f.idle.cpuShare)} CPU time), longest task ${ms(f.idle.longestMs)} | |
| one UI refresh (the task of the engine's progress tick, 1 s since round s8 (250 ms before): snapshots and render), median | downloading ${refresh(f.downloading)}; idle ${refresh(f.idle)} | |
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
