/**
 * Parses and validates .torrent files: BEP 3 (v1, with BEP 12 announce-list, 19 url-list, 47 pad
 * files) and BEP 52 (v2, and hybrid torrents that are both); the v2 parts are in metainfo-v2.ts.
 */
import { AppError } from '../../protocol/errors'
import type { Metainfo, MetaVersion, TorrentFile } from '../../protocol/metainfo'
import { bdecode, bdecodeWithInfoSpan, type BDict, type BValue } from './bencode'
import { damaged, isDict, optionalText, requireBytes, requireDict, requireInt, requireText, text, typeName } from './fields'
import {
  MAX_COMMENT_LENGTH, MAX_FILES, MAX_PATH_DEPTH, MAX_PATH_NAMES, MAX_PIECE_LENGTH, MAX_PIECES, MAX_TORRENT_BYTES, MAX_TORRENT_NESTING, MIN_PIECE_LENGTH,
} from './metainfo-limits'
import { alignFiles, hex, matchHybridFiles, readFileTree, readPieceLayers, type RawFile } from './metainfo-v2'
import { sanitizeFilePaths, sanitizePathComponent } from './sanitize'
import { MAX_TRACKERS, trackerUrls, webSeedUrls } from './urls'

export {
  MAX_COMMENT_LENGTH, MAX_FILES, MAX_PATH_DEPTH, MAX_PATH_NAMES, MAX_PIECE_LENGTH, MAX_PIECES, MAX_TORRENT_BYTES, MIN_PIECE_LENGTH,
} from './metainfo-limits'

// The parsed torrent's types live in protocol/ (the parse worker sends them to the page).
export type { Metainfo, MetaVersion, TorrentFile } from '../../protocol/metainfo'

const HASH_BYTES = 20

