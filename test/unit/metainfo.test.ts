import { describe, it, expect } from 'vitest'
import { createHash } from 'node:crypto'
import { bencode, type BEncodable } from '../../src/core/torrent-parser/bencode'
import { parseTorrent, MAX_FILES, MAX_PATH_NAMES, MAX_TORRENT_BYTES, type Metainfo } from '../../src/core/torrent-parser/metainfo'
import { AppError, type ErrorCode } from '../../src/protocol/errors'

const KIB = 1024
const PL = 16 * KIB

type Obj = { [key: string]: BEncodable | undefined }

const sha1 = (bytes: Uint8Array): string => createHash('sha1').update(bytes).digest('hex')

/** `count` distinct fake 20-byte piece hashes. */
function hashes(count: number): Uint8Array {
  const out = new Uint8Array(count * 20)
  for (let i = 0; i < out.length; i++) out[i] = (i * 7 + 3) & 0xff
  return out
}

function singleInfo(extra: Obj = {}): Obj {
  return { name: 'file.bin', 'piece length': PL, length: 40 * KIB, pieces: hashes(3), ...extra }
}

function multiInfo(files: { path: string[]; length: number; attr?: string }[], extra: Obj = {}): Obj {
  const length = files.reduce((n, f) => n + f.length, 0)
  return { name: 'album', 'piece length': PL, files, pieces: hashes(Math.ceil(length / PL)), ...extra }
}

/** A path `depth` names long whose folders belong to file `i` alone. */
function deepPath(i: number, depth: number): string[] {
  return [...Array.from({ length: depth - 1 }, (_, d) => `${i}-${d}`), 'leaf.bin']
}

function torrent(info: BEncodable | undefined, top: Obj = {}): Uint8Array {
  return bencode({ announce: 'udp://tracker.example:1337/announce', info, ...top })
}

async function torrentError(bytes: Uint8Array): Promise<AppError> {
  try {
    await parseTorrent(bytes)
  } catch (err) {
    expect(err).toBeInstanceOf(AppError)
    return err as AppError
  }
  throw new Error('expected the torrent to be rejected')
}

function expectSafePaths(meta: Metainfo): void {
  for (const f of meta.files) {
    for (const c of f.path) {
      expect(c).not.toBe('')
      expect(c).not.toBe('.')
      expect(c).not.toBe('..')
      expect(c).not.toContain('/')
      expect(c).not.toContain('\\')
    }
    expect(f.name).toBe(f.path.join('/'))
  }
  const names = meta.files.map((f) => f.name.toLowerCase())
  expect(new Set(names).size).toBe(names.length)
}

