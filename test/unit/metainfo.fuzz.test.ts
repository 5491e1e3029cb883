// Property-based tests of the .torrent parser (fast-check). metainfo.test.ts already flips bytes
// of one sample; here whole torrents are generated, hostile names and all, and mutated as values
// (a field removed, replaced by any type, a list grown), so that the parser's invariants are
// checked on torrents it accepts, not only its refusals.
import { createHash } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { bdecode, bencode, type BDict, type BValue } from '../../src/core/torrent-parser/bencode'
import { rootFromPieceLayer } from '../../src/core/file-storage/merkle'
import { MAX_COMMENT_LENGTH, MAX_PIECES, MIN_PIECE_LENGTH, parseTorrent, type Metainfo } from '../../src/core/torrent-parser/metainfo'
import { MAX_COMPONENT_BYTES } from '../../src/core/torrent-parser/sanitize'
import { MAX_TRACKERS, trackerUrlProblem } from '../../src/core/torrent-parser/urls'
import { parsesOrRefusesAsync, runs } from '../support/property'

const CODES = ['BAD_BENCODE', 'BAD_TORRENT', 'BAD_PIECES', 'TOO_LARGE'] as const
const enc = new TextEncoder()
const sha1 = (b: Uint8Array): string => createHash('sha1').update(b).digest('hex')
const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex')
// what the sanitiser promises never to leave in a name
const UNSAFE = /[\u0000-\u001f\u007f-\u009f/\\<>:"|?*\u200e\u200f\u202a-\u202e\u2066-\u2069]/
const RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])\s*(\..*)?$/i
const LONE_SURROGATE = /[\ud800-\udfff]/u

/** Path components a hostile creator writes: traversal, separators, reserved and over-long names, controls, bidi, decomposed accents. */
const component: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 12 }),
  // a few names, so that duplicates, case twins, numbered twins and folder/file clashes are common
  fc.constantFrom('a', 'A', 'a (1)', 'A (2)', 'a.txt', 'A.TXT', 'a (1).txt', 'con', '_con', '_', '_ (1)', 'b', 'B', '..',
    'x'.repeat(300), 'x'.repeat(255), `${'x'.repeat(251)} (1)`, `${'x'.repeat(300)}.mkv`, `${'é'.repeat(200)}.mkv`, `${'x'.repeat(247)} (1).mkv`),
  fc.constantFrom('..', '.', '', ' ', '...', '/', '\\', '/etc/passwd', 'C:\\x', 'CON', 'con.txt', 'Nul .mp3', 'COM¹', 'LPT9.', 'a.', 'a ', ' a',
    'evil\u202etxt.exe', 'Cafe\u0301', 'Café', 'CAFÉ', '.pad', '_____padding_file_1', 'a (1)', 'A'),
  fc.string({ unit: fc.constantFrom('.', '/', '\\', ' ', 'a', 'A', ':', '\u0000', 'é', 'e\u0301', '𝄞', '\u202e', 'ß'), maxLength: 10 }),
  fc.tuple(fc.constantFrom('x', 'é', '𝄞', '日'), fc.integer({ min: 60, max: 300 }), fc.constantFrom('', '.mkv', '.' + 'e'.repeat(40)))
    .map(([c, n, ext]) => c.repeat(n) + ext),
)

/** Any bencodable value, for fields given the wrong type. */
const anyValue: fc.Arbitrary<BValue> = fc.letrec<{ v: BValue }>((tie) => ({
  v: fc.oneof({ depthSize: 'small' }, fc.integer({ min: -5, max: 1 << 20 }), fc.uint8Array({ maxLength: 8 }),
    fc.array(tie('v'), { maxLength: 3 }), fc.dictionary(fc.constantFrom('length', 'path', 'x'), tie('v'), { maxKeys: 2 }).map((o) => new Map(Object.entries(o)))),
})).v

