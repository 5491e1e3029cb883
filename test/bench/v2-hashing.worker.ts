/// <reference lib="webworker" />
/**
 * The bench's worker (bundled by test/bench/v2-hashing.ts): a file of `size` bytes in OPFS, then
 * its re-check as v1 (SHA-1 of each piece) and as v2 (SHA-256 merkle: each 16 KiB block, then the
 * piece's subtree up to its piece-layer hash), each way reading the file piece by piece through a
 * sync access handle, as the storage worker reads it. The hashes to check against come from a
 * first pass that computes both, as "Create torrent" does for a hybrid.
 */
import { BLOCK_SIZE, HASH_SIZE, equalBytes, hashBlocks, subtreeRoot } from '../../src/core/file-storage/merkle'
import { TorrentHasher, type FileHashes } from '../../src/core/file-assembly/torrent-hasher'

declare const self: DedicatedWorkerGlobalScope

export interface HashingRequest {
  size: number
  pieceLength: number
}

/** Re-checks of each way, taken in turn; the median is reported. */
const ROUNDS = 3

export interface HashingRow {
  label: string
  seconds: number
  /** Each round's seconds, when there were several. */
  rounds?: number[]
  /** Pieces whose hash did not match (a re-check); 0 when all did. */
  mismatches?: number
}

const FILE = 'v2-hashing-bench.bin'

async function handle(): Promise<FileSystemSyncAccessHandle> {
  const root = await navigator.storage.getDirectory()
  return (await root.getFileHandle(FILE, { create: true })).createSyncAccessHandle()
}

/** Fills the file with bytes that differ in every 16 KiB block (a cheap generator, not zeros). */
async function write(size: number): Promise<number> {
  const file = await handle()
  const chunk = new Uint8Array(16 * 1024 * 1024)
  const words = new Uint32Array(chunk.buffer)
  const start = performance.now()
  file.truncate(size)
  let x = 0x9e3779b9
  for (let at = 0; at < size; at += chunk.length) {
    for (let i = 0; i < words.length; i += 64) {
      x ^= x << 13
      x ^= x >>> 17
      x ^= x << 5
      words[i] = x
    }
    const part = chunk.subarray(0, Math.min(chunk.length, size - at))
    if (file.write(part, { at }) !== part.length) throw new Error(`OPFS took less than ${part.length} bytes at ${at}: is the quota full?`)
  }
  file.flush()
  const written = file.getSize()
  file.close()
  if (written !== size) throw new Error(`the file holds ${written} bytes, not ${size}`)
  return (performance.now() - start) / 1000
}

/** Reads each piece into one reused buffer and hands it to `hash`; seconds for the whole file. */
async function eachPiece(size: number, pieceLength: number, hash: (piece: Uint8Array, index: number) => Promise<void>): Promise<number> {
  const file = await handle()
  const buffer = new Uint8Array(pieceLength)
  const start = performance.now()
  try {
    for (let index = 0, at = 0; at < size; index++, at += pieceLength) {
      const want = Math.min(pieceLength, size - at)
      const n = file.read(buffer.subarray(0, want), { at })
      if (n !== want) throw new Error(`read ${n} bytes of piece ${index}, not ${want}`)
      await hash(buffer.subarray(0, n), index)
    }
  } finally {
    file.close()
  }
  return (performance.now() - start) / 1000
}