describe('parseTorrent: valid torrents', () => {
  it('parses a single-file torrent', async () => {
    const info = singleInfo({ private: 1 })
    const meta = await parseTorrent(torrent(info, { comment: 'hi', 'created by': 'test 1.0' }))
    expect(meta.infoHash).toBe(sha1(bencode(info)))
    expect(meta.infoHash).toMatch(/^[0-9a-f]{40}$/)
    expect(meta.name).toBe('file.bin')
    expect(meta.pieceLength).toBe(PL)
    expect(meta.pieceCount).toBe(3)
    expect(meta.lastPieceLength).toBe(8 * KIB)
    expect(meta.length).toBe(40 * KIB)
    expect(meta.files).toEqual([{ index: 0, path: ['file.bin'], name: 'file.bin', length: 40 * KIB, offset: 0, pad: false }])
    expect(meta.pieceHashes).toEqual(hashes(3))
    expect(meta.announce).toEqual(['udp://tracker.example:1337/announce'])
    expect(meta.urlList).toEqual([])
    expect(meta.private).toBe(true)
    expect(meta.comment).toBe('hi')
    expect(meta.createdBy).toBe('test 1.0')
    expect(sha1(meta.infoBytes)).toBe(meta.infoHash)
  })

  it('parses a multi-file torrent with offsets and padding files', async () => {
    const info = multiInfo([
      { path: ['cd1', 'a.flac'], length: 10_000 },
      { path: ['.pad', '6384'], length: 6384, attr: 'p' },
      { path: ['cd1', 'b.flac'], length: 20_000 },
      { path: ['empty.txt'], length: 0 },
      { path: ['_____padding_file_0_'], length: 12_768 },
      { path: ['cover.jpg'], length: 5 },
    ])
    const meta = await parseTorrent(torrent(info))
    expect(meta.name).toBe('album')
    expect(meta.length).toBe(49_157)
    expect(meta.pieceCount).toBe(4)
    expect(meta.lastPieceLength).toBe(49_157 - 3 * PL)
    expect(meta.files.map((f) => [f.index, f.name, f.length, f.offset, f.pad])).toEqual([
      [0, 'cd1/a.flac', 10_000, 0, false],
      [1, '.pad/6384', 6384, 10_000, true],
      [2, 'cd1/b.flac', 20_000, 16_384, false],
      [3, 'empty.txt', 0, 36_384, false],
      [4, '_____padding_file_0_', 12_768, 36_384, true],
      [5, 'cover.jpg', 5, 49_152, false],
    ])
    expect(meta.private).toBe(false)
    expect(meta.comment).toBeUndefined()
  })

  it('computes the info-hash over the raw bytes, even with unsorted keys', async () => {
    // hand-written so the info dict keys are out of order: re-encoding would change the hash
    const enc = new TextEncoder()
    const pieces = hashes(1)
    const infoHead = enc.encode(`d6:lengthi100e4:name3:abc6:pieces20:`)
    const infoTail = enc.encode(`12:piece lengthi16384e1:zi1e1:ai2ee`)
    const infoBytes = new Uint8Array([...infoHead, ...pieces, ...infoTail])
    const bytes = new Uint8Array([...enc.encode('d4:info'), ...infoBytes, ...enc.encode('8:announce5:x://ye')])
    const meta = await parseTorrent(bytes)
    expect(meta.infoHash).toBe(sha1(infoBytes))
    expect(meta.infoBytes).toEqual(infoBytes)
    expect(meta.announce).toEqual([])
  })

  it('prefers name.utf-8 and path.utf-8', async () => {
    const latin1Name = new Uint8Array([0x43, 0x61, 0x66, 0xe9]) // "Café" in Latin-1, invalid UTF-8
    const info = multiInfo([{ path: ['x'], length: 5 }], { name: latin1Name, 'name.utf-8': 'Café' })
    ;(info.files as Obj[])[0] = { length: 5, path: [new Uint8Array([0xff])], 'path.utf-8': ['日本.txt'] }
    const meta = await parseTorrent(torrent(info))
    expect(meta.name).toBe('Café')
    expect(meta.files[0]?.path).toEqual(['日本.txt'])
  })

  it('passes non-ASCII names through, NFC-normalised', async () => {
    const info = multiInfo(
      [
        { path: ['Ünïcødé 日本.txt'], length: 1 },
        { path: ['Cafe\u0301', 'ðŸ.mp3'], length: 1 },
      ],
      { name: 'Музыка 🎵' },
    )
    const meta = await parseTorrent(torrent(info))
    expect(meta.name).toBe('Музыка 🎵')
    expect(meta.files.map((f) => f.name)).toEqual(['Ünïcødé 日本.txt', 'Caf\u00e9/ðŸ.mp3'])
  })

  it('sanitises hostile paths so nothing escapes the torrent folder', async () => {
    const info = multiInfo(
      [
        { path: ['..', '..', 'etc', 'passwd'], length: 1 },
        { path: ['/abs', 'file'], length: 1 },
        { path: ['', 'a', '', 'b.txt'], length: 1 },
        { path: ['CON'], length: 1 },
        { path: ['dup.txt'], length: 1 },
        { path: ['DUP.txt'], length: 1 },
        { path: ['dup.txt'], length: 1 },
        { path: ['a'], length: 1 },
        { path: ['', ''], length: 1 },
        { path: [], length: 1 },
        { path: ['sub\\..\\..\\x'], length: 1 },
      ],
      { name: '../../evil' },
    )
    const meta = await parseTorrent(torrent(info))
    expect(meta.name).toBe('.._.._evil')
    expect(meta.files.map((f) => f.path)).toEqual([
      ['_', '_', 'etc', 'passwd'],
      ['_abs', 'file'],
      ['a', 'b.txt'],
      ['_CON'],
      ['dup.txt'],
      ['DUP (1).txt'],
      ['dup (2).txt'],
      ['a (1)'], // "a" is also a directory
      ['_ (1)'], // "_" is taken by the directory from ".."
      ['_ (2)'],
      ['sub_.._.._x'],
    ])
    expectSafePaths(meta)
  })

  it('uses the info-hash as the name when the name is blank', async () => {
    const info = singleInfo({ name: '   ' })
    const meta = await parseTorrent(torrent(info))
    expect(meta.name).toBe(sha1(bencode(info)))
    expect(meta.files[0]?.path).toEqual([meta.name])
  })

  it('flattens announce-list tiers, dedupes and drops unusable trackers', async () => {
    const bytes = torrent(singleInfo(), {
      announce: 'http://a.example/announce',
      'announce-list': [
        ['http://a.example/announce', 'udp://b.example:80'],
        ['wss://c.example', 'ftp://nope.example', 'garbage'],
        'https://flat.example/announce',
        [5, ['nested']],
      ],
      'url-list': ['https://seed.example/', 'udp://x.example', 'http://seed2.example/f'],
    })
    const meta = await parseTorrent(bytes)
    expect(meta.announce).toEqual([
      'http://a.example/announce',
      'udp://b.example:80',
      'wss://c.example',
      'https://flat.example/announce',
    ])
    expect(meta.urlList).toEqual(['https://seed.example/', 'http://seed2.example/f'])
  })

  it('accepts url-list as a single string and ignores badly typed optional fields', async () => {
    const meta = await parseTorrent(
      torrent(singleInfo(), { announce: 5, 'url-list': 'https://seed.example/file.bin', comment: ['x'], 'created by': 1 }),
    )
    expect(meta.announce).toEqual([])
    expect(meta.urlList).toEqual(['https://seed.example/file.bin'])
    expect(meta.comment).toBeUndefined()
    expect(meta.createdBy).toBeUndefined()
  })

  it('names a hybrid torrent by its v1 info-hash and keeps its v2 one beside it', async () => {
    const piecesRoot = new Uint8Array(32).fill(9)
    const info = singleInfo({ 'meta version': 2, 'file tree': { 'file.bin': { '': { length: 40 * KIB, 'pieces root': piecesRoot } } } })
    const meta = await parseTorrent(torrent(info))
    expect(meta.version).toBe('hybrid')
    expect(meta.infoHash).toBe(sha1(bencode(info)))
    expect(meta.infoHashV2).toBe(createHash('sha256').update(bencode(info)).digest('hex'))
    expect(meta.pieceCount).toBe(3)
    expect(meta.files[0]?.piecesRoot).toEqual(piecesRoot)
  })

  it('accepts exactly one piece and a length that fills the last piece', async () => {
    const meta = await parseTorrent(torrent(singleInfo({ length: 2 * PL, pieces: hashes(2) })))
    expect(meta.lastPieceLength).toBe(PL)
    const one = await parseTorrent(torrent(singleInfo({ length: 1, pieces: hashes(1) })))
    expect(one.pieceCount).toBe(1)
    expect(one.lastPieceLength).toBe(1)
  })

  it('accepts the most names in paths: 10,000 files 100 deep, each in folders of its own', async () => {
    const files = Array.from({ length: MAX_PATH_NAMES / 100 }, (_, i) => ({ path: deepPath(i, 100), length: 1 }))
    const meta = await parseTorrent(torrent(multiInfo(files)))
    expect(meta.files).toHaveLength(10_000)
    expect(meta.files[9_999]!.path).toEqual(deepPath(9_999, 100))
  }, 30_000)

  it('accepts the maximum number of files', async () => {
    const files = Array.from({ length: MAX_FILES }, (_, i) => ({ path: ['d', `f${i}`], length: i === 0 ? 1 : 0 }))
    const meta = await parseTorrent(torrent(multiInfo(files)))
    expect(meta.files).toHaveLength(MAX_FILES)
  }, 30_000) // tens of thousands of files: seconds of CPU on a loaded 2-core machine
})