const tracker = fc.oneof(
  fc.constantFrom('udp://t.example:80/announce', 'http://t.example/a', 'wss://w.example', 'ftp://x.example', 'javascript:alert(1)', ' http://t.example/a ', 'http://', ''),
  fc.webUrl(),
  fc.string({ maxLength: 20 }),
)

/** null three times in four. */
const rarely = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | null> => fc.oneof({ weight: 3, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: arb })

interface Generated { top: Map<string, BValue>; valid: boolean }

/** A torrent as a value: well formed (valid: true) or with one of its fields broken. */
const torrent: fc.Arbitrary<Generated> = fc.record({
  name: component,
  nameUtf8: rarely(component),
  pieceLength: fc.oneof({ weight: 5, arbitrary: fc.constantFrom(16384, 32768, 65536) }, { weight: 1, arbitrary: fc.integer({ min: -1, max: 1 << 29 }) }),
  single: fc.boolean(),
  files: fc.array(fc.record({
    path: fc.array(component, { maxLength: 4 }),
    pathUtf8: rarely(fc.array(component, { maxLength: 3 })),
    length: fc.oneof(fc.integer({ min: 0, max: 40_000 }), fc.constant(0)),
    attr: rarely(fc.constantFrom('p', 'x', 'hp')),
  }), { minLength: 1, maxLength: 8 }),
  hashDelta: fc.oneof({ weight: 6, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: -2, max: 2 }) }),
  announce: fc.option(tracker),
  announceList: fc.option(fc.array(fc.oneof(fc.array(tracker, { maxLength: 3 }), tracker), { maxLength: 4 })),
  urlList: fc.option(fc.oneof(tracker, fc.array(tracker, { maxLength: 3 }))),
  comment: fc.option(fc.oneof(fc.string({ unit: 'binary', maxLength: 20 }),
    fc.tuple(fc.integer({ min: MAX_COMMENT_LENGTH - 3, max: MAX_COMMENT_LENGTH + 3 }), fc.constantFrom('a', '𝄞', 'é')).map(([n, c]) => 'a'.repeat(n) + c.repeat(4)))),
  private: fc.option(fc.constantFrom(0, 1, 2)),
  // one field replaced by a value of any type, or removed
  broken: rarely(fc.tuple(fc.constantFrom('name', 'piece length', 'pieces', 'length', 'files', 'files[0]', 'files[0].path', 'files[0].length', 'info'), fc.option(anyValue))),
}).map((g): Generated => {
  const total = g.single ? g.files[0]!.length : g.files.reduce((n, f) => n + f.length, 0)
  const pieceCount = Math.max(0, Math.ceil(total / Math.max(g.pieceLength, 1)) + g.hashDelta)
  const pieces = new Uint8Array(Math.min(pieceCount, 1000) * 20).map((_, i) => (i * 31 + 7) & 0xff)
  const info = new Map<string, BValue>([['name', enc.encode(g.name)], ['piece length', g.pieceLength], ['pieces', pieces]])
  if (g.nameUtf8 !== null) info.set('name.utf-8', enc.encode(g.nameUtf8))
  if (g.private !== null) info.set('private', g.private)
  if (g.single) info.set('length', g.files[0]!.length)
  else {
    info.set('files', g.files.map((f) => {
      const file = new Map<string, BValue>([['length', f.length], ['path', f.path.map((c) => enc.encode(c))]])
      if (f.pathUtf8 !== null) file.set('path.utf-8', f.pathUtf8.map((c) => enc.encode(c)))
      if (f.attr !== null) file.set('attr', enc.encode(f.attr))
      return file
    }))
  }
  const top = new Map<string, BValue>([['info', info]])
  if (g.announce !== null) top.set('announce', enc.encode(g.announce))
  if (g.announceList !== null) top.set('announce-list', g.announceList.map((t) => (Array.isArray(t) ? t.map((u) => enc.encode(u)) : enc.encode(t))))
  if (g.urlList !== null) top.set('url-list', Array.isArray(g.urlList) ? g.urlList.map((u) => enc.encode(u)) : enc.encode(g.urlList))
  if (g.comment !== null) top.set('comment', enc.encode(g.comment))
  let valid = total > 0 && g.hashDelta === 0 && g.pieceLength >= MIN_PIECE_LENGTH && g.pieceLength <= 256 * 1024 * 1024
  if (g.broken) {
    const [field, value] = g.broken
    const files = info.get('files')
    const target: [BDict, string] | null = field === 'info' ? [top, 'info']
      : field.startsWith('files[0]') ? (Array.isArray(files) && files[0] instanceof Map ? (field === 'files[0]' ? null : [files[0], field.slice(9)]) : null)
      : [info, field]
    if (field === 'files[0]' && Array.isArray(files)) {
      if (value === null) files.shift()
      else files[0] = value
      valid = false
    } else if (target) {
      if (value === null) target[0].delete(target[1])
      else target[0].set(target[1], value)
      valid = false
    }
  }
  return { top, valid }
})