async function run(request: HashingRequest): Promise<HashingRow[]> {
  const { size, pieceLength } = request
  const pieces = Math.ceil(size / pieceLength)
  const leaves = pieceLength / BLOCK_SIZE
  const sha1 = new Uint8Array(pieces * 20)
  const layer = new Uint8Array(pieces * HASH_SIZE)
  const rows: HashingRow[] = []
  rows.push({ label: `writing the ${size / 2 ** 30} GiB file into OPFS`, seconds: await write(size) })

  rows.push({ label: 'reading it, no hashing (from the page cache: it was just written)', seconds: await eachPiece(size, pieceLength, async () => {}) })

  // what "Create torrent" does for a hybrid: its own hasher, fed the file piece by piece
  const hasher = new TorrentHasher('hybrid', pieceLength, [size], true)
  rows.push({
    label: 'hybrid creation: TorrentHasher, SHA-1 of each piece and its SHA-256 merkle hash',
    seconds: await eachPiece(size, pieceLength, async (data) => hasher.update(data)),
  })
  const hashes = await hasher.finish()
  sha1.set(hashes.pieceHashes)
  layer.set((hashes.files[0] as FileHashes).pieceLayer as Uint8Array)

  const piece = (i: number) => layer.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE)
  let inner = 0
  const ways: { label: string; check: (data: Uint8Array, i: number) => Promise<boolean> }[] = [
    {
      label: 'v1 re-check: SHA-1 of each piece (WebCrypto)',
      check: async (data, i) => equalBytes(new Uint8Array(await crypto.subtle.digest('SHA-1', data as Uint8Array<ArrayBuffer>)), sha1.subarray(i * 20, i * 20 + 20)),
    },
    {
      label: 'v2 re-check: SHA-256 of each 16 KiB block, a piece\'s blocks in flight at once (WebCrypto), then its subtree (chosen)',
      check: async (data, i) => {
        const blocks = await hashBlocks(data)
        const t = performance.now()
        const hash = subtreeRoot(blocks, 0, leaves)
        inner += performance.now() - t
        return equalBytes(hash, piece(i))
      },
    },
    {
      label: 'v2 re-check, each block\'s SHA-256 awaited before the next',
      check: async (data, i) => {
        const blocks = new Uint8Array(Math.ceil(data.length / BLOCK_SIZE) * HASH_SIZE)
        for (let b = 0; b * BLOCK_SIZE < data.length; b++) {
          blocks.set(new Uint8Array(await crypto.subtle.digest('SHA-256', data.subarray(b * BLOCK_SIZE, (b + 1) * BLOCK_SIZE) as Uint8Array<ArrayBuffer>)), b * HASH_SIZE)
        }
        return equalBytes(subtreeRoot(blocks, 0, leaves), piece(i))
      },
    },
  ]
  // rounds, each way in turn, so that none always runs on a warmer or quieter machine; the median
  const times = ways.map(() => [] as number[])
  const mismatched = ways.map(() => 0)
  for (let round = 0; round < ROUNDS; round++) {
    for (const [w, way] of ways.entries()) {
      (times[w] as number[]).push(await eachPiece(size, pieceLength, async (data, i) => {
        if (!(await way.check(data, i))) mismatched[w] = (mismatched[w] as number) + 1
      }))
    }
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number
  ways.forEach((way, w) => {
    rows.push({ label: way.label, seconds: median(times[w] as number[]), mismatches: mismatched[w] as number, rounds: (times[w] as number[]).map((t) => Number(t.toFixed(2))) })
    if (w === 1) rows.push({ label: '  of which the subtrees\' inner nodes (sha256Pair, in JS)', seconds: inner / 1000 / ROUNDS })
  })

  rows.push({
    label: 'SHA-256 of each whole piece (WebCrypto; not BEP 52, the ceiling for SHA-256 itself)',
    seconds: await eachPiece(size, pieceLength, async (piece) => {
      await crypto.subtle.digest('SHA-256', piece as Uint8Array<ArrayBuffer>)
    }),
  })

  const root = await navigator.storage.getDirectory()
  await root.removeEntry(FILE)
  return rows
}

self.onmessage = (event: MessageEvent<HashingRequest>) => {
  run(event.data).then(
    (rows) => self.postMessage({ rows }),
    (err: unknown) => self.postMessage({ error: err instanceof Error ? `${err.name}: ${err.message} ${err.stack ?? ""}` : String(err) }),
  )
}