describe('parseTorrent: malformed torrents', () => {
  const cases: [string, () => Uint8Array, ErrorCode, RegExp][] = [
    ['empty file', () => new Uint8Array(0), 'BAD_TORRENT', /empty/],
    ['not bencode', () => new TextEncoder().encode('<html>not a torrent</html>'), 'BAD_BENCODE', /not valid bencode.*at byte 0/],
    ['top level is a list', () => bencode([1, 2]), 'BAD_TORRENT', /not a \.torrent file.*a list/],
    ['missing info', () => torrent(undefined), 'BAD_TORRENT', /"info" section is missing/],
    ['info is a number', () => torrent(5), 'BAD_TORRENT', /"info" should be a dictionary but is a number/],
    ['info is a string', () => torrent('info'), 'BAD_TORRENT', /"info" should be a dictionary but is text/],
    ['missing name', () => torrent(singleInfo({ name: undefined })), 'BAD_TORRENT', /"info\.name" field is missing/],
    ['name is a list', () => torrent(singleInfo({ name: ['a'] })), 'BAD_TORRENT', /"info\.name" should be text but is a list/],
    ['missing piece length', () => torrent(singleInfo({ 'piece length': undefined })), 'BAD_TORRENT', /"info\.piece length" field is missing/],
    ['piece length is text', () => torrent(singleInfo({ 'piece length': '16384' })), 'BAD_TORRENT', /"info\.piece length" should be a number but is text/],
    ['piece length 0', () => torrent(singleInfo({ 'piece length': 0 })), 'BAD_PIECES', /piece length is 0 bytes/],
    ['piece length 1', () => torrent(singleInfo({ 'piece length': 1 })), 'BAD_PIECES', /piece length is 1 bytes/],
    ['piece length 3 GiB', () => torrent(singleInfo({ 'piece length': 3 * 1024 ** 3 })), 'BAD_PIECES', /piece length is 3221225472 bytes/],
    ['negative piece length', () => torrent(singleInfo({ 'piece length': -16384 })), 'BAD_PIECES', /piece length is -16384 bytes/],
    ['missing pieces', () => torrent(singleInfo({ pieces: undefined })), 'BAD_TORRENT', /"info\.pieces" field is missing/],
    ['pieces is a list', () => torrent(singleInfo({ pieces: [hashes(3)] })), 'BAD_TORRENT', /"info\.pieces" should be text but is a list/],
    ['pieces not a multiple of 20', () => torrent(singleInfo({ pieces: hashes(3).subarray(1) })), 'BAD_PIECES', /59 bytes, which is not a whole number/],
    ['too few hashes', () => torrent(singleInfo({ pieces: hashes(2) })), 'BAD_PIECES', /piece hashes cover 2 pieces but the files need 3\./],
    ['too many hashes', () => torrent(singleInfo({ pieces: hashes(12) })), 'BAD_PIECES', /piece hashes cover 12 pieces but the files need 3\./],
    ['no hashes at all', () => torrent(singleInfo({ pieces: new Uint8Array(0) })), 'BAD_PIECES', /cover 0 pieces but the files need 3/],
    ['both length and files', () => torrent(singleInfo({ files: [{ path: ['a'], length: 1 }] })), 'BAD_TORRENT', /both "info\.length" and "info\.files"/],
    ['neither length nor files', () => torrent(singleInfo({ length: undefined })), 'BAD_TORRENT', /neither "info\.length" nor "info\.files"/],
    ['length is text', () => torrent(singleInfo({ length: '40960' })), 'BAD_TORRENT', /"info\.length" should be a number but is text/],
    ['negative length', () => torrent(singleInfo({ length: -1 })), 'BAD_TORRENT', /"info\.length" is -1, but a file length cannot be negative/],
    ['zero total length', () => torrent(singleInfo({ length: 0, pieces: hashes(0) })), 'BAD_TORRENT', /add up to 0 bytes/],
    ['files is a dict', () => torrent(multiInfo([], { files: { a: 1 } })), 'BAD_TORRENT', /"info\.files" should be a list but is a dictionary/],
    ['files is empty', () => torrent(multiInfo([])), 'BAD_TORRENT', /"info\.files" is an empty list/],
    ['file entry is a number', () => torrent(multiInfo([], { files: [7] })), 'BAD_TORRENT', /"info\.files\[0\]" should be a dictionary but is a number/],
    ['file missing length', () => torrent(multiInfo([], { files: [{ path: ['a'] }] })), 'BAD_TORRENT', /"info\.files\[0\]\.length" field is missing/],
    ['file negative length', () => torrent(multiInfo([{ path: ['a'], length: 1 }, { path: ['b'], length: -5 }])), 'BAD_TORRENT', /"info\.files\[1\]\.length" is -5/],
    ['file missing path', () => torrent(multiInfo([], { files: [{ length: 1 }] })), 'BAD_TORRENT', /"info\.files\[0\]\.path" field is missing/],
    ['file path is text', () => torrent(multiInfo([], { files: [{ length: 1, path: 'a/b' }] })), 'BAD_TORRENT', /"info\.files\[0\]\.path" should be a list but is text/],
    ['file path part is a number', () => torrent(multiInfo([], { files: [{ length: 1, path: ['a', 3] }] })), 'BAD_TORRENT', /"info\.files\[0\]\.path\[1\]" should be text but is a number/],
    ['path too deep', () => torrent(multiInfo([{ path: Array.from({ length: 101 }, () => 'd'), length: 1 }])), 'TOO_LARGE', /nested 101 folders deep/],
    ['too many files', () => torrent(multiInfo(Array.from({ length: MAX_FILES + 1 }, (_, i) => ({ path: [`f${i}`], length: i === 0 ? 1 : 0 })))), 'TOO_LARGE', /lists 100,001 files; at most 100,000/],
    // issue 13: 100,000 files 100 deep ran the parse worker out of memory; one name over the limit is enough
    ['too many names in paths', () => torrent(multiInfo(Array.from({ length: MAX_PATH_NAMES / 100 + 1 }, (_, i) => ({ path: deepPath(i, 100), length: 1 })))),
      'TOO_LARGE', /file paths hold more than 1,000,000 folder and file names in all/],
    ['total beyond 2^53', () => torrent({ name: 'x', 'piece length': PL, pieces: hashes(1), files: [{ path: ['a'], length: Number.MAX_SAFE_INTEGER }, { path: ['b'], length: 1 }] }), 'TOO_LARGE', /too large/],
    ['file larger than the limit', () => new Uint8Array(MAX_TORRENT_BYTES + 1), 'TOO_LARGE', /is 64\.1 MiB; files over 64\.0 MiB are not accepted/],
  ]

  for (const [label, build, code, message] of cases) {
    // the largest cases build a 100,000-file torrent first: seconds on a busy 2-core machine
    it(`rejects: ${label}`, async () => {
      const err = await torrentError(build())
      expect(err.code).toBe(code)
      expect(err.message).toMatch(message)
    }, 30_000) // some build torrents of a million path names: seconds on a loaded 2-core machine
  }
})

