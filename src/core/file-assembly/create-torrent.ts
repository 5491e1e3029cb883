/**
 * Building a .torrent (BEP 3, with BEP 12 announce-list and BEP 27 private; BEP 52 v2, and hybrid
 * torrents that are v1 and v2 at once with BEP 47 padding files) from files the user shares.
 * Pure: the hashes come from the create worker (TorrentHasher over the files as it streams them);
 * this module picks the piece length, checks the input and encodes the metainfo. Which files, in
 * which order, under which names: create-file-plan.ts (re-exported here).
 */
import { AppError } from '../../protocol/errors'
import { bencode, type BEncodable } from '../torrent-parser/bencode'
import { magnetUri } from '../torrent-parser/magnet'
import type { MetaVersion } from '../torrent-parser/metainfo'
import { hex } from '../torrent-parser/metainfo-v2'
import { compareFilePaths } from './create-file-plan'
import { layoutPieceCount, type FileHashes } from './torrent-hasher'

export { cleanFilePaths, cleanTorrentName, planFiles, sortFileEntries, type FilePlan } from './create-file-plan'

/** Smallest piece length we create: the wire protocol's 16 KiB block. */
export const CREATE_MIN_PIECE_LENGTH = 16 * 1024
/** Largest piece length we create: what mainstream clients still accept and hash comfortably. */
export const CREATE_MAX_PIECE_LENGTH = 16 * 1024 * 1024
/** The piece count we aim below: a ~40 KiB .torrent, with pieces small enough to swarm well. */
export const TARGET_MAX_PIECES = 2000
/** SHA-1 digest size. */
export const PIECE_HASH_BYTES = 20

/** One file of the torrent: its path below the torrent's folder, and its size in bytes. */
export interface CreateFileEntry {
  path: string[]
  length: number
}

export interface CreateTorrentInput {
  /** The torrent's name: its folder (multi-file) or its file's name (single file). */
  name: string
  /** In torrent order; their bytes, concatenated, are what the piece hashes cover. */
  files: CreateFileEntry[]
  pieceLength: number
  /** 20 bytes per piece, in piece order. */
  pieceHashes: Uint8Array
  /**
   * One file stored as `info.length` with the torrent's name as its file name. Default: true when
   * there is exactly one file whose path is just the torrent's name.
   */
  singleFile?: boolean
  /** Tracker URLs, each its own tier (BEP 12); the first is also `announce`. */
  announce?: string[]
  comment?: string
  createdBy?: string
  /** Seconds since the epoch; omitted when undefined (so output is reproducible in tests). */
  creationDate?: number
  /** BEP 27: peers only from the torrent's trackers (no DHT, PEX, LSD). */
  private?: boolean
  /** BitTorrent v1 (BEP 3), v2 (BEP 52) or both (hybrid). Default v1. */
  version?: MetaVersion
  /** v2 and hybrid: each file's pieces root and piece layer (TorrentHasher), in file order. */
  fileHashes?: FileHashes[]
}

export interface CreatedTorrent {
  torrentFile: Uint8Array
  infoBytes: Uint8Array
  /** 40 lowercase hex: SHA-1 of infoBytes (v1, hybrid), or their SHA-256 cut to 20 bytes (v2). */
  infoHash: string
  /** 64 lowercase hex: SHA-256 of infoBytes (v2, hybrid). */
  infoHashV2?: string
  name: string
}

/** What "Create torrent" makes unless told otherwise: both, as qBittorrent does. */
export const DEFAULT_CREATE_VERSION: MetaVersion = 'hybrid'

/**
 * A power of two between 16 KiB and 16 MiB giving at most TARGET_MAX_PIECES pieces, so about
 * 1000 to 2000 pieces for anything between 16 MiB and 32 GiB; bigger totals get 16 MiB pieces.
 */
export function choosePieceLength(totalLength: number): number {
  let pieceLength = CREATE_MIN_PIECE_LENGTH
  while (pieceLength < CREATE_MAX_PIECE_LENGTH && Math.ceil(totalLength / pieceLength) > TARGET_MAX_PIECES) pieceLength *= 2
  return pieceLength
}

export function pieceCountFor(totalLength: number, pieceLength: number): number {
  return Math.ceil(totalLength / pieceLength)
}

function isPowerOfTwo(n: number): boolean {
  return Number.isSafeInteger(n) && n > 0 && (n & (n - 1)) === 0
}