function expectSafeName(c: string): void {
  expect(c).not.toBe('')
  expect(c).not.toBe('.')
  expect(c).not.toBe('..')
  expect(c).not.toMatch(UNSAFE)
  expect(c).not.toMatch(RESERVED)
  expect(c).not.toMatch(/[. ]$/)
  expect(c).not.toMatch(/^ /)
  expect(c).not.toMatch(LONE_SURROGATE)
  expect(enc.encode(c).length).toBeLessThanOrEqual(MAX_COMPONENT_BYTES)
}

/** What every accepted torrent must satisfy, whatever it was made of. */
function expectInvariants(meta: Metainfo, bytes: Uint8Array): void {
  expect(meta.infoHash).toMatch(/^[0-9a-f]{40}$/)
  expect(meta.version === 'v2' ? sha256(meta.infoBytes).slice(0, 40) : sha1(meta.infoBytes)).toBe(meta.infoHash)
  expect(meta.infoHashV2).toBe(meta.version === 'v1' ? undefined : sha256(meta.infoBytes))
  expect(bencode(bdecode(meta.infoBytes))).toEqual(bencode((bdecode(bytes) as BDict).get('info')!))
  expect(meta.pieceLength).toBeGreaterThanOrEqual(MIN_PIECE_LENGTH)
  expect(meta.pieceCount).toBe(Math.ceil(meta.length / meta.pieceLength))
  expect(meta.pieceCount).toBeLessThanOrEqual(MAX_PIECES)
  expect(meta.pieceHashes.length).toBe(meta.version === 'v2' ? 0 : meta.pieceCount * 20)
  if (meta.version !== 'v1') {
    // BEP 52: every file with data starts a piece, has a root, and its layer (if any) fits it
    for (const f of meta.files) {
      if (f.pad || f.length === 0) continue
      expect(f.offset % meta.pieceLength).toBe(0)
      expect(f.piecesRoot).toHaveLength(32)
      if (f.pieceLayer) {
        expect(f.pieceLayer.length).toBe(Math.ceil(f.length / meta.pieceLength) * 32)
        expect(rootFromPieceLayer(f.pieceLayer, meta.pieceLength, f.length)).toEqual(f.piecesRoot)
      }
    }
  }
  expect(meta.lastPieceLength).toBeGreaterThan(0)
  expect(meta.lastPieceLength).toBeLessThanOrEqual(meta.pieceLength)
  expect((meta.pieceCount - 1) * meta.pieceLength + meta.lastPieceLength).toBe(meta.length)
  // files: indexed in order, each at the sum of the lengths before it, adding up to the torrent
  let offset = 0
  meta.files.forEach((f, i) => {
    expect(f.index).toBe(i)
    expect(f.offset).toBe(offset)
    expect(f.length).toBeGreaterThanOrEqual(0)
    offset += f.length
    expect(f.path.length).toBeGreaterThan(0)
    expect(f.name).toBe(f.path.join('/'))
    f.path.forEach(expectSafeName)
  })
  expect(offset).toBe(meta.length)
  expectSafeName(meta.name)
  // distinct on a case-insensitive disk, and no file where another file's folder is
  const files = new Set(meta.files.map((f) => f.name.toLowerCase()))
  expect(files.size).toBe(meta.files.length)
  for (const f of meta.files) {
    for (let n = 1; n < f.path.length; n++) expect(files.has(f.path.slice(0, n).join('/').toLowerCase())).toBe(false)
  }
  expect(meta.announce.length).toBeLessThanOrEqual(MAX_TRACKERS)
  expect(new Set(meta.announce).size).toBe(meta.announce.length)
  for (const url of meta.announce) expect(trackerUrlProblem(url)).toBeNull()
  for (const url of meta.urlList) expect(new URL(url).protocol).toMatch(/^https?:$/)
  if (meta.comment !== undefined) {
    expect(meta.comment.length).toBeLessThanOrEqual(MAX_COMMENT_LENGTH)
    expect(meta.comment).not.toMatch(LONE_SURROGATE)
  }
}