/** Parses a .torrent file. Throws AppError with BAD_BENCODE, BAD_TORRENT, BAD_PIECES or TOO_LARGE. */
export async function parseTorrent(bytes: Uint8Array): Promise<Metainfo> {
  if (bytes.length > MAX_TORRENT_BYTES) {
    throw new AppError('TOO_LARGE', `This .torrent file is ${mib(bytes.length)}; files over ${mib(MAX_TORRENT_BYTES)} are not accepted.`)
  }
  if (bytes.length === 0) throw new AppError('BAD_TORRENT', 'This .torrent file is empty.')
  const decoded = bdecodeWithInfoSpan(bytes, { maxDepth: MAX_TORRENT_NESTING })
  const { value, infoSpan } = decoded
  if (!isDict(value)) {
    throw new AppError('BAD_TORRENT', `This is not a .torrent file: it should hold a dictionary but holds ${typeName(value)}.`)
  }
  const info = requireDict(value, 'info')
  if (!infoSpan) damaged('the "info" section is missing.') // unreachable once info is a dict
  const infoBytes = bytes.slice(infoSpan[0], infoSpan[1])
  const version = metaVersion(info)

  const rawName = requireText(info, 'name', 'info.name')
  const pieceLength = requireInt(info, 'piece length', 'info.piece length')
  if (!Number.isSafeInteger(pieceLength) || pieceLength < MIN_PIECE_LENGTH || pieceLength > MAX_PIECE_LENGTH) {
    damaged(`its piece length is ${pieceLength} bytes, but it must be between 16 KiB (16384) and 256 MiB.`, 'BAD_PIECES')
  }
  if (version !== 'v1') {
    if ((pieceLength & (pieceLength - 1)) !== 0) damaged(`its piece length is ${pieceLength} bytes, but a BitTorrent v2 piece length must be a power of two.`, 'BAD_PIECES')
    // a v2 torrent's file order is its keys' order, and its info-hash is of the sorted form
    const unsorted = decoded.unsortedKeyAt
    if (unsorted !== undefined && unsorted >= infoSpan[0] && unsorted < infoSpan[1]) {
      damaged(`the keys of its "info" section are out of order (at byte ${unsorted}), which BitTorrent v2 does not allow.`)
    }
  }

  let pieces: Uint8Array = new Uint8Array(0)
  let raw: RawFile[] = []
  let single = !info.has('files')
  if (version !== 'v2') {
    pieces = requireBytes(info, 'pieces', 'info.pieces')
    if (pieces.length % HASH_BYTES !== 0) {
      damaged(`its piece hashes take ${pieces.length} bytes, which is not a whole number of 20-byte hashes.`, 'BAD_PIECES')
    }
    raw = readFiles(info, rawName)
  }
  if (version !== 'v1') {
    const tree = readFileTree(info.get('file tree'))
    if (version === 'hybrid') raw = matchHybridFiles(raw, tree, pieceLength)
    else {
      single = tree.length === 1 && (tree[0] as RawFile).path.length === 1
      // padding after the last file too, as libtorrent lays a v2 torrent out: every piece is whole,
      // so a peer that asks for the last piece's tail (libtorrent does) gets zeros, not a refusal
      raw = alignFiles(tree, pieceLength, true)
    }
  }

  let length = 0
  for (const f of raw) {
    length += f.length
    if (length > Number.MAX_SAFE_INTEGER) throw new AppError('TOO_LARGE', 'This torrent is too large: its files add up to more than 8 PiB.')
  }
  if (length === 0) damaged('its files add up to 0 bytes, so there is nothing to download.')

  const pieceCount = Math.ceil(length / pieceLength)
  // a v1 torrent's hashes bound its pieces; a v2 torrent's sizes alone say how many there are
  if (version === 'v2' && pieceCount > MAX_PIECES) {
    throw new AppError('TOO_LARGE', `This torrent has ${pieceCount.toLocaleString('en-US')} pieces; at most ${MAX_PIECES.toLocaleString('en-US')} are supported.`)
  }
  if (version !== 'v2') {
    const hashCount = pieces.length / HASH_BYTES
    if (hashCount !== pieceCount) {
      damaged(`piece hashes cover ${hashCount} pieces but the files need ${pieceCount}.`, 'BAD_PIECES')
    }
  }

  // piece layers lie outside the info dictionary: they are checked against its pieces roots
  const layers = version !== 'v1' && decoded.pieceLayersSpan
    ? readPieceLayers(bdecode(bytes.subarray(...decoded.pieceLayersSpan), { binaryKeys: true, maxDepth: 4 }), raw, pieceLength)
    : new Map<number, Uint8Array>()

  const infoHashV2 = version !== 'v1' ? await digestHex('SHA-256', infoBytes) : undefined
  const infoHash = version !== 'v2' ? await digestHex('SHA-1', infoBytes) : (infoHashV2 as string).slice(0, 2 * HASH_BYTES)
  // an all-blank name would sanitise to "_"; the info-hash is a more useful folder name
  const name = rawName.trim() === '' ? infoHash : sanitizePathComponent(rawName)
  const paths = single && version !== 'v2' ? [[name]] : sanitizeFilePaths(raw.map((f) => f.path))

  let offset = 0
  const files = raw.map((f, index): TorrentFile => {
    const path = paths[index] as string[]
    const file: TorrentFile = { index, path, name: path.join('/'), length: f.length, offset, pad: f.pad }
    if (f.piecesRoot) file.piecesRoot = f.piecesRoot
    const layer = layers.get(index)
    if (layer) file.pieceLayer = layer
    offset += f.length
    return file
  })

  const meta: Metainfo = {
    version,
    infoHash,
    name,
    pieceLength,
    pieceCount,
    lastPieceLength: length - (pieceCount - 1) * pieceLength,
    length,
    files,
    pieceHashes: pieces.slice(),
    announce: trackerUrls(announceUrls(value), MAX_TRACKERS),
    urlList: webSeedUrls(listOfText(value.get('url-list')), MAX_TRACKERS),
    private: info.get('private') === 1,
    infoBytes,
  }
  if (infoHashV2 !== undefined) meta.infoHashV2 = infoHashV2
  const comment = optionalText(value, 'comment')
  if (comment !== undefined) meta.comment = clip(comment, MAX_COMMENT_LENGTH)
  const createdBy = optionalText(value, 'created by')
  if (createdBy !== undefined) meta.createdBy = clip(createdBy, 200)
  return meta
}

/**
 * Each file's path as the torrent spells it, not sanitised: the torrent's name, then (multi-file)
 * the file's own path. Web seeds (BEP 19) serve files under these names. `infoBytes` is a
 * Metainfo's, which parseTorrent has validated.
 */
export function rawFilePaths(infoBytes: Uint8Array): string[][] {
  const info = bdecode(infoBytes)
  if (!isDict(info)) damaged('the "info" section is not a dictionary.')
  const rawName = requireText(info, 'name', 'info.name')
  if (!info.has('files')) return [[rawName]]
  return readFiles(info, rawName).map((f) => [rawName, ...f.path])
}

/**
 * BEP 52: "meta version" is read before anything else. 2 with a file tree is v2, and also v1 (a
 * hybrid) when v1's fields are there too; none (or below 2, as libtorrent reads it) is v1.
 */
function metaVersion(info: BDict): MetaVersion {
  const v = info.get('meta version')
  const hasTree = info.has('file tree')
  if (v !== undefined && typeof v !== 'number') damaged(`"info.meta version" should be a number but is ${typeName(v)}.`)
  if (v !== undefined && v > 2) {
    throw new AppError('BAD_TORRENT', `This torrent is made for a newer BitTorrent (meta version ${v}) than this app knows (versions 1 and 2).`)
  }
  if (v !== 2) {
    if (hasTree) damaged('it has a BitTorrent v2 "file tree" but not "meta version" 2.')
    return 'v1'
  }
  return info.has('pieces') || info.has('files') || info.has('length') ? 'hybrid' : 'v2'
}

