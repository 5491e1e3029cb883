// The v2 parser and merkle code against libtorrent (Debian's python3-libtorrent 2.0): torrents made
// by libtorrent's own creator from files of uneven sizes, hybrid (with BEP 47 padding, with and
// without padding after the last file) and v2-only, read by our parser, which must find what
// libtorrent finds (info-hashes, files and their offsets, pieces roots, piece layers); and our
// merkle code, run on the files, must compute libtorrent's roots and layers again.
import { createHash } from 'node:crypto'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isV2OnlyMagnet, parseMagnet } from '../../src/core/torrent-parser/magnet'
import { hashBlocks, pieceHash, pieceLayerFromBlocks, pieceLeafCount, rootFromBlocks } from '../../src/core/file-storage/merkle'
import { parseTorrent, type Metainfo } from '../../src/core/torrent-parser/metainfo'
import { verifyV2Piece } from '../../src/core/file-storage/v2-pieces'
import { libtorrentMake, type LibtorrentMode, type LibtorrentView } from '../support/libtorrent-v2'

const hex = (bytes: Uint8Array | undefined) => (bytes ? Buffer.from(bytes).toString('hex') : null)

/** Sizes around block (16 KiB) and piece boundaries, an empty file, and files in folders. */
const FILES: [string, number][] = [
  ['a.bin', 1],
  ['b.bin', 16383],
  ['empty.txt', 0],
  ['sub/c.bin', 16384],
  ['sub/d.bin', 16385],
  ['sub/deeper/e.bin', 100_000],
  ['sub/deeper/f.bin', 300_001],
  ['z.bin', 65536],
]

let dir: string
let share: string
const data = new Map<string, Uint8Array>()

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'v2-lt-'))
  share = join(dir, 'share')
  for (const [path, size] of FILES) {
    const bytes = new Uint8Array(size)
    for (let i = 0; i < size; i++) bytes[i] = (i * 131 + path.length * 17 + (i >> 11)) & 0xff
    data.set(path, bytes)
    await mkdir(dirname(join(share, path)), { recursive: true })
    await writeFile(join(share, path), bytes)
  }
  await writeFile(join(dir, 'single.bin'), data.get('sub/deeper/f.bin')!)
})

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function made(source: string, mode: LibtorrentMode, pieceLength: number): Promise<{ lt: LibtorrentView; meta: Metainfo }> {
  const out = join(dir, `${mode}-${pieceLength}-${source.replace(/\W/g, '')}.torrent`)
  const lt = libtorrentMake(join(dir, source), out, mode, pieceLength)
  return { lt, meta: await parseTorrent(new Uint8Array(await readFile(out))) }
}

/** libtorrent's path without the torrent's own folder, as ours are. */
const relative = (lt: LibtorrentView, path: string) => (path.startsWith(`${lt.name}/`) ? path.slice(lt.name.length + 1).split('/') : [path])

async function expectSameAsLibtorrent(lt: LibtorrentView, meta: Metainfo, mode: LibtorrentMode): Promise<void> {
  expect(meta.version).toBe(mode === 'v2' ? 'v2' : 'hybrid')
  expect(meta.infoHashV2).toBe(lt.v2)
  expect(meta.infoHash).toBe(mode === 'v2' ? lt.v2!.slice(0, 40) : lt.v1)
  expect(meta.pieceLength).toBe(lt.pieceLength)
  expect(meta.pieceCount).toBe(lt.numPieces)
  // Files with data: same order, paths, sizes, offsets (each on a piece boundary) and roots. Where
  // padding and empty files sit among each other does not matter (libtorrent's files_compatible):
  // a hybrid's v1 list may put an empty file before or after a padding file.
  const withData = (f: { pad: boolean; size: number }) => !f.pad && f.size > 0
  const ours = meta.files.map((f) => ({ path: f.path, size: f.length, offset: f.offset, pad: f.pad, root: hex(f.piecesRoot) }))
  const theirs = lt.files.map((f) => ({ ...f, path: relative(lt, f.path) }))
  expect(ours.filter(withData)).toEqual(theirs.filter(withData))
  for (const f of ours.filter(withData)) expect(f.offset % meta.pieceLength).toBe(0)
  expect(ours.filter((f) => !f.pad && f.size === 0).map((f) => f.path)).toEqual(theirs.filter((f) => !f.pad && f.size === 0).map((f) => f.path))
  // the same padding, the last file's too (a v2 torrent's, and a hybrid's that has it): every piece whole
  expect(meta.length).toBe(lt.totalSize)
  expect(ours.filter((f) => f.pad).map((f) => [f.offset, f.size])).toEqual(theirs.filter((f) => f.pad).map((f) => [f.offset, f.size]))
  // piece layers: the ones libtorrent wrote, for every file longer than a piece
  for (const file of meta.files) {
    const root = hex(file.piecesRoot)
    expect(hex(file.pieceLayer)).toBe(root !== null && file.length > meta.pieceLength ? lt.pieceLayers[root] : null)
  }
  expect(Object.keys(lt.pieceLayers).length).toBe(new Set(meta.files.filter((f) => f.pieceLayer).map((f) => hex(f.piecesRoot))).size)
  // its magnet link names the same torrent
  const link = parseMagnet(lt.magnet)
  expect(link.infoHash).toBe(meta.infoHash)
  expect(link.infoHashV2).toBe(meta.infoHashV2)
  expect(isV2OnlyMagnet(link)).toBe(mode === 'v2')
}