function validate(input: CreateTorrentInput): number {
  if (input.files.length === 0) throw new AppError('BAD_INPUT', 'Pick at least one file to share.')
  if (!isPowerOfTwo(input.pieceLength) || input.pieceLength < CREATE_MIN_PIECE_LENGTH || input.pieceLength > CREATE_MAX_PIECE_LENGTH) {
    throw new AppError('BAD_INPUT', `The piece length ${input.pieceLength} is not a power of two between 16 KiB and 16 MiB.`)
  }
  let total = 0
  for (const f of input.files) {
    if (!Number.isSafeInteger(f.length) || f.length < 0) throw new AppError('BAD_INPUT', `The size of “${f.path.join('/')}” is not a byte count.`)
    if (f.path.length === 0 || f.path.some((c) => c === '')) throw new AppError('BAD_INPUT', 'A file has an empty name.')
    total += f.length
  }
  if (!Number.isSafeInteger(total)) throw new AppError('TOO_LARGE', 'These files are too large to share as one torrent.')
  if (total === 0) throw new AppError('BAD_INPUT', 'These files are all empty: there is nothing to share.')
  const version = input.version ?? 'v1'
  const pieces = version === 'v2' ? 0 : layoutPieceCount(version, input.pieceLength, input.files.map((f) => f.length))
  if (input.pieceHashes.length !== pieces * PIECE_HASH_BYTES) {
    throw new AppError('BAD_PIECES', `There are ${input.pieceHashes.length / PIECE_HASH_BYTES} piece hashes for ${pieces} pieces.`)
  }
  if (version !== 'v1') {
    const hashes = input.fileHashes ?? []
    input.files.forEach((f, i) => {
      const h = hashes[i]
      if (f.length > 0 && h?.piecesRoot?.length !== 32) throw new AppError('BAD_PIECES', `“${f.path.join('/')}” has no pieces root.`)
      if (f.length > input.pieceLength && h?.pieceLayer?.length !== Math.ceil(f.length / input.pieceLength) * 32) {
        throw new AppError('BAD_PIECES', `“${f.path.join('/')}” has no piece layer.`)
      }
      const previous = input.files[i - 1]
      if (previous && compareFilePaths(previous.path, f.path) >= 0) throw new AppError('BAD_INPUT', 'A v2 torrent\'s files must be in the order of their names.')
    })
  }
  return total
}

function isSingleFile(input: CreateTorrentInput): boolean {
  if (input.singleFile !== undefined) return input.singleFile
  const only = input.files.length === 1 ? input.files[0] : undefined
  return only !== undefined && only.path.length === 1 && only.path[0] === input.name
}

/** The `info` dictionary (keys are sorted by the encoder). */
export function buildInfo(input: CreateTorrentInput): { [key: string]: BEncodable } {
  validate(input)
  const version = input.version ?? 'v1'
  const single = isSingleFile(input)
  if (single && input.files.length !== 1) throw new AppError('BAD_INPUT', 'A single-file torrent holds exactly one file.')
  const info: { [key: string]: BEncodable } = { name: input.name, 'piece length': input.pieceLength }
  if (version !== 'v2') {
    info.pieces = input.pieceHashes
    if (single) info.length = (input.files[0] as CreateFileEntry).length
    else info.files = version === 'hybrid' ? withPadding(input.files, input.pieceLength) : input.files.map((f) => ({ length: f.length, path: f.path }))
  }
  if (version !== 'v1') {
    info['meta version'] = 2
    info['file tree'] = fileTree(input, single)
  }
  if (input.private) info.private = 1
  return info
}

/**
 * BEP 47 padding after each file that does not end on a piece boundary, the last one included
 * (as libtorrent 2.0.8 and later write hybrids; older readers accept it too), so that every file
 * starts a piece and the v1 pieces are the v2 ones. Named and marked as libtorrent does.
 */
function withPadding(files: readonly CreateFileEntry[], pieceLength: number): BEncodable[] {
  const out: BEncodable[] = []
  for (const f of files) {
    out.push({ length: f.length, path: f.path })
    const gap = f.length % pieceLength
    if (f.length > 0 && gap !== 0) out.push({ attr: 'p', length: pieceLength - gap, path: ['.pad', String(pieceLength - gap)] })
  }
  return out
}