describe('metainfo properties', () => {
  it('a generated torrent is accepted when well formed, and whatever is accepted keeps every invariant; the rest is an AppError', async () => {
    let accepted = 0
    let wellFormed = 0
    await fc.assert(fc.asyncProperty(torrent, async ({ top, valid }) => {
      const bytes = bencode(top)
      const meta = await parsesOrRefusesAsync(() => parseTorrent(bytes), CODES)
      if (valid) {
        wellFormed++
        expect(meta, 'a well-formed torrent was refused').toBeDefined()
      }
      if (meta) {
        accepted++
        expectInvariants(meta, bytes)
      }
    }), runs(300))
    expect(accepted).toBeGreaterThan(100)
    expect(wellFormed, 'well-formed torrents generated').toBeGreaterThan(100)
  })

  it('value-level mutations of a valid torrent (a field dropped, retyped, a list entry duplicated) parse with invariants or give an AppError', async () => {
    const path = fc.array(fc.nat(), { minLength: 1, maxLength: 5 })
    const op = fc.oneof(
      fc.record({ kind: fc.constant('delete' as const), path }),
      fc.record({ kind: fc.constant('set' as const), path, value: anyValue }),
      fc.record({ kind: fc.constant('dup' as const), path }),
    )
    await fc.assert(fc.asyncProperty(torrent.filter((t) => t.valid), fc.array(op, { minLength: 1, maxLength: 3 }), async (generated, ops) => {
      const top = bdecode(bencode(generated.top)) // a copy: fast-check shrinks from the generated value
      for (const o of ops) mutateAt(top, o.path, o.kind, 'value' in o ? o.value : undefined)
      const bytes = bencode(top)
      const meta = await parsesOrRefusesAsync(() => parseTorrent(bytes), CODES)
      if (meta) expectInvariants(meta, bytes)
    }), runs(200))
  })
})


// ---- BitTorrent v2 and hybrid torrents (BEP 52) ----

const utf8Text = (c: string) => new TextDecoder().decode(enc.encode(c)) // what the key reads back as
const compareKeys = (a: string, b: string) => Buffer.compare(Buffer.from(enc.encode(a)), Buffer.from(enc.encode(b)))

interface GeneratedV2 { bytes: Uint8Array; valid: boolean }

/**
 * A v2 or hybrid torrent as a value: a file tree of hostile names (a path that runs into a file
 * already there is dropped), pieces roots that agree with the piece layers given (layers are made
 * up, roots computed from them), and for a hybrid the v1 list in tree order with BEP 47 padding.
 */
