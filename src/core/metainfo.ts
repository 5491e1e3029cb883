/** Parses and validates .torrent files (BEP 3, with BEP 12 announce-list, 19 url-list, 47 pad files). */
import { AppError } from '../protocol/errors'
import { bdecode, bdecodeWithInfoSpan, type BDict, type BValue } from './bencode'
import { damaged, isDict, optionalText, requireBytes, requireDict, requireInt, requireText, text, typeName } from './fields'
import { sanitizeFilePaths, sanitizePathComponent } from './sanitize'
import { MAX_TRACKERS, trackerUrls, webSeedUrls } from './urls'

export interface TorrentFile {
  index: number
  path: string[] // sanitised components, relative to the torrent root
  name: string // path.join('/')
  length: number
  offset: number // byte offset of the file within the torrent's concatenated data
  pad: boolean // BEP 47 padding file: zeros that exist only to align the next file to a piece
}

export interface Metainfo {
  infoHash: string // 40 lowercase hex: SHA-1 of the raw info bytes
  name: string // sanitised
  pieceLength: number
  pieceCount: number
  lastPieceLength: number
  length: number // total bytes, padding files included
  files: TorrentFile[] // in torrent order; a single-file torrent has one file named after the torrent
  pieceHashes: Uint8Array // 20 * pieceCount bytes
  announce: string[] // announce-list tiers flattened, then announce; deduped; http/https/udp/ws/wss only
  urlList: string[] // BEP 19 web seeds, http/https only
  private: boolean
  comment?: string
  createdBy?: string
  infoBytes: Uint8Array // raw bencoded info dict
}

/** Largest .torrent we parse: the biggest real ones are a few MiB; this bounds memory. */
export const MAX_TORRENT_BYTES = 64 * 1024 * 1024
/** Smallest piece length: the 16 KiB block size of the wire protocol. */
export const MIN_PIECE_LENGTH = 16 * 1024
/** Largest piece length: above this one piece would not fit comfortably in memory for hashing. */
export const MAX_PIECE_LENGTH = 256 * 1024 * 1024
/** Most files in one torrent: beyond this the file list alone overwhelms the UI and storage. */
export const MAX_FILES = 100_000
/** Deepest folder nesting we accept; real torrents rarely exceed 10. */
export const MAX_PATH_DEPTH = 100
/**
 * Most names in all files' paths together (folders and file names, each counted where it
 * appears): 100,000 files at the deepest nesting would be 10 million, which the sanitiser's table
 * of names in use and the page's file tree cannot hold (the worker ran out of memory); real
 * torrents with 100,000 files nest a few folders deep.
 */
export const MAX_PATH_NAMES = 1_000_000
/** Longest comment we keep (characters); the rest is cut, since it is only shown to the user. */
export const MAX_COMMENT_LENGTH = 10_000

const HASH_BYTES = 20

interface RawFile {
  path: string[]
  length: number
  pad: boolean
}

/** Parses a .torrent file. Throws AppError with BAD_BENCODE, BAD_TORRENT, BAD_PIECES or TOO_LARGE. */
export async function parseTorrent(bytes: Uint8Array): Promise<Metainfo> {
  if (bytes.length > MAX_TORRENT_BYTES) {
    throw new AppError('TOO_LARGE', `This .torrent file is ${mib(bytes.length)}; files over ${mib(MAX_TORRENT_BYTES)} are not accepted.`)
  }
  if (bytes.length === 0) throw new AppError('BAD_TORRENT', 'This .torrent file is empty.')
  const { value, infoSpan } = bdecodeWithInfoSpan(bytes)
  if (!isDict(value)) {
    throw new AppError('BAD_TORRENT', `This is not a .torrent file: it should hold a dictionary but holds ${typeName(value)}.`)
  }
  const info = requireDict(value, 'info')
  if (!infoSpan) damaged('the "info" section is missing.') // unreachable once info is a dict
  const infoBytes = bytes.slice(infoSpan[0], infoSpan[1])

  if (!info.has('pieces') && (info.get('meta version') === 2 || info.has('file tree'))) {
    throw new AppError('BAD_TORRENT', 'BitTorrent v2-only torrents are not supported yet.')
  }

  const rawName = requireText(info, 'name', 'info.name')
  const pieceLength = requireInt(info, 'piece length', 'info.piece length')
  if (!Number.isSafeInteger(pieceLength) || pieceLength < MIN_PIECE_LENGTH || pieceLength > MAX_PIECE_LENGTH) {
    damaged(`its piece length is ${pieceLength} bytes, but it must be between 16 KiB (16384) and 256 MiB.`, 'BAD_PIECES')
  }
  const pieces = requireBytes(info, 'pieces', 'info.pieces')
  if (pieces.length % HASH_BYTES !== 0) {
    damaged(`its piece hashes take ${pieces.length} bytes, which is not a whole number of 20-byte hashes.`, 'BAD_PIECES')
  }

  const raw = readFiles(info, rawName)
  let length = 0
  for (const f of raw) {
    length += f.length
    if (length > Number.MAX_SAFE_INTEGER) throw new AppError('TOO_LARGE', 'This torrent is too large: its files add up to more than 8 PiB.')
  }
  if (length === 0) damaged('its files add up to 0 bytes, so there is nothing to download.')

  const pieceCount = Math.ceil(length / pieceLength)
  const hashCount = pieces.length / HASH_BYTES
  if (hashCount !== pieceCount) {
    damaged(`piece hashes cover ${hashCount} pieces but the files need ${pieceCount}.`, 'BAD_PIECES')
  }

  const infoHash = await sha1Hex(infoBytes)
  // an all-blank name would sanitise to "_"; the info-hash is a more useful folder name
  const name = rawName.trim() === '' ? infoHash : sanitizePathComponent(rawName)
  const single = !info.has('files')
  const paths = single ? [[name]] : sanitizeFilePaths(raw.map((f) => f.path))

  let offset = 0
  const files = raw.map((f, index): TorrentFile => {
    const path = paths[index] as string[]
    const file = { index, path, name: path.join('/'), length: f.length, offset, pad: f.pad }
    offset += f.length
    return file
  })

  const meta: Metainfo = {
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

async function sha1Hex(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await globalThis.crypto.subtle.digest('SHA-1', bytes))
  let hex = ''
  for (const b of digest) hex += b.toString(16).padStart(2, '0')
  return hex
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
