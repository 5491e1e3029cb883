/**
 * Issue 16, point 5: a BitTorrent v2 re-check (SHA-256 of every 16 KiB block, then each piece's
 * merkle subtree, BEP 52) against the v1 re-check (SHA-1 of every piece) of the same 4 GiB in a
 * worker in Chromium, reading the file from OPFS piece by piece as the storage worker does.
 * WebCrypto's SHA-256 is fast per byte but costs a promise per call, and v2 makes one call per
 * 16 KiB block; the rows show what that costs and what was chosen (v2-hashing.worker.ts).
 *
 * Alone: `unshare -n bash -c 'ip link set lo up && node --import tsx test/bench/v2-hashing.ts'`
 * (BENCH_V2_GIB=1 for a shorter run; BENCH_WRITE=1 puts the section into docs/BENCHMARKS.md).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { chromium, type Browser } from '@playwright/test'
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../support/browser'
import { isMain } from '../support/is-main'
import type { HashingRequest, HashingRow } from './v2-hashing.worker'

const GiB = 2 ** 30
const SIZE = Number(process.env.BENCH_V2_GIB ?? 4) * GiB
/** What "Create torrent" picks for 4 GiB (core/file-assembly/create-torrent.ts choosePieceLength). */
const PIECE_LENGTH = 4 * 1024 * 1024
const TITLE = '## BitTorrent v2: a SHA-256 merkle re-check against v1\'s SHA-1'

/**
 * In a profile of its own on disk: a Playwright context is off the record, and its OPFS quota held
 * only 1.6 GB here, where a fresh profile on disk reports a 10 GiB quota.
 */
export async function measureV2Hashing(size = SIZE): Promise<HashingRow[]> {
  const bundle = await build({
    entryPoints: [fileURLToPath(new URL('./v2-hashing.worker.ts', import.meta.url))],
    bundle: true, format: 'esm', platform: 'browser', write: false, target: 'es2022',
  })
  const workerJs = bundle.outputFiles[0]!.text
  const server = createServer((req, res) => {
    if (req.url === '/worker.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(workerJs)
    } else {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>v2 hashing</title>')
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const profile = await mkdtemp(join(tmpdir(), 'v2-hashing-'))
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true })
  try {
    const page = await context.newPage()
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`)
    const request: HashingRequest = { size, pieceLength: PIECE_LENGTH }
    const answer = await page.evaluate((req) => new Promise<{ rows?: HashingRow[]; error?: string }>((resolve) => {
      const worker = new Worker('/worker.js', { type: 'module' })
      worker.onmessage = (e) => resolve(e.data as { rows?: HashingRow[]; error?: string })
      worker.onerror = (e) => resolve({ error: e.message })
      worker.postMessage(req)
    }), request)
    if (!answer.rows) throw new Error(`the hashing worker failed: ${answer.error}`)
    return answer.rows
  } finally {
    await context.close()
    server.close()
    await rm(profile, { recursive: true, force: true })
  }
}

export function v2HashingMarkdown(rows: HashingRow[], size = SIZE): string {
  const MB = (seconds: number) => (size / seconds / 1e6).toFixed(0)
  const v1 = rows.find((r) => r.label.startsWith('v1 re-check'))!
  const v2 = rows.find((r) => r.label.startsWith('v2 re-check: '))!
  const table = rows.map((r) => {
    const rate = r.label.startsWith('  ') ? '' : `${MB(r.seconds)} MB/s`
    const ratio = r.label.startsWith('writing') || r.label.startsWith('  ') ? '' : `${(r.seconds / v1.seconds).toFixed(2)}`
    const checked = r.mismatches === undefined ? '' : r.mismatches === 0 ? 'all pieces match' : `${r.mismatches} pieces differ`
    const rounds = r.rounds && r.rounds.length > 1 ? ` (${r.rounds.map((t) => t.toFixed(2)).join(', ')})` : ''
    return `| ${r.label.trim()}${r.label.startsWith('  ') ? ' (included above)' : ''} | ${r.seconds.toFixed(2)} s${rounds} | ${rate} | ${ratio} | ${checked} |`
  })
  const inner = rows.find((r) => r.label.includes('inner nodes'))!
  const oneByOne = rows.find((r) => r.label.startsWith('v2 re-check, each'))!
  const whole = rows.find((r) => r.label.startsWith('SHA-256 of each whole piece'))!
  const read = rows.find((r) => r.label.startsWith('reading it'))!
  const fastest = (r: HashingRow) => Math.min(...(r.rounds ?? [r.seconds]))
  return `${TITLE} (${size / GiB} GiB, ${PIECE_LENGTH / 1024 / 1024} MiB pieces, in a worker)

Measured by \`test/bench/v2-hashing.ts\` (run alone: see its header) in Chromium: one file of ${size / GiB} GiB in OPFS, read
piece by piece through a sync access handle into one buffer, as the storage worker reads; each re-check compares every
piece with hashes from a first pass (the "hybrid creation" row). The three re-checks ran three rounds each, in turn;
the median is shown, each round's time in brackets. Time relative to the v1 re-check:

| what | time | rate | × v1 | check |
|---|---|---|---|---|
${table.join('\n')}

The v2 re-check took ${(v2.seconds / v1.seconds).toFixed(2)}× the time of the v1 one (medians), ${(fastest(v2) / fastest(v1)).toFixed(2)}× comparing each way's fastest round
(this machine is shared: read the rounds). Not much slower either way, so nothing faster was looked for (a WebAssembly
SHA-256 or larger batches were not tried). The CPU here has SHA-NI, which WebCrypto (BoringSSL) uses: SHA-256
of each whole piece took ${(whole.seconds / v1.seconds).toFixed(2)}× the SHA-1 re-check. The one call per 16 KiB block that BEP 52 needs cost
little: awaited one by one, the blocks took ${(oneByOne.seconds / v2.seconds).toFixed(2)}× the time of a piece's blocks in flight at once, which is
what core/file-storage/merkle.ts does. The subtrees' inner nodes (one SHA-256 of 64 bytes per block, in JS: core/file-storage/sha256-pair.ts)
took ${inner.seconds.toFixed(2)} s of the v2 re-check. Reading the file alone took ${(read.seconds / v1.seconds).toFixed(2)}× the v1 re-check: reads and hashes
take turns here (one piece at a time), as in the storage worker.
`
}

/** Puts the section into docs/BENCHMARKS.md, in place of an older one, or at the end. */
async function writeSection(markdown: string): Promise<void> {
  const path = fileURLToPath(new URL('../../docs/BENCHMARKS.md', import.meta.url))
  const doc = await readFile(path, 'utf8')
  const start = doc.indexOf(TITLE)
  if (start < 0) return writeFile(path, `${doc.trimEnd()}\n\n${markdown}`)
  const next = doc.indexOf('\n## ', start + TITLE.length)
  await writeFile(path, `${doc.slice(0, start)}${markdown}${next < 0 ? '' : `\n${doc.slice(next + 1)}`}`)
}

/** `_browser`: the run's shared browser is not used, the measure needs a profile on disk (above). */
export async function benchV2Hashing(_browser?: Browser): Promise<{ markdown: string }> {
  return { markdown: v2HashingMarkdown(await measureV2Hashing()) }
}

if (isMain(import.meta.url)) {
  const markdown = v2HashingMarkdown(await measureV2Hashing())
  console.log(markdown)
  if (process.env.BENCH_WRITE) await writeSection(markdown)
}
