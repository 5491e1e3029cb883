/**
 * The BitTorrent v2 parts of a .torrent (BEP 52): the `file tree` in the info dictionary, each
 * file's `pieces root`, the `piece layers` beside the info dictionary, and, for a hybrid torrent,
 * the check that its v1 file list describes the same files at the same offsets (BEP 52 "Upgrade
 * Path"; libtorrent's files_compatible).
 *
 * Hostile input: the tree is walked without recursion, every file counted against MAX_FILES and
 * every path name against MAX_PATH_NAMES before its path is built, and no path deeper than
 * MAX_PATH_DEPTH; piece layers are checked for size before they are hashed.
 */
import { AppError } from '../../protocol/errors'
import type { BDict, BValue } from './bencode'
import { damaged, isDict, typeName } from './fields'
import { HASH_SIZE, filePieceCount, verifyPieceLayer } from '../file-storage/merkle'
import { MAX_FILES, MAX_PATH_DEPTH, MAX_PATH_NAMES } from './metainfo-limits'

/** A file as the torrent lists it, before its path is sanitised. */
export interface RawFile {
  path: string[]
  length: number
  pad: boolean
  /** BEP 52 pieces root, for a non-empty file of a v2 or hybrid torrent. */
  piecesRoot?: Uint8Array
}

/** Reads `info.file tree` into files in tree order (the order of its sorted keys), without padding. */
export function readFileTree(tree: BValue | undefined): RawFile[] {
  if (tree === undefined) damaged('it says it is a BitTorrent v2 torrent ("meta version" 2) but has no "info.file tree".')
  if (!isDict(tree)) damaged(`"info.file tree" should be a dictionary but is ${typeName(tree)}.`)
  const files: RawFile[] = []
  let names = MAX_PATH_NAMES
  const path: string[] = []
  // one frame per folder being walked: its entries and how far through them we are
  const stack: { entries: [string, BValue][]; next: number }[] = [{ entries: [...tree.entries()], next: 0 }]
  while (stack.length > 0) {
    const frame = stack[stack.length - 1] as { entries: [string, BValue][]; next: number }
    const entry = frame.entries[frame.next++]
    if (!entry) {
      stack.pop()
      path.pop()
      continue
    }
    const [key, value] = entry
    const label = () => `"info.file tree" entry "${shortPath([...path, key])}"`
    if (key === '') damaged(`${stack.length === 1 ? '"info.file tree"' : `the folder "${shortPath(path)}" in "info.file tree"`} is itself marked as a file (an empty key), beside other entries.`)
    if (!isDict(value)) damaged(`${label()} should be a dictionary but is ${typeName(value)}.`)
    const depth = path.length + 1
    if (depth > MAX_PATH_DEPTH) {
      throw new AppError('TOO_LARGE', `This torrent has a file or folder nested more than ${MAX_PATH_DEPTH} folders deep in its v2 file tree; at most ${MAX_PATH_DEPTH} are supported.`)
    }
    const fileEntry = value.get('')
    if (fileEntry === undefined) {
      // a folder; an empty one holds no file and is skipped
      if (value.size > 0) {
        path.push(key)
        stack.push({ entries: [...value.entries()], next: 0 })
      }
      continue
    }
    if (value.size !== 1) damaged(`${label()} describes a file (an empty key) and also has other entries.`)
    if (files.length >= MAX_FILES) {
      throw new AppError('TOO_LARGE', `This torrent lists more than ${MAX_FILES.toLocaleString('en-US')} files; at most ${MAX_FILES.toLocaleString('en-US')} are supported.`)
    }
    names -= depth
    if (names < 0) {
      throw new AppError('TOO_LARGE', `This torrent's file paths hold more than ${MAX_PATH_NAMES.toLocaleString('en-US')} folder and file names in all; at most that many are supported.`)
    }
    files.push(readTreeFile(fileEntry, [...path, key], label))
  }
  if (files.length === 0) damaged('"info.file tree" lists no files.')
  return files
}

function readTreeFile(entry: BValue, path: string[], label: () => string): RawFile {
  if (!isDict(entry)) damaged(`${label()} should describe a file with a dictionary but holds ${typeName(entry)}.`)
  const length = entry.get('length')
  if (typeof length !== 'number') damaged(`${label()} should have a number "length" but it is ${typeName(length)}.`)
  if (length < 0) damaged(`${label()} has a length of ${length}, but a file length cannot be negative.`)
  const attr = entry.get('attr')
  // padding is implicit in v2 (every file starts a piece); libtorrent refuses explicit pad files too
  if (attr instanceof Uint8Array && attr.includes(0x70 /* p */)) damaged(`${label()} is marked as a padding file, which a v2 file tree must not hold.`)
  const file: RawFile = { path, length, pad: false }
  if (length > 0) {
    const root = entry.get('pieces root')
    if (!(root instanceof Uint8Array) || root.length !== HASH_SIZE) {
      damaged(`${label()} should have a 32-byte "pieces root" but it is ${root instanceof Uint8Array ? `${root.length} bytes` : typeName(root)}.`, 'BAD_PIECES')
    }
    if (root.every((b) => b === 0)) damaged(`${label()} has a "pieces root" of zeros.`, 'BAD_PIECES')
    file.piecesRoot = root.slice()
  }
  return file
}

