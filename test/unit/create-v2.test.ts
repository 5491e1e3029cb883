// "Create torrent" in v1, v2 and hybrid, checked by libtorrent (Debian's python3-libtorrent 2.0):
// the create worker's own code (TorrentHasher fed the files as it reads them, then buildTorrent)
// makes the torrent here from files on disk; libtorrent must load it, find the same info-hashes,
// and its own check of the files must pass every piece. A changed byte must fail one.
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTorrent, createdFileLayout, createdMagnet, planFiles } from '../../src/core/file-assembly/create-torrent'
import { parseMagnet } from '../../src/core/torrent-parser/magnet'
import { parseTorrent, type MetaVersion } from '../../src/core/torrent-parser/metainfo'
import { TorrentHasher } from '../../src/core/file-assembly/torrent-hasher'
import { libtorrentCheck, libtorrentInspect } from '../support/libtorrent-v2'

const SIZES: [string, number][] = [
  ['album/01 intro.flac', 100_001],
  ['album/02 song.flac', 16_384],
  ['album/cover.jpg', 7],
  ['notes/empty.txt', 0],
  ['notes/readme.txt', 40_000],
  ['z.bin', 65_537],
]

let dir: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'create-v2-'))
  for (const [path, size] of SIZES) {
    const bytes = new Uint8Array(size)
    for (let i = 0; i < size; i++) bytes[i] = (i * 29 + path.length * 3 + (i >> 12)) & 0xff
    await mkdir(dirname(join(dir, 'share', path)), { recursive: true })
    await writeFile(join(dir, 'share', path), bytes)
  }
})

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

/** What the create worker does, from disk: read each file in torrent order, in chunks, hash, build. */
async function create(root: string, picked: { path: string[] }[], version: MetaVersion, pieceLength: number): Promise<{ torrent: string; infoHash: string; infoHashV2?: string; name: string; lengths: number[]; paths: string[][]; singleFile: boolean }> {
  const plan = planFiles(picked)
  const lengths: number[] = []
  const contents: Uint8Array[] = []
  for (const f of plan.files) {
    const bytes = new Uint8Array(await readFile(join(root, ...(plan.singleFile ? [picked[0]!.path.at(-1)!] : [plan.suggestedName, ...f.path]))))
    lengths.push(bytes.length)
    contents.push(bytes)
  }
  const hasher = new TorrentHasher(version, pieceLength, lengths, plan.singleFile)
  for (const bytes of contents) for (let at = 0; at < bytes.length; at += 10_007) await hasher.update(bytes.subarray(at, at + 10_007))
  const hashes = await hasher.finish()
  const created = await buildTorrent({
    name: plan.suggestedName,
    files: plan.files.map((f, i) => ({ path: f.path, length: lengths[i]! })),
    singleFile: plan.singleFile,
    pieceLength,
    pieceHashes: hashes.pieceHashes,
    fileHashes: hashes.files,
    version,
    announce: ['udp://127.0.0.1:9/announce'],
    createdBy: 'Torrent Web',
  })
  const torrent = join(dir, `${version}-${pieceLength}-${plan.suggestedName}.torrent`)
  await writeFile(torrent, created.torrentFile)
  return { torrent, infoHash: created.infoHash, ...(created.infoHashV2 ? { infoHashV2: created.infoHashV2 } : {}), name: plan.suggestedName, lengths, paths: plan.files.map((f) => f.path), singleFile: plan.singleFile }
}

const folder = () => SIZES.map(([path]) => ({ path: ['share', ...path.split('/')] }))

describe('created torrents, checked by libtorrent', () => {
  for (const version of ['hybrid', 'v2', 'v1'] as const) {
    for (const pieceLength of [16_384, 65_536]) {
      it(`${version}, ${pieceLength / 1024} KiB pieces, a folder of uneven files: libtorrent loads it and its check passes every piece`, async () => {
        const made = await create(dir, folder(), version, pieceLength)
        const lt = libtorrentInspect(made.torrent)
        expect(lt.v1).toBe(version === 'v2' ? null : made.infoHash)
        expect(lt.v2).toBe(version === 'v1' ? null : made.infoHashV2)
        expect(lt.name).toBe('share')
        const check = libtorrentCheck(made.torrent, dir)
        expect(check).toMatchObject({ checked: true, error: null, seeding: true })
        expect(check.havePieces).toBe(check.numPieces)
        // our parser reads what we wrote, as libtorrent does
        const meta = await parseTorrent(new Uint8Array(await readFile(made.torrent)))
        expect(meta.version).toBe(version)
        expect(meta.infoHash).toBe(made.infoHash)
        expect(meta.pieceCount).toBe(lt.numPieces)
        // where the create worker puts each file and padding file in OPFS is where the parser lists them
        const layout = createdFileLayout(version, pieceLength, made.lengths, made.singleFile)
        expect(layout.files.map((i) => meta.files[i]!.path)).toEqual(made.paths)
        expect(layout.pads.map((p) => [meta.files[p.index]!.pad, meta.files[p.index]!.length])).toEqual(layout.pads.map((p) => [true, p.length]))
        expect(layout.files.length + layout.pads.length).toBe(meta.files.length)
        const link = parseMagnet(createdMagnet(made.infoHash, made.name, [], made.infoHashV2))
        expect(link.infoHash).toBe(made.infoHash)
        expect(link.infoHashV2).toBe(made.infoHashV2)
      }, 60_000)
    }
  }

  for (const version of ['hybrid', 'v2'] as const) {
    it(`${version}, one file: libtorrent's check passes`, async () => {
      const made = await create(join(dir, 'share'), [{ path: ['z.bin'] }], version, 32_768)
      expect(libtorrentInspect(made.torrent).name).toBe('z.bin')
      const check = libtorrentCheck(made.torrent, join(dir, 'share'))
      expect(check.havePieces).toBe(check.numPieces)
      expect(check.seeding).toBe(true)
    }, 60_000)
  }

  it('a byte changed in a file fails libtorrent\'s check of that piece (the check can fail)', async () => {
    const made = await create(dir, folder(), 'hybrid', 16_384)
    const copy = join(dir, 'changed')
    await cp(join(dir, 'share'), join(copy, 'share'), { recursive: true })
    const path = join(copy, 'share', 'notes', 'readme.txt')
    const bytes = new Uint8Array(await readFile(path))
    bytes[20_000]! ^= 1
    await writeFile(path, bytes)
    const check = libtorrentCheck(made.torrent, copy)
    expect(check.checked).toBe(true)
    expect(check.havePieces).toBe(check.numPieces - 1)
  }, 60_000)
})