const v2torrent: fc.Arbitrary<GeneratedV2> = fc.record({
  hybrid: fc.boolean(),
  single: fc.boolean(),
  name: component,
  pieceLength: fc.oneof({ weight: 5, arbitrary: fc.constantFrom(16384, 32768, 65536) }, { weight: 1, arbitrary: fc.constantFrom(16385, 49152, 8192) }),
  files: fc.array(fc.record({
    path: fc.array(component.map((c) => utf8Text(c) || 'e'), { minLength: 1, maxLength: 4 }),
    length: fc.oneof(fc.integer({ min: 0, max: 200_000 }), fc.constant(0), fc.constantFrom(16384, 32768, 65536, 65537)),
    withLayer: fc.boolean(),
    seed: fc.nat(255),
  }), { minLength: 1, maxLength: 7 }),
  tailPad: fc.boolean(),
  broken: rarely(fc.constantFrom('root', 'layer', 'v1 path', 'v1 length', 'unsorted')),
}).map((g): GeneratedV2 => {
  // the tree, and its files in tree order (keys sorted by bytes, as bencode writes them)
  type Node = Map<string, Node | FileEntry>
  interface FileEntry { file: true; length: number; root: Uint8Array; layer?: Uint8Array }
  const tree: Node = new Map()
  const files = g.single ? g.files.slice(0, 1).map((f) => ({ ...f, path: [utf8Text(g.name) || 'e'] })) : g.files
  for (const f of files) {
    let node = tree
    let ok = true
    for (const part of f.path.slice(0, -1)) {
      const next = node.get(part)
      if (next && !(next instanceof Map)) { ok = false; break }
      if (!next) node.set(part, new Map())
      node = node.get(part) as Node
    }
    const leaf = f.path[f.path.length - 1]!
    if (!ok || node.get(leaf) instanceof Map) continue
    const pieces = Math.ceil(f.length / g.pieceLength)
    const entry: FileEntry = { file: true, length: f.length, root: new Uint8Array(32).fill(f.seed + 1) }
    if (f.length > g.pieceLength && g.pieceLength >= MIN_PIECE_LENGTH && (g.pieceLength & (g.pieceLength - 1)) === 0) {
      const layer = new Uint8Array(pieces * 32).map((_, i) => (i * 13 + f.seed) & 0xff)
      entry.root = rootFromPieceLayer(layer, g.pieceLength, f.length)
      if (f.withLayer) entry.layer = layer
    }
    node.set(leaf, entry)
  }
  const ordered: { path: string[]; entry: FileEntry }[] = []
  const walk = (node: Node, path: string[]) => {
    for (const key of [...node.keys()].sort(compareKeys)) {
      const child = node.get(key)!
      if (child instanceof Map) walk(child, [...path, key])
      else ordered.push({ path: [...path, key], entry: child })
    }
  }
  walk(tree, [])
  const toValue = (node: Node): Map<string, BValue> => new Map([...node].map(([k, v]) => [k, v instanceof Map ? toValue(v)
    : new Map<string, BValue>([['', new Map<string, BValue>(v.length > 0 ? [['length', v.length], ['pieces root', v.root]] : [['length', v.length]])]])]))
  const info = new Map<string, BValue>([['name', enc.encode(g.name)], ['piece length', g.pieceLength], ['meta version', 2], ['file tree', toValue(tree)]])
  const total = ordered.reduce((n, f) => n + f.entry.length, 0)
  let valid = ordered.length > 0 && total > 0 && (g.pieceLength & (g.pieceLength - 1)) === 0 && g.pieceLength >= MIN_PIECE_LENGTH
  const singleFile = g.single && ordered.length === 1
  if (g.hybrid) {
    const v1: Map<string, BValue>[] = []
    let length = 0
    ordered.forEach(({ path, entry }, i) => {
      v1.push(new Map<string, BValue>([['length', entry.length], ['path', path.map((c) => enc.encode(c))]]))
      length += entry.length
      const gap = entry.length % g.pieceLength
      if (entry.length > 0 && gap !== 0 && !singleFile && (g.tailPad || i < ordered.length - 1)) {
        v1.push(new Map<string, BValue>([['attr', enc.encode('p')], ['length', g.pieceLength - gap], ['path', [enc.encode('.pad'), enc.encode(String(g.pieceLength - gap))]]]))
        length += g.pieceLength - gap
      }
    })
    if (singleFile) info.set('length', ordered[0]!.entry.length)
    else info.set('files', v1)
    info.set('pieces', new Uint8Array(Math.min(1000, Math.ceil(length / Math.max(1, g.pieceLength))) * 20).fill(3))
    if (Math.ceil(length / g.pieceLength) > 1000) valid = false
    // a single-file hybrid names its file after the torrent
    if (singleFile && ordered[0]!.path[0] !== new TextDecoder().decode(enc.encode(g.name))) valid = false
    // v1 reads files named as old creators named padding (".pad/…", "_____padding_file_…") as padding,
    // which the v2 tree then contradicts: refused, as libtorrent refuses it
    if (!singleFile && ordered.some(({ path, entry }) => entry.length > 0 && (path[0] === '.pad' || path[path.length - 1]!.startsWith('_____padding_file_')))) valid = false
  }
  const layers = ordered.filter((f) => f.entry.layer)
  if (g.broken === 'root' && ordered[0]) {
    const first = ordered[0].entry
    if (first.length > 0) { first.root = new Uint8Array(31); valid = false }
    info.set('file tree', toValue(tree))
  }
  if (g.broken === 'layer' && layers[0]) {
    layers[0].entry.layer = layers[0].entry.layer!.map((b, i) => (i === 0 ? b ^ 1 : b))
    valid = false
  }
  if (g.broken === 'v1 path' && g.hybrid && !singleFile && ordered.length > 0) {
    const v1 = info.get('files') as Map<string, BValue>[]
    v1[0]!.set('path', [enc.encode('not in the tree')])
    if (ordered[0]!.entry.length > 0 && ordered[0]!.path.join('/') !== 'not in the tree') valid = false
  }
  if (g.broken === 'v1 length' && g.hybrid && !singleFile) {
    const v1 = info.get('files') as Map<string, BValue>[]
    const first = v1.findIndex((f) => f.get('length') !== 0 && !f.has('attr'))
    if (first >= 0) { v1[first]!.set('length', (v1[first]!.get('length') as number) + 1); valid = false }
  }
  const top = new Map<string, BValue>([['info', info]])
  let bytes = bencode(top)
  if (layers.length > 0) {
    // piece layers have binary keys: written by hand, sorted by those bytes
    const sorted = [...new Map(layers.map((f) => [Buffer.from(f.entry.root).toString('latin1'), f.entry.layer!]))].sort((a, b) => compareKeys(a[0], b[0]))
    const dict = Buffer.concat([Buffer.from('d'), ...sorted.flatMap(([k, v]) => [Buffer.from('32:'), Buffer.from(k, 'latin1'), Buffer.from(`${v.length}:`), v]), Buffer.from('e')])
    bytes = new Uint8Array(Buffer.concat([Buffer.from(bytes.subarray(0, -1)), Buffer.from('12:piece layers'), dict, Buffer.from('e')]))
  }
  if (g.broken === 'unsorted' && ordered.length >= 2) {
    // the info dictionary's keys out of order: "name" moved before "meta version"
    const text = Buffer.from(bytes).toString('latin1')
    const name = `4:name${enc.encode(g.name).length}:`
    if (text.includes('12:meta versioni2e') && text.includes(name)) {
      const at = text.indexOf(name)
      const nameEntry = text.slice(at, at + name.length + enc.encode(g.name).length)
      const moved = text.replace(nameEntry, '').replace('12:meta versioni2e', `${nameEntry}12:meta versioni2e`)
      bytes = new Uint8Array(Buffer.from(moved, 'latin1'))
      valid = false
    }
  }
  return { bytes, valid }
})