/** Reads `length` (single file) or `files` (multi-file); exactly one must be present. */
function readFiles(info: BDict, rawName: string): RawFile[] {
  const hasLength = info.has('length')
  const hasFiles = info.has('files')
  if (hasLength && hasFiles) damaged('it has both "info.length" and "info.files"; it must have exactly one.')
  if (!hasLength && !hasFiles) damaged('it has neither "info.length" nor "info.files", so it lists no files.')
  if (hasLength) return [{ path: [rawName], length: fileLength(info, 'info.length'), pad: false }]

  const list = info.get('files')
  if (!Array.isArray(list)) damaged(`"info.files" should be a list but is ${typeName(list)}.`)
  if (list.length === 0) damaged('"info.files" is an empty list, so it lists no files.')
  if (list.length > MAX_FILES) {
    throw new AppError('TOO_LARGE', `This torrent lists ${list.length.toLocaleString('en-US')} files; at most ${MAX_FILES.toLocaleString('en-US')} are supported.`)
  }
  const budget = { names: MAX_PATH_NAMES }
  return list.map((entry, i) => readFile(entry, `info.files[${i}]`, budget))
}

/** `budget.names` is what is left of MAX_PATH_NAMES: checked before a path's names are decoded. */
function readFile(entry: BValue, label: string, budget: { names: number }): RawFile {
  if (!isDict(entry)) damaged(`"${label}" should be a dictionary but is ${typeName(entry)}.`)
  const length = fileLength(entry, `${label}.length`)
  const utf8Path = entry.get('path.utf-8')
  const rawPath = Array.isArray(utf8Path) ? utf8Path : entry.get('path')
  const pathLabel = Array.isArray(utf8Path) ? `${label}.path.utf-8` : `${label}.path`
  if (rawPath === undefined) damaged(`the "${pathLabel}" field is missing.`)
  if (!Array.isArray(rawPath)) damaged(`"${pathLabel}" should be a list but is ${typeName(rawPath)}.`)
  if (rawPath.length > MAX_PATH_DEPTH) {
    throw new AppError('TOO_LARGE', `This torrent has a file nested ${rawPath.length} folders deep ("${pathLabel}"); at most ${MAX_PATH_DEPTH} are supported.`)
  }
  budget.names -= rawPath.length
  if (budget.names < 0) {
    throw new AppError('TOO_LARGE', `This torrent's file paths hold more than ${MAX_PATH_NAMES.toLocaleString('en-US')} folder and file names in all; at most that many are supported.`)
  }
  const path = rawPath.map((part, j) => {
    if (!(part instanceof Uint8Array)) damaged(`"${pathLabel}[${j}]" should be text but is ${typeName(part)}.`)
    return text(part)
  })
  return { path, length, pad: isPadFile(entry, path) }
}

function fileLength(d: BDict, label: string): number {
  const key = label.slice(label.lastIndexOf('.') + 1)
  const n = requireInt(d, key, label)
  if (n < 0) damaged(`"${label}" is ${n}, but a file length cannot be negative.`)
  return n
}

/** BEP 47 marks padding with attr "p"; older creators named them ".pad/N" or "_____padding_file_N". */
function isPadFile(entry: BDict, path: string[]): boolean {
  const attr = entry.get('attr')
  if (attr instanceof Uint8Array && text(attr).includes('p')) return true
  const last = path[path.length - 1] ?? ''
  return path[0] === '.pad' || last.startsWith('_____padding_file_')
}

/** BEP 12 tiers first (they supersede `announce` for clients that know them), then `announce`. */
function announceUrls(top: BDict): string[] {
  const out: string[] = []
  const tiers = top.get('announce-list')
  if (Array.isArray(tiers)) {
    // some creators write a flat list of URLs instead of a list of tiers; accept both
    for (const tier of tiers) out.push(...listOfText(tier))
  }
  const announce = top.get('announce')
  if (announce instanceof Uint8Array) out.push(text(announce))
  return out
}

/** A text value or a list of text values; anything else (optional field) is ignored. */
function listOfText(v: BValue | undefined): string[] {
  if (v instanceof Uint8Array) return [text(v)]
  if (!Array.isArray(v)) return []
  const out: string[] = []
  for (const item of v) if (item instanceof Uint8Array) out.push(text(item))
  return out
}

async function digestHex(algorithm: 'SHA-1' | 'SHA-256', bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  return hex(new Uint8Array(await globalThis.crypto.subtle.digest(algorithm, bytes)))
}

/** The first `max` UTF-16 units of `s`, one fewer rather than half of a character beyond U+FFFF. */
function clip(s: string, max: number): string {
  if (s.length <= max) return s
  const last = s.charCodeAt(max - 1)
  return s.slice(0, last >= 0xd800 && last <= 0xdbff ? max - 1 : max)
}

function mib(n: number): string {
  // round up so a file just over the limit never reads as equal to it
  return `${(Math.ceil((n / (1024 * 1024)) * 10) / 10).toFixed(1)} MiB`
}
