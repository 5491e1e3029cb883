/**
 * The scale benchmark's torrents and their data on disk: many small torrents, a few larger ones
 * sharing one file's bytes (hard links), and a huge one of zeros in sparse files, all with real
 * piece hashes, so any client can check what it downloads.
 */
import { createHash, randomFillSync } from 'node:crypto'
import { link, mkdir, open, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { bencode } from '../../src/core/torrent-parser/bencode'

export interface MadeTorrent {
  name: string
  /** The .torrent file written. */
  file: string
  /** The folder a seeder seeds it from (its files are under `path/name`, or `path/name` itself). */
  path: string
  bytes: Uint8Array
  length: number
  pieceLength: number
}

function sha1(data: Uint8Array): Buffer {
  return createHash('sha1').update(data).digest()
}

function pieceHashesOf(data: Uint8Array, pieceLength: number): Uint8Array {
  const count = Math.ceil(data.length / pieceLength)
  const out = new Uint8Array(count * 20)
  for (let i = 0; i < count; i++) out.set(sha1(data.subarray(i * pieceLength, (i + 1) * pieceLength)), i * 20)
  return out
}

/**
 * Single-file torrents with the same bytes under different names (so each has its own info
 * hash): one copy of the bytes on disk, hard-linked under each name.
 */
export async function sameBytesTorrents(dir: string, names: string[], data: Uint8Array, pieceLength: number, announce: string): Promise<MadeTorrent[]> {
  const pieces = pieceHashesOf(data, pieceLength)
  const dataDir = join(dir, 'data')
  const torrentDir = join(dir, 'torrents')
  await mkdir(dataDir, { recursive: true })
  await mkdir(torrentDir, { recursive: true })
  const original = join(dir, 'original.bin')
  await writeFile(original, data)
  const made: MadeTorrent[] = []
  for (const name of names) {
    await link(original, join(dataDir, name))
    const bytes = bencode({ announce, info: { name, 'piece length': pieceLength, length: data.length, pieces } })
    const file = join(torrentDir, `${name}.torrent`)
    await writeFile(file, bytes)
    made.push({ name, file, path: dataDir, bytes, length: data.length, pieceLength })
  }
  return made
}

export function randomBytes(length: number): Uint8Array {
  return randomFillSync(new Uint8Array(length))
}

/**
 * `count` files in folders of folders (`fan` top folders, `fan` in each, the rest side by side),
 * `length` bytes each but every third one byte longer, so file ends fall inside pieces.
 */
export function nestedLayout(count: number, fileLength: number, fan = 10): { path: string[]; length: number }[] {
  const perFolder = Math.ceil(count / (fan * fan))
  return Array.from({ length: count }, (_, i) => {
    const top = Math.floor(i / (perFolder * fan))
    const sub = Math.floor(i / perFolder) % fan
    return { path: [`season ${top + 1}`, `disc ${sub + 1}`, `part ${String(i % perFolder + 1).padStart(3, '0')}.bin`], length: fileLength + (i % 3 === 0 ? 1 : 0) }
  })
}

/**
 * A torrent of zeros (any size: its piece hashes are two SHA-1s, of a whole piece of zeros and of
 * the last one) and its files as sparse files on disk, which take no room.
 */
export async function zeroTorrent(dir: string, name: string, files: { path: string[]; length: number }[], pieceLength: number, announce: string): Promise<MadeTorrent> {
  const length = files.reduce((sum, f) => sum + f.length, 0)
  const count = Math.ceil(length / pieceLength)
  const lastLength = length - (count - 1) * pieceLength
  const full = sha1(new Uint8Array(pieceLength))
  const last = sha1(new Uint8Array(lastLength))
  const pieces = new Uint8Array(count * 20)
  for (let i = 0; i < count - 1; i++) pieces.set(full, i * 20)
  pieces.set(last, (count - 1) * 20)
  const bytes = bencode({ announce, info: { name, 'piece length': pieceLength, files, pieces } })
  const dataDir = join(dir, 'data')
  const folders = new Set(files.map((f) => dirname(join(dataDir, name, ...f.path))))
  for (const folder of folders) await mkdir(folder, { recursive: true })
  for (const f of files) {
    const handle = await open(join(dataDir, name, ...f.path), 'w')
    await handle.truncate(f.length)
    await handle.close()
  }
  const file = join(dir, `${name}.torrent`)
  await writeFile(file, bytes)
  return { name, file, path: dataDir, bytes, length, pieceLength }
}