describe('metainfo properties: BitTorrent v2', () => {
  it('a generated v2 or hybrid torrent is accepted when well formed, and whatever is accepted keeps every invariant', async () => {
    let accepted = 0
    let wellFormed = 0
    await fc.assert(fc.asyncProperty(v2torrent, async ({ bytes, valid }) => {
      const meta = await parsesOrRefusesAsync(() => parseTorrent(bytes), CODES)
      if (valid) {
        wellFormed++
        expect(meta, 'a well-formed v2 torrent was refused').toBeDefined()
      }
      if (meta) {
        accepted++
        expect(meta.version).not.toBe('v1')
        expectInvariants(meta, bytes)
      }
    }), runs(300))
    expect(accepted).toBeGreaterThan(100)
    expect(wellFormed, 'well-formed v2 torrents generated').toBeGreaterThan(100)
  })

  it('value-level mutations of a v2 torrent parse with invariants or give an AppError', async () => {
    const path = fc.array(fc.nat(), { minLength: 1, maxLength: 7 })
    const op = fc.oneof(
      fc.record({ kind: fc.constant('delete' as const), path }),
      fc.record({ kind: fc.constant('set' as const), path, value: anyValue }),
      fc.record({ kind: fc.constant('dup' as const), path }),
    )
    await fc.assert(fc.asyncProperty(v2torrent.filter((t) => t.valid), fc.array(op, { minLength: 1, maxLength: 3 }), async (generated, ops) => {
      const top = bdecode(generated.bytes)
      for (const o of ops) mutateAt(top, o.path, o.kind, 'value' in o ? o.value : undefined)
      const bytes = bencode(top)
      const meta = await parsesOrRefusesAsync(() => parseTorrent(bytes), CODES)
      if (meta) expectInvariants(meta, bytes)
    }), runs(200))
  })
})