describe('parseTorrent: robustness', () => {
  const sample = torrent(
    multiInfo(
      [
        { path: ['dir', 'a.txt'], length: 20_000 },
        { path: ['..', 'b'], length: 13_000 },
      ],
      { private: 1 },
    ),
    { 'announce-list': [['http://t.example/a']], comment: 'c' },
  )

  it('rejects every truncated prefix with an AppError', async () => {
    for (let n = 0; n < sample.length; n++) {
      const err = await torrentError(sample.subarray(0, n))
      expect(['BAD_BENCODE', 'BAD_TORRENT']).toContain(err.code)
    }
  })

  it('never throws anything but AppError for random mutations', async () => {
    const rand = mulberry32(0xc0ffee)
    let accepted = 0
    for (let round = 0; round < 2000; round++) {
      const bytes = mutate(sample, rand)
      try {
        const meta = await parseTorrent(bytes)
        accepted++
        expect(meta.pieceHashes.length).toBe(meta.pieceCount * 20)
        expectSafePaths(meta)
      } catch (err) {
        if (!(err instanceof AppError)) throw new Error(`round ${round}: non-AppError ${String(err)}`)
      }
    }
    // the mutations must not all be trivially rejected, or the test proves little
    expect(accepted).toBeGreaterThan(0)
  })
})

/** Small seeded PRNG so failures reproduce. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const INTERESTING = [...'0123456789idle:-'].map((c) => c.charCodeAt(0)).concat([0x00, 0xff, 0x2f])

/** Overwrites, inserts or deletes 1–4 bytes, favouring bencode syntax characters. */
function mutate(source: Uint8Array, rand: () => number): Uint8Array {
  const bytes = [...source]
  const edits = 1 + Math.floor(rand() * 4)
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(rand() * bytes.length)
    const value = rand() < 0.5 ? (INTERESTING[Math.floor(rand() * INTERESTING.length)] as number) : Math.floor(rand() * 256)
    const op = rand()
    if (op < 0.6) bytes[at] = value
    else if (op < 0.8) bytes.splice(at, 0, value)
    else bytes.splice(at, 1)
  }
  return new Uint8Array(bytes)
}