/** Our merkle code on the files computes libtorrent's roots, layers and piece hashes again. */
async function expectMerkleOfFiles(meta: Metainfo, bytesOf: (path: string[]) => Uint8Array): Promise<void> {
  let checked = 0
  for (const file of meta.files) {
    if (file.pad || file.length === 0) continue
    const bytes = bytesOf(file.path)
    const blocks = await hashBlocks(bytes)
    expect(hex(rootFromBlocks(blocks, file.length)), file.name).toBe(hex(file.piecesRoot))
    const leaves = pieceLeafCount(file.length, meta.pieceLength)
    if (file.length > meta.pieceLength) {
      expect(hex(pieceLayerFromBlocks(blocks, meta.pieceLength))).toBe(hex(file.pieceLayer))
      const last = Math.ceil(file.length / meta.pieceLength) - 1
      const piece = bytes.subarray(last * meta.pieceLength)
      expect(hex(await pieceHash(piece, leaves))).toBe(hex(file.pieceLayer!.subarray(last * 32, last * 32 + 32)))
    } else {
      expect(hex(await pieceHash(bytes, leaves))).toBe(hex(file.piecesRoot))
    }
    checked++
  }
  expect(checked).toBeGreaterThan(0)
}

/** The v1 half of a hybrid: SHA-1 of each piece of the files laid end to end with their padding. */
function expectV1PiecesOfFiles(meta: Metainfo, bytesOf: (path: string[]) => Uint8Array): void {
  const all = new Uint8Array(meta.length)
  for (const file of meta.files) if (!file.pad && file.length > 0) all.set(bytesOf(file.path), file.offset)
  for (let i = 0; i < meta.pieceCount; i++) {
    const sha1 = createHash('sha1').update(all.subarray(i * meta.pieceLength, (i + 1) * meta.pieceLength)).digest('hex')
    expect(sha1, `piece ${i}`).toBe(hex(meta.pieceHashes.subarray(i * 20, i * 20 + 20)))
  }
}

/** Every piece, as stored (each file's bytes, then padding), passes its BEP 52 check; a changed byte fails it; without the layer it cannot be told. */
async function expectV2PiecesVerify(meta: Metainfo, bytesOf: (path: string[]) => Uint8Array): Promise<void> {
  const all = new Uint8Array(meta.length)
  for (const file of meta.files) if (!file.pad && file.length > 0) all.set(bytesOf(file.path), file.offset)
  const piece = (i: number) => all.subarray(i * meta.pieceLength, (i + 1) * meta.pieceLength)
  const withoutLayers = { ...meta, files: meta.files.map(({ pieceLayer: _layer, ...f }) => f) }
  let unknown = 0
  for (let i = 0; i < meta.pieceCount; i++) {
    expect(await verifyV2Piece(meta, i, piece(i)), `piece ${i}`).toBe(true)
    const bad = piece(i).slice()
    bad[0]! ^= 1
    expect(await verifyV2Piece(meta, i, bad)).toBe(false)
    const known = await verifyV2Piece(withoutLayers, i, piece(i))
    expect(known === true || known === undefined).toBe(true)
    if (known === undefined) unknown++
  }
  // the pieces of files longer than a piece need the layer; a one-piece file's root is its piece hash
  expect(unknown).toBe(meta.files.filter((f) => f.pieceLayer).reduce((n, f) => n + Math.ceil(f.length / meta.pieceLength), 0))
  expect(await verifyV2Piece(meta, meta.pieceCount, new Uint8Array(1))).toBe(false)
}

const shareBytes = (path: string[]) => data.get(path.join('/'))!

describe('v2 torrents made by libtorrent', () => {
  for (const mode of ['hybrid', 'hybrid-no-tail-padding', 'v2'] as const) {
    for (const pieceLength of [16384, 65536]) {
      it(`${mode}, ${pieceLength / 1024} KiB pieces, ${FILES.length} files: our parser and merkle code find what libtorrent wrote`, async () => {
        const { lt, meta } = await made('share', mode, pieceLength)
        await expectSameAsLibtorrent(lt, meta, mode)
        await expectMerkleOfFiles(meta, shareBytes)
        await expectV2PiecesVerify(meta, shareBytes)
        if (mode !== 'v2') expectV1PiecesOfFiles(meta, shareBytes)
        expect(meta.files.some((f) => f.pad)).toBe(true)
      }, 30_000)
    }
  }

  for (const mode of ['hybrid', 'v2'] as const) {
    it(`single file, ${mode}: named by its file, one piece layer`, async () => {
      const { lt, meta } = await made('single.bin', mode, 32768)
      await expectSameAsLibtorrent(lt, meta, mode)
      // the file, then (v2) the padding to a whole piece that libtorrent gives it too
      expect(meta.files.filter((f) => !f.pad)).toHaveLength(1)
      expect(meta.files[0]!.path).toEqual(['single.bin'])
      await expectMerkleOfFiles(meta, () => data.get('sub/deeper/f.bin')!)
      if (mode === 'hybrid') expectV1PiecesOfFiles(meta, () => data.get('sub/deeper/f.bin')!)
    }, 30_000)
  }

  it('a v1 torrent from libtorrent stays v1', async () => {
    const { lt, meta } = await made('share', 'v1', 16384)
    expect(meta.version).toBe('v1')
    expect(meta.infoHash).toBe(lt.v1)
    expect(meta.infoHashV2).toBeUndefined()
    expect(meta.files.every((f) => f.piecesRoot === undefined)).toBe(true)
  }, 30_000)
})
