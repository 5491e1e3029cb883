// BitTorrent v2 and hybrid .torrent files (BEP 52): what the parser returns, and what it refuses,
// with which message. Torrents made by libtorrent are in v2-libtorrent.test.ts.
import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { bencode } from '../../src/core/torrent-parser/bencode'
import { MAX_FILES, MAX_PATH_NAMES, MAX_PIECES, parseTorrent } from '../../src/core/torrent-parser/metainfo'
import { AppError, type ErrorCode } from '../../src/protocol/errors'
import { hostileV2Torrents } from '../support/hostile-torrents'
import { v2Torrent, v2TorrentFile, type V2File } from '../support/v2-torrents'

const KIB = 1024
const PL = 32 * KIB

const FILES: V2File[] = [
  { path: ['a.bin'], length: 40_000 },
  { path: ['sub', 'b.bin'], length: 100 },
  { path: ['sub', 'c.bin'], length: 0 },
  { path: ['sub', 'deep', 'd.bin'], length: 3 * PL },
  { path: ['z.bin'], length: 70_000 },
]

async function torrentError(bytes: Uint8Array): Promise<AppError> {
  try {
    await parseTorrent(bytes)
  } catch (err) {
    expect(err).toBeInstanceOf(AppError)
    return err as AppError
  }
  throw new Error('expected the torrent to be refused')
}

describe('v2 torrents', () => {
  it('reads a v2-only torrent: every file on a piece boundary, roots, piece layers, the v2 info-hash and its 20-byte cut', async () => {
    const t = await v2Torrent('album', FILES, PL)
    const meta = await parseTorrent(v2TorrentFile(t))
    const sha256 = createHash('sha256').update(bencode(t.info)).digest('hex')
    expect(meta.version).toBe('v2')
    expect(meta.infoHashV2).toBe(sha256)
    expect(meta.infoHash).toBe(sha256.slice(0, 40))
    expect(meta.pieceHashes).toHaveLength(0)
    expect(meta.files.map((f) => [f.name, f.length, f.offset, f.pad])).toEqual([
      ['a.bin', 40_000, 0, false],
      ['.pad/25536', 25_536, 40_000, true],
      ['sub/b.bin', 100, 65_536, false],
      ['.pad/32668', 32_668, 65_636, true],
      ['sub/c.bin', 0, 98_304, false],
      ['sub/deep/d.bin', 3 * PL, 98_304, false],
      ['z.bin', 70_000, 98_304 + 3 * PL, false],
      // the last file is padded too, as libtorrent lays a v2 torrent out: every piece is whole
      ['.pad/28304', 28_304, 98_304 + 3 * PL + 70_000, true],
    ])
    expect(meta.length).toBe(98_304 + 3 * PL + 3 * PL)
    expect(meta.pieceCount).toBe(2 + 1 + 3 + 3)
    expect(meta.lastPieceLength).toBe(PL)
    const withRoots = meta.files.filter((f) => f.piecesRoot)
    expect(withRoots.map((f) => f.piecesRoot)).toEqual(t.roots)
    // layers for the files longer than a piece only
    expect(meta.files.filter((f) => f.pieceLayer).map((f) => [f.name, f.pieceLayer!.length])).toEqual([['a.bin', 64], ['sub/deep/d.bin', 96], ['z.bin', 96]])
  })

  it('reads a single-file v2 torrent, named after its file', async () => {
    const t = await v2Torrent('the name', [{ path: ['movie.mkv'], length: 5 * PL + 1 }], PL)
    const meta = await parseTorrent(v2TorrentFile(t))
    expect(meta.name).toBe('the name')
    expect(meta.files).toEqual([
      expect.objectContaining({ path: ['movie.mkv'], length: 5 * PL + 1, offset: 0, pad: false }),
      expect.objectContaining({ length: PL - 1, offset: 5 * PL + 1, pad: true }),
    ])
    expect(meta.pieceCount).toBe(6)
  })

  it('accepts a torrent without piece layers (they come from peers, as for a magnet link), or with some of them', async () => {
    const t = await v2Torrent('album', FILES, PL)
    const none = await parseTorrent(v2TorrentFile(t, null))
    expect(none.files.every((f) => f.pieceLayer === undefined)).toBe(true)
    const [first] = t.pieceLayers
    const some = await parseTorrent(v2TorrentFile(t, new Map([first!])))
    expect(some.files.filter((f) => f.pieceLayer)).toHaveLength(1)
  })

  it('gives identical files (one pieces root) the one layer', async () => {
    const same = new Uint8Array(2 * PL + 5).fill(7)
    const t = await v2Torrent('twins', [{ path: ['a'], length: same.length, data: same }, { path: ['b'], length: same.length, data: same }], PL)
    expect(t.pieceLayers.size).toBe(1)
    const meta = await parseTorrent(v2TorrentFile(t))
    expect(meta.files.filter((f) => f.pieceLayer)).toHaveLength(2)
  })

  it('reads a hybrid torrent: v1 pieces and padding files, v2 roots, both info-hashes', async () => {
    const t = await v2Torrent('album', FILES, PL, { hybrid: true })
    const meta = await parseTorrent(v2TorrentFile(t))
    expect(meta.version).toBe('hybrid')
    expect(meta.infoHash).toBe(createHash('sha1').update(bencode(t.info)).digest('hex'))
    expect(meta.infoHashV2).toBe(createHash('sha256').update(bencode(t.info)).digest('hex'))
    expect(meta.pieceHashes).toHaveLength(meta.pieceCount * 20)
    expect(meta.files.filter((f) => f.pad)).toHaveLength(2)
    expect(meta.files.filter((f) => f.piecesRoot).map((f) => f.name)).toEqual(['a.bin', 'sub/b.bin', 'sub/deep/d.bin', 'z.bin'])
  })

  it('accepts a file 100 folders deep in the tree', async () => {
    const path = [...Array.from({ length: 99 }, (_, i) => `d${i}`), 'leaf.bin']
    const meta = await parseTorrent(v2TorrentFile(await v2Torrent('deep', [{ path, length: 10 }], PL)))
    expect(meta.files[0]!.path).toHaveLength(100)
  })
})