/**
 * Where each file and each padding file of a new torrent sits in its file list as the parser reads
 * it back (storage keeps one file per entry, by index): a hybrid's list has padding after each
 * file that does not end on a piece (see withPadding), a v2 one after each, the last too (as
 * metainfo-v2's alignFiles lays it out, and libtorrent); a v1 list is the files themselves.
 */
export function createdFileLayout(version: MetaVersion, pieceLength: number, lengths: readonly number[], singleFile: boolean): { files: number[]; pads: { index: number; length: number }[] } {
  const files: number[] = []
  const pads: { index: number; length: number }[] = []
  let index = 0
  lengths.forEach((length) => {
    files.push(index++)
    const gap = length % pieceLength
    // a v2 torrent's list as the parser lays it out: padding after every file, the last too
    const padded = version === 'hybrid' ? !singleFile : version === 'v2'
    if (padded && length > 0 && gap !== 0) pads.push({ index: index++, length: pieceLength - gap })
  })
  return { files, pads }
}

type TreeNode = Map<string, BEncodable>

/** BEP 52's file tree: a dictionary per folder, each file a dictionary under the empty key. Maps, so that no name is an object's own property. */
function fileTree(input: CreateTorrentInput, single: boolean): TreeNode {
  const root: TreeNode = new Map()
  input.files.forEach((f, i) => {
    const path = single ? [input.name] : f.path
    let node = root
    for (const part of path.slice(0, -1)) {
      let next = node.get(part)
      if (!(next instanceof Map)) node.set(part, (next = new Map()))
      node = next as TreeNode
    }
    const entry: TreeNode = new Map<string, BEncodable>([['length', f.length]])
    const root32 = input.fileHashes?.[i]?.piecesRoot
    if (f.length > 0 && root32) entry.set('pieces root', root32)
    node.set(path[path.length - 1] as string, new Map([['', entry]]))
  })
  return root
}

/** BEP 52's piece layers, beside the info dictionary: one per distinct root of a file longer than a piece. */
function pieceLayers(input: CreateTorrentInput): Map<Uint8Array, BEncodable> | undefined {
  const layers = new Map<string, [Uint8Array, Uint8Array]>()
  for (const h of input.fileHashes ?? []) if (h.piecesRoot && h.pieceLayer) layers.set(hex(h.piecesRoot), [h.piecesRoot, h.pieceLayer])
  return layers.size > 0 ? new Map([...layers.values()]) : undefined
}

/** Encodes the .torrent and computes its info-hash. */
export async function buildTorrent(input: CreateTorrentInput): Promise<CreatedTorrent> {
  const info = buildInfo(input)
  const infoBytes = bencode(info)
  const trackers = [...new Set(input.announce ?? [])]
  const version = input.version ?? 'v1'
  // bencode() is canonical (sorted keys), so the info dict inside the file is byte for byte infoBytes.
  const torrent: { [key: string]: BEncodable | undefined } = { info }
  if (version !== 'v1') torrent['piece layers'] = pieceLayers(input)
  if (trackers.length > 0) {
    torrent.announce = trackers[0]
    torrent['announce-list'] = trackers.map((url) => [url])
  }
  if (input.comment) torrent.comment = input.comment
  if (input.createdBy) torrent['created by'] = input.createdBy
  if (input.creationDate !== undefined) torrent['creation date'] = Math.floor(input.creationDate)
  const torrentFile = bencode(torrent)
  const infoHashV2 = version !== 'v1' ? await digestHex('SHA-256', infoBytes) : undefined
  const infoHash = version !== 'v2' ? await digestHex('SHA-1', infoBytes) : (infoHashV2 as string).slice(0, 40)
  const created: CreatedTorrent = { torrentFile, infoBytes, infoHash, name: input.name }
  if (infoHashV2 !== undefined) created.infoHashV2 = infoHashV2
  return created
}

/** A magnet link for a torrent we created: info-hash (btih, btmh or both), name and trackers. */
export function createdMagnet(infoHash: string, name: string, trackers: readonly string[], infoHashV2?: string): string {
  return magnetUri({ infoHash, name, trackers: [...new Set(trackers)], webSeeds: [], peers: [], ...(infoHashV2 !== undefined ? { infoHashV2 } : {}) })
}

async function digestHex(algorithm: 'SHA-1' | 'SHA-256', bytes: Uint8Array): Promise<string> {
  return hex(new Uint8Array(await globalThis.crypto.subtle.digest(algorithm, bytes as Uint8Array<ArrayBuffer>)))
}