/** A path for a message: long ones cut in the middle, since a hostile one may be megabytes. */
function shortPath(path: string[]): string {
  const joined = path.length > 6 ? [...path.slice(0, 2), '…', ...path.slice(-2)].join('/') : path.join('/')
  const clean = joined.replace(/[\u0000-\u001f\u007f"]/g, '_')
  return clean.length > 120 ? `${clean.slice(0, 60)}…${clean.slice(-40)}` : clean
}

/**
 * The v2 files laid out in the piece address space: a padding file after each non-empty file
 * that does not end on a piece boundary, so that the next starts on one. `tail` pads the last
 * file too, as libtorrent 2.0.8 and later do in hybrid torrents.
 */
export function alignFiles(files: readonly RawFile[], pieceLength: number, tail: boolean): RawFile[] {
  const out: RawFile[] = []
  files.forEach((file, i) => {
    out.push(file)
    const gap = file.length % pieceLength
    if (file.length > 0 && gap !== 0 && (tail || i < files.length - 1)) {
      const size = pieceLength - gap
      out.push({ path: ['.pad', String(size)], length: size, pad: true })
    }
  })
  return out
}

/**
 * For a hybrid torrent: checks that the v1 file list (with its BEP 47 padding files) lays out the
 * same files as the v2 tree, and returns the v1 list with each file's pieces root. As libtorrent
 * does, a v1 list without padding after its last file is accepted (creators before libtorrent
 * 2.0.8 wrote none), and only non-empty, non-padding files are compared: same place in the list,
 * same path, same length, same offset.
 */
export function matchHybridFiles(v1: readonly RawFile[], v2: readonly RawFile[], pieceLength: number): RawFile[] {
  let aligned = alignFiles(v2, pieceLength, true)
  if (aligned.length === v1.length + 1 && aligned[aligned.length - 1]?.pad) aligned = aligned.slice(0, -1)
  const mismatch = (what: string): never => damaged(`its v1 file list and its v2 file tree do not describe the same files: ${what}.`)
  if (aligned.length !== v1.length) mismatch(`the v1 list has ${v1.length} entries where the v2 tree, padded to pieces, has ${aligned.length}`)
  let offset1 = 0
  let offset2 = 0
  const out = v1.map((file1, i) => {
    const file2 = aligned[i] as RawFile
    const relevant1 = !file1.pad && file1.length > 0
    const relevant2 = !file2.pad && file2.length > 0
    if (relevant1 !== relevant2) mismatch(`entry ${i + 1} is a file in one and padding or empty in the other`)
    let matched = file1
    if (relevant1) {
      if (file1.length !== file2.length) mismatch(`“${shortPath(file1.path)}” is ${file1.length} bytes in one and ${file2.length} in the other`)
      if (!samePath(file1.path, file2.path)) mismatch(`entry ${i + 1} is “${shortPath(file1.path)}” in one and “${shortPath(file2.path)}” in the other`)
      if (offset1 !== offset2) mismatch(`“${shortPath(file1.path)}” starts at byte ${offset1} in one and ${offset2} in the other`)
      matched = { ...file1, piecesRoot: file2.piecesRoot as Uint8Array }
    }
    offset1 += file1.length
    offset2 += file2.length
    return matched
  })
  if (offset1 !== offset2) mismatch(`their files add up to ${offset1} and ${offset2} bytes`)
  return out
}

function samePath(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((c, i) => c === b[i])
}

/**
 * Reads `piece layers` (decoded with binary keys, as hex) and checks each layer against its
 * file: a pieces root of a file longer than one piece, one hash per piece of that file, and
 * hashing up to that root. Returns the layer of each such file, by index in `files`; files it does
 * not cover must get theirs from peers (as from a magnet link), which libtorrent allows too.
 */
export function readPieceLayers(layers: BValue | undefined, files: readonly RawFile[], pieceLength: number): Map<number, Uint8Array> {
  const out = new Map<number, Uint8Array>()
  if (layers === undefined) return out
  if (!isDict(layers)) damaged(`"piece layers" should be a dictionary but is ${typeName(layers)}.`, 'BAD_PIECES')
  const byRoot = new Map<string, number[]>()
  files.forEach((file, index) => {
    if (!file.piecesRoot || file.length <= pieceLength) return
    const key = hex(file.piecesRoot)
    const same = byRoot.get(key)
    if (same) same.push(index)
    else byRoot.set(key, [index])
  })
  for (const [key, layer] of layers as BDict) {
    if (key.length !== HASH_SIZE * 2) damaged(`"piece layers" has a key of ${key.length / 2} bytes where a 32-byte pieces root belongs.`, 'BAD_PIECES')
    const indices = byRoot.get(key)
    if (!indices) damaged('"piece layers" has a layer for a pieces root that no file longer than one piece has.', 'BAD_PIECES')
    const file = files[indices[0] as number] as RawFile
    if (!(layer instanceof Uint8Array)) damaged(`the piece layer of “${shortPath(file.path)}” should be text but is ${typeName(layer)}.`, 'BAD_PIECES')
    const pieces = filePieceCount(file.length, pieceLength)
    if (layer.length !== pieces * HASH_SIZE) {
      damaged(`the piece layer of “${shortPath(file.path)}” takes ${layer.length} bytes, but its ${pieces} pieces need ${pieces * HASH_SIZE}.`, 'BAD_PIECES')
    }
    if (!verifyPieceLayer(layer, file.piecesRoot as Uint8Array, pieceLength, file.length)) {
      damaged(`the piece layer of “${shortPath(file.path)}” does not hash to the file's pieces root.`, 'BAD_PIECES')
    }
    const copy = layer.slice()
    for (const index of indices) out.set(index, copy)
  }
  return out
}

export function hex(bytes: Uint8Array): string {
  let out = ''
  for (const b of bytes) out += b.toString(16).padStart(2, '0')
  return out
}