describe('metainfo regressions', () => {
  it('regression: metainfo cut a long comment in the middle of a character beyond U+FFFF, leaving half a surrogate pair (found by fast-check)', async () => {
    const info = { name: 'x', 'piece length': 16384, length: 1, pieces: new Uint8Array(20) }
    const comment = 'a'.repeat(MAX_COMMENT_LENGTH - 1) + '𝄞𝄞'
    const createdBy = 'b'.repeat(199) + '𝄞'
    const meta = await parseTorrent(bencode({ info, comment, 'created by': createdBy }))
    expect(meta.comment).toBe('a'.repeat(MAX_COMMENT_LENGTH - 1))
    expect(meta.createdBy).toBe('b'.repeat(199))
    expect(encodeURIComponent(meta.comment!)).toBe('a'.repeat(MAX_COMMENT_LENGTH - 1)) // threw URIError on half a pair
  })
})

/** Walks `path` (indexes taken modulo each container's size) and deletes, replaces or duplicates what it ends on. */
function mutateAt(root: BValue, path: number[], kind: 'delete' | 'set' | 'dup', value: BValue | undefined): void {
  let node = root
  for (let depth = 0; depth < path.length; depth++) {
    const isLast = depth === path.length - 1
    if (node instanceof Map) {
      const keys = [...node.keys()]
      if (keys.length === 0) return
      const key = keys[path[depth]! % keys.length]!
      const child = node.get(key)!
      if (isLast || !(child instanceof Map || Array.isArray(child))) {
        if (kind === 'delete') node.delete(key)
        else if (kind === 'set') node.set(key, value!)
        return
      }
      node = child
    } else if (Array.isArray(node)) {
      if (node.length === 0) return
      const i = path[depth]! % node.length
      const child = node[i]!
      if (isLast || !(child instanceof Map || Array.isArray(child))) {
        if (kind === 'delete') node.splice(i, 1)
        else if (kind === 'set') node[i] = value!
        else node.splice(i, 0, child)
        return
      }
      node = child
    } else return
  }
}
