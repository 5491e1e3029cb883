// Deterministic test payloads for torrents: a folder of pseudo-random files plus their SHA-256.
import { createCipheriv, createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdir, open, readdir } from 'node:fs/promises'
import { dirname, join, relative, sep } from 'node:path'

export interface FixtureFile {
  /** Relative to the torrent's root folder, '/'-separated. */
  path: string
  length: number
}

const MiB = 1024 * 1024

/** NFC, so the bytes on disk and in the torrent are one canonical spelling. */
export const UNICODE_FILE_NAME = 'Ünïcødé 日本語.txt'.normalize('NFC')

/**
 * The multi-file layout, scaled to `totalMiB` MiB plus 54 321 bytes (so the total is never a
 * multiple of any power-of-two piece length: the last piece is short). Every size is odd, so
 * every file boundary falls inside a piece (files straddle pieces); there are nested folders, a
 * zero-byte file and a one-byte file in the middle of a piece, and a non-ASCII name.
 *
 * Listed in the order create-torrent puts them in the torrent when seeding the folder from disk:
 * depth first, entries of a folder sorted by their UTF-8 bytes (libuv's scandir sorts), which is
 * why the non-ASCII name comes last. See `torrentOrder`.
 */
export function multiFileFixture(totalMiB: number): FixtureFile[] {
  if (!Number.isFinite(totalMiB) || totalMiB < 4) throw new Error(`multiFileFixture needs at least 4 MiB, got ${totalMiB}`)
  const base = Math.round(totalMiB * MiB)
  const total = base + 54_321
  const files: FixtureFile[] = [
    { path: 'album/cover.jpg', length: 300_001 },
    { path: 'album/disc 1/01 - intro.bin', length: 1_234_567 },
    { path: 'album/disc 1/02 - long track.bin', length: Math.floor(base * 0.4) + 4_321 },
    { path: 'album/disc 2/01 - track.bin', length: Math.floor(base * 0.2) + 999 },
    { path: 'empty.dat', length: 0 },
    { path: 'notes/tiny.txt', length: 1 },
    { path: 'video/movie.mkv', length: 0 }, // the rest, below
    { path: UNICODE_FILE_NAME, length: 65_537 },
  ]
  const movie = files[6]!
  movie.length = total - fixtureLength(files)
  if (movie.length <= 0) throw new Error('multiFileFixture: total too small')
  return files
}

/** 64 MiB + 54 321 bytes, 8 files. */
export const MULTI_FILE_FIXTURE: FixtureFile[] = multiFileFixture(64)

export function fixtureLength(files: readonly FixtureFile[]): number {
  return files.reduce((sum, f) => sum + f.length, 0)
}

/** The order create-torrent lists files of a folder seeded from disk (see multiFileFixture). */
export function torrentOrder(files: readonly FixtureFile[]): FixtureFile[] {
  const key = (f: FixtureFile) => f.path.split('/').map((c) => Buffer.from(c, 'utf8'))
  return [...files].sort((a, b) => {
    const ka = key(a)
    const kb = key(b)
    for (let i = 0; i < Math.min(ka.length, kb.length); i++) {
      const c = Buffer.compare(ka[i]!, kb[i]!)
      if (c !== 0) return c
    }
    return ka.length - kb.length
  })
}

export interface PieceLayout {
  totalLength: number
  pieceLength: number
  pieceCount: number
  lastPieceLength: number
  /** Files (torrent order) that start or end strictly inside a piece. */
  straddling: string[]
  /** Pieces that hold bytes of more than one file. */
  crossFilePieces: number
}

/** Piece geometry of `files` (in torrent order) for `pieceLength`. */
export function pieceLayout(files: readonly FixtureFile[], pieceLength: number): PieceLayout {
  const totalLength = fixtureLength(files)
  const pieceCount = Math.ceil(totalLength / pieceLength)
  const straddling: string[] = []
  const piecesWithFiles = new Map<number, number>()
  let offset = 0
  for (const f of files) {
    const end = offset + f.length
    if (f.length > 0 && (offset % pieceLength !== 0 || end % pieceLength !== 0)) straddling.push(f.path)
    if (f.length > 0) {
      for (let p = Math.floor(offset / pieceLength); p <= Math.floor((end - 1) / pieceLength); p++) {
        piecesWithFiles.set(p, (piecesWithFiles.get(p) ?? 0) + 1)
      }
    }
    offset = end
  }
  return {
    totalLength,
    pieceLength,
    pieceCount,
    lastPieceLength: totalLength - (pieceCount - 1) * pieceLength,
    straddling,
    crossFilePieces: [...piecesWithFiles.values()].filter((n) => n > 1).length,
  }
}

function checkRelativePath(p: string): string[] {
  const parts = p.split('/')
  for (const part of parts) {
    if (part === '' || part === '.' || part === '..') throw new Error(`bad fixture path: ${JSON.stringify(p)}`)
    // create-torrent skips hidden files and junk (.DS_Store …) when it reads a folder.
    if (part.startsWith('.')) throw new Error(`fixture path has a hidden component (create-torrent would skip it): ${p}`)
  }
  return parts
}

const BLOCK = MiB
const ZEROS = Buffer.alloc(BLOCK)

/**
 * Writes `files` under `dir/name/` with deterministic pseudo-random bytes (AES-128-CTR keystream,
 * key derived from `seed` and the file's path, so files differ from one another), 1 MiB at a
 * time. Returns the root folder (`dir/name`) and each file's SHA-256 (hex), keyed by its path.
 */
export async function writeFixture(
  dir: string,
  name: string,
  files: FixtureFile[],
  seed = 1,
): Promise<{ root: string; sha256: Map<string, string> }> {
  const root = join(dir, name)
  const sha256 = new Map<string, string>()
  for (const file of files) {
    const target = join(root, ...checkRelativePath(file.path))
    await mkdir(dirname(target), { recursive: true })
    const key = createHash('sha256').update(`torrent-web fixture ${seed} ${file.path}`).digest().subarray(0, 16)
    const cipher = createCipheriv('aes-128-ctr', key, Buffer.alloc(16))
    const hash = createHash('sha256')
    const fh = await open(target, 'w')
    try {
      for (let left = file.length; left > 0; left -= BLOCK) {
        const block = cipher.update(left >= BLOCK ? ZEROS : ZEROS.subarray(0, left))
        hash.update(block)
        for (let done = 0; done < block.length; ) done += (await fh.write(block, done)).bytesWritten
      }
    } finally {
      await fh.close()
    }
    sha256.set(file.path, hash.digest('hex'))
  }
  return { root, sha256 }
}

/** SHA-256 (hex) of a file, read as a stream. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path, { highWaterMark: BLOCK })) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

/** SHA-256 (hex) of every file under `root`, keyed by its path below it ('/'-separated). */
export async function sha256Tree(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {}
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name)
      if (entry.isDirectory()) await walk(full)
      else out[relative(root, full).split(sep).join('/')] = await sha256File(full)
    }
  }
  await walk(root)
  return out
}