describe('v2 torrents refused', () => {
  const base = async () => v2Torrent('album', FILES, PL)
  const hybrid = async () => v2Torrent('album', FILES, PL, { hybrid: true })
  const root32 = new Uint8Array(32).fill(1)
  type Case = [string, () => Promise<Uint8Array>, ErrorCode, RegExp]
  const cases: Case[] = [
    ['meta version 3', async () => v2TorrentFile({ ...(await base()), info: { ...(await base()).info, 'meta version': 3 } }), 'BAD_TORRENT', /newer BitTorrent \(meta version 3\)/],
    ['meta version as text', async () => v2TorrentFile({ ...(await base()), info: { ...(await base()).info, 'meta version': '2' } }), 'BAD_TORRENT', /"info\.meta version" should be a number but is text/],
    ['file tree without meta version 2', async () => bencode({ info: { ...(await base()).info, 'meta version': undefined } }), 'BAD_TORRENT', /v2 "file tree" but not "meta version" 2/],
    ['meta version 2 without a file tree', async () => bencode({ info: { name: 'x', 'piece length': PL, 'meta version': 2 } }), 'BAD_TORRENT', /no "info\.file tree"/],
    ['a piece length not a power of two', async () => bencode({ info: { ...(await base()).info, 'piece length': 3 * 16384 } }), 'BAD_PIECES', /must be a power of two/],
    ['the file tree a list', async () => bencode({ info: { name: 'x', 'piece length': PL, 'meta version': 2, 'file tree': [] } }), 'BAD_TORRENT', /"info\.file tree" should be a dictionary but is a list/],
    ['an empty file tree', async () => bencode({ info: { name: 'x', 'piece length': PL, 'meta version': 2, 'file tree': {} } }), 'BAD_TORRENT', /lists no files/],
    ['the tree root marked as a file', async () => bencode({ info: { name: 'x', 'piece length': PL, 'meta version': 2, 'file tree': { '': { length: 1 } } } }), 'BAD_TORRENT', /"info\.file tree" is itself marked as a file/],
    ['a file with siblings in its own entry', async () => tree({ a: { '': { length: 1, 'pieces root': root32 }, b: { '': { length: 1, 'pieces root': root32 } } } }), 'BAD_TORRENT', /"a" describes a file .* and also has other entries/],
    ['a folder entry that is a number', async () => tree({ a: 5 }), 'BAD_TORRENT', /entry "a" should be a dictionary but is a number/],
    ['a file without length', async () => tree({ a: { '': { 'pieces root': root32 } } }), 'BAD_TORRENT', /should have a number "length" but it is missing/],
    ['a negative length', async () => tree({ d: { a: { '': { length: -1 } } } }), 'BAD_TORRENT', /"d\/a" has a length of -1/],
    ['a file without pieces root', async () => tree({ a: { '': { length: 5 } } }), 'BAD_PIECES', /should have a 32-byte "pieces root" but it is missing/],
    ['a pieces root of 31 bytes', async () => tree({ a: { '': { length: 5, 'pieces root': new Uint8Array(31).fill(1) } } }), 'BAD_PIECES', /32-byte "pieces root" but it is 31 bytes/],
    ['a pieces root of zeros', async () => tree({ a: { '': { length: 5, 'pieces root': new Uint8Array(32) } } }), 'BAD_PIECES', /"pieces root" of zeros/],
    ['a padding file in the tree', async () => tree({ a: { '': { length: 5, 'pieces root': root32, attr: 'p' } } }), 'BAD_TORRENT', /marked as a padding file/],
    ['a file 101 folders deep', async () => tree(nest(101)), 'TOO_LARGE', /nested more than 100 folders deep/],
    ['keys of the info out of order', async () => unsorted(), 'BAD_TORRENT', /keys of its "info" section are out of order/],
    ['more pieces than a v1 torrent could hold', async () => tree({ a: { '': { length: (MAX_PIECES + 1) * 16384, 'pieces root': root32 } } }, 16384), 'TOO_LARGE', /pieces; at most 3,355,443/],
    ['files beyond 2^53 bytes', async () => tree({ a: { '': { length: Number.MAX_SAFE_INTEGER - 5, 'pieces root': root32 } }, b: { '': { length: 10, 'pieces root': root32 } } }), 'TOO_LARGE', /more than 8 PiB/],
    ['piece layers a list', async () => v2TorrentFile(await base(), null, { 'piece layers': [] }), 'BAD_PIECES', /"piece layers" should be a dictionary but is a list/],
    ['a piece layer for no file', async () => layers((l) => l.set('ab'.repeat(32), new Uint8Array(64))), 'BAD_PIECES', /a layer for a pieces root that no file longer than one piece has/],
    ['a piece layer one hash short', async () => layers((l) => { const [k, v] = [...l][0]!; l.set(k, v.subarray(32)) }), 'BAD_PIECES', /piece layer of “a\.bin” takes 32 bytes, but its 2 pieces need 64/],
    ['a piece layer with a wrong hash', async () => layers((l) => { const [k, v] = [...l][1]!; const bad = v.slice(); bad[40]! ^= 1; l.set(k, bad) }), 'BAD_PIECES', /piece layer of “sub\/deep\/d\.bin” does not hash to the file's pieces root/],
    ['a hybrid whose v1 list names another file', async () => hybridWith((files) => { files[0]!.path = ['other.bin'] }), 'BAD_TORRENT', /do not describe the same files: entry 1 is “other\.bin” in one and “a\.bin” in the other/],
    ['a hybrid whose v1 list lacks a padding file', async () => hybridWith((files) => { files.splice(1, 1) }), 'BAD_TORRENT', /do not describe the same files/],
    ['a hybrid whose v1 sizes differ', async () => hybridWith((files) => { files[2]!.length = 101; files[3]!.length -= 1 }), 'BAD_TORRENT', /“sub\/b\.bin” is 101 bytes in one and 100 in the other/],
  ]

  function tree(fileTree: object, pieceLength = PL): Uint8Array {
    return bencode({ info: { name: 'x', 'piece length': pieceLength, 'meta version': 2, 'file tree': fileTree as never } })
  }
  function nest(depth: number): object {
    let node: object = { '': { length: 1, 'pieces root': root32 } }
    for (let i = depth - 1; i >= 0; i--) node = { [`d${i}`]: node }
    return node
  }
  async function unsorted(): Promise<Uint8Array> {
    const text = Buffer.from(bencode({ info: { name: 'x', 'piece length': PL, 'meta version': 2, 'file tree': { a: { '': { length: 1, 'pieces root': root32 } }, b: { '': { length: 1, 'pieces root': root32 } } } } }))
    // swap the two files' names: "1:a" and "1:b" keep their lengths, so the bencode stays valid
    return new Uint8Array(Buffer.from(text.toString('latin1').replace('1:ad0:', '1:Xd0:').replace('1:bd0:', '1:ad0:').replace('1:Xd0:', '1:bd0:'), 'latin1'))
  }
  async function layers(change: (l: Map<string, Uint8Array>) => void): Promise<Uint8Array> {
    const t = await base()
    const l = new Map(t.pieceLayers)
    change(l)
    return v2TorrentFile(t, l)
  }
  async function hybridWith(change: (files: { length: number; path: string[] }[]) => void): Promise<Uint8Array> {
    const t = await hybrid()
    const files = structuredClone(t.info.files) as { length: number; path: string[] }[]
    change(files)
    return v2TorrentFile({ ...t, info: { ...t.info, files } })
  }

  for (const [label, build, code, message] of cases) {
    it(`refuses ${label}`, async () => {
      const err = await torrentError(await build())
      expect(err.code).toBe(code)
      expect(err.message).toMatch(message)
      expect(err.message.length).toBeLessThanOrEqual(400)
    })
  }

  it(`refuses a tree of more than ${MAX_FILES.toLocaleString('en-US')} files, and of more than ${MAX_PATH_NAMES.toLocaleString('en-US')} names`, async () => {
    const wide: Record<string, object> = {}
    for (let i = 0; i <= MAX_FILES; i++) wide[`f${i}`] = { '': { length: 0 } }
    const err = await torrentError(tree({ d: wide }))
    expect(err.code).toBe('TOO_LARGE')
    expect(err.message).toMatch(/more than 100,000 files/)
    // 10,001 files 100 deep: a million and 100 names
    const deep: Record<string, object> = {}
    for (let i = 0; i <= MAX_PATH_NAMES / 100; i++) {
      let node: object = { '': { length: 0 } }
      for (let d = 98; d >= 0; d--) node = { [`${i}-${d}`]: node }
      deep[`f${i}`] = node
    }
    const names = await torrentError(tree(deep))
    expect(names.code).toBe('TOO_LARGE')
    expect(names.message).toMatch(/more than 1,000,000 folder and file names/)
  }, 60_000)
})

describe('the hostile-input corpus, v2 part', () => {
  it('refuses each with its reason, in a message a person can read', async () => {
    for (const torrent of hostileV2Torrents()) {
      const err = await torrentError(torrent.bytes)
      expect(err.message, torrent.label).toMatch(torrent.refusal)
      expect(err.message.length).toBeLessThanOrEqual(400)
    }
  }, 60_000)
})
