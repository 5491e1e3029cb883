/// <reference lib="webworker" />
/**
 * The storage worker: the only code that reads and writes a torrent's pieces in OPFS while it
 * runs. (The create worker writes a created torrent's files before it runs, and the page reads
 * a complete file whole, as a File, to save it: engine/file-assembly/opfs-file.ts.) Each piece is written at
 * its offset into one OPFS file per torrent file with sync access handles (workers only), so no
 * piece stays in the page's memory longer than it takes to post it here.
 */
import { pieceHash } from '../../core/file-storage/merkle'
import { pieceSlices, type FileSpan } from '../../core/file-storage/pieces'
import { serveRpc } from '../../core/rpc-server'
import { AppError } from '../../protocol/errors'
import {
  STORAGE_ROOT, opfsFileName,
  type PieceHashes, type ResumeSizes, type SizeCheck, type StorageLayout, type StorageReply, type StorageRequest, type V2PieceShape,
} from '../../protocol/storage-messages'
import { ResumeSizeCheck, resumeCheckOf } from './resume-size-check'

declare const self: DedicatedWorkerGlobalScope

interface OpenTorrent {
  dir: FileSystemDirectoryHandle
  /**
   * Indices of files that exist in OPFS: reads of the others fail without touching OPFS.
   * Undefined when the folder was not listed (a trusted resume): OPFS is asked instead.
   */
  existing?: Set<number>
  files: FileSpan[]
  pieceLength: number
  totalLength: number
  /** The handles the opening listing found, by file index, until the first `stat` has used them. */
  listed?: Map<number, FileSystemFileHandle>
  /** A trusted resume's sizes to check (resume-size-check.ts). */
  resume?: ResumeSizeCheck
}

/** Sync access handles are exclusive and limited; keep the most recently used ones open. */
const MAX_OPEN_HANDLES = 256
/** OPFS look-ups in flight at once when a torrent's file sizes are read. */
const STAT_CONCURRENCY = 32

const torrents = new Map<string, OpenTorrent>()
const handles = new Map<string, FileSystemSyncAccessHandle>()
let rootDir: Promise<FileSystemDirectoryHandle> | undefined

function storageRoot(): Promise<FileSystemDirectoryHandle> {
  rootDir ??= navigator.storage.getDirectory().then((root) => root.getDirectoryHandle(STORAGE_ROOT, { create: true }))
  return rootDir
}

function layoutToFiles(layout: StorageLayout): { files: FileSpan[]; totalLength: number } {
  let offset = 0
  const files = layout.fileLengths.map((length) => {
    const span = { length, offset }
    offset += length
    return span
  })
  return { files, totalLength: offset }
}

async function open(torrent: string, layout: StorageLayout, resume?: ResumeSizes): Promise<void> {
  const opened = torrents.get(torrent)
  if (opened) {
    if (resume) opened.resume = checkResume(torrent, opened.files, resume)
    return
  }
  const dir = await (await storageRoot()).getDirectoryHandle(torrent, { create: true })
  const { files, totalLength } = layoutToFiles(layout)
  // A trusted resume starts without listing the folder (0.2 to 0.4 s for 5,000 files): its files'
  // sizes are checked as they are used, and in 'check-sizes' batches once it runs (resume-size-check.ts).
  if (resume) {
    torrents.set(torrent, { dir, files, pieceLength: layout.pieceLength, totalLength, resume: checkResume(torrent, files, resume) })
    return
  }
  torrents.set(torrent, { dir, files, pieceLength: layout.pieceLength, totalLength, ...await listFiles(dir, files) })
}

/** A resume check of `torrent`'s sizes; a file already open is checked at once. */
function checkResume(torrent: string, files: FileSpan[], resume: ResumeSizes): ResumeSizeCheck {
  const check = new ResumeSizeCheck(resume, files)
  for (const [key, handle] of handles) {
    if (key.startsWith(`${torrent}/`)) check.opened(Number(key.slice(torrent.length + 1)), handle.getSize(), false)
  }
  return check
}

/**
 * The folder's files: which exist, and their handles. webtorrent checks every piece of a new
 * torrent before it downloads: answering "not on disk" from `existing`, not from OPFS, makes that
 * check instant. The listing gives each file's handle too: `stat` then reads a size in one round
 * trip to the browser, not two (getFileHandle, getFile), which was 1.0 to 1.3 s of a 10,000-file resume.
 */
async function listFiles(dir: FileSystemDirectoryHandle, files: FileSpan[]): Promise<{ existing: Set<number>; listed: Map<number, FileSystemFileHandle> }> {
  const names = new Map<string, FileSystemHandle>()
  for await (const [name, handle] of (dir as unknown as { entries(): AsyncIterable<[string, FileSystemHandle]> }).entries()) names.set(name, handle)
  const existing = new Set<number>()
  const listed = new Map<number, FileSystemFileHandle>()
  for (const [index, file] of files.entries()) {
    const handle = names.get(opfsFileName(index))
    if (handle?.kind === 'file') listed.set(index, handle as FileSystemFileHandle)
    // Zero-length files never receive a piece, yet the user can save them.
    if (file.length === 0 && !handle) await dir.getFileHandle(opfsFileName(index), { create: true })
    if (file.length === 0 || handle) existing.add(index)
  }
  return { existing, listed }
}

function requireTorrent(torrent: string): OpenTorrent {
  const open = torrents.get(torrent)
  if (!open) throw new AppError('STORAGE', 'The torrent\'s storage is not open (it was removed or closed).')
  return open
}

/** Returns the file's handle, or undefined when the file was never written and create is false. */
async function fileHandle(torrent: string, fileIndex: number, create: boolean): Promise<FileSystemSyncAccessHandle | undefined> {
  const key = `${torrent}/${fileIndex}`
  torrents.get(torrent)?.resume?.refuseShort(fileIndex) // found shorter than its resume data: neither read nor written
  const cached = handles.get(key)
  if (cached) {
    handles.delete(key) // re-insert: Map order is our LRU order
    handles.set(key, cached)
    return cached
  }
  const { dir, existing, resume } = requireTorrent(torrent)
  if (!create && existing && !existing.has(fileIndex)) return undefined
  let file: FileSystemFileHandle
  try {
    file = await dir.getFileHandle(opfsFileName(fileIndex), { create })
  } catch (err) {
    if (create || existing || !(err instanceof DOMException && err.name === 'NotFoundError')) throw err
    resume?.opened(fileIndex, -1) // a file the resume data needs, gone: refused from now on
    return undefined
  }
  existing?.add(fileIndex)
  const handle = await file.createSyncAccessHandle()
  // Before anything is written to it: is it as long as the resume data says? (else refused, and
  // the torrent re-checked: a write past a hole would make a truncated file look whole)
  try {
    resume?.opened(fileIndex, handle.getSize())
  } catch (err) {
    handle.close()
    throw err
  }
  handles.set(key, handle)
  if (handles.size > MAX_OPEN_HANDLES) {
    const [oldestKey, oldest] = handles.entries().next().value as [string, FileSystemSyncAccessHandle]
    oldest.flush()
    oldest.close()
    handles.delete(oldestKey)
  }
  return handle
}

function closeHandles(torrent: string, fileIndex?: number): void {
  const prefix = fileIndex === undefined ? `${torrent}/` : `${torrent}/${fileIndex}`
  for (const [key, handle] of handles) {
    if (fileIndex === undefined ? key.startsWith(prefix) : key === prefix) {
      handle.flush()
      handle.close()
      handles.delete(key)
    }
  }
}

async function put(torrent: string, index: number, data: ArrayBuffer): Promise<void> {
  const { files, pieceLength, totalLength } = requireTorrent(torrent)
  for (const slice of pieceSlices(files, pieceLength, index, totalLength, 0, data.byteLength)) {
    const handle = (await fileHandle(torrent, slice.fileIndex, true))!
    const written = handle.write(new Uint8Array(data, slice.pieceOffset, slice.length), { at: slice.fileOffset })
    if (written !== slice.length) {
      throw new AppError('QUOTA', 'The browser\'s storage for this site is full. Free space, then resume.')
    }
  }
}

async function get(torrent: string, index: number, offset: number, length: number): Promise<ArrayBuffer> {
  const { files, pieceLength, totalLength } = requireTorrent(torrent)
  const out = new ArrayBuffer(length)
  for (const slice of pieceSlices(files, pieceLength, index, totalLength, offset, length)) {
    const handle = await fileHandle(torrent, slice.fileIndex, false)
    const read = handle ? handle.read(new Uint8Array(out, slice.pieceOffset - offset, slice.length), { at: slice.fileOffset }) : 0
    if (read !== slice.length) throw new AppError('STORAGE', `Piece ${index} is not on disk yet.`)
  }
  return out
}

async function stat(torrent: string, layout: StorageLayout): Promise<number[]> {
  await open(torrent, layout)
  const opened = requireTorrent(torrent)
  if (!opened.existing) Object.assign(opened, await listFiles(opened.dir, opened.files))
  const { dir, existing = new Set<number>(), files, listed } = opened
  delete opened.listed // a later stat asks OPFS again: files may have been removed or made since
  const sizes = files.map((_, index) => handles.get(`${torrent}/${index}`)?.getSize() ?? (existing.has(index) ? NaN : -1))
  // Each size is a round trip to the browser process (two without a listed handle); one after the other
  // they took seconds for the 5,000 files of a half-done 10,000-file torrent (docs/BENCHMARKS.md), so
  // STAT_CONCURRENCY at once.
  const todo = sizes.flatMap((size, index) => (Number.isNaN(size) ? [index] : []))
  const next = async (): Promise<void> => {
    for (let index = todo.pop(); index !== undefined; index = todo.pop()) {
      sizes[index] = (await (listed?.get(index) ?? await dir.getFileHandle(opfsFileName(index))).getFile()).size
    }
  }
  await Promise.all(Array.from({ length: STAT_CONCURRENCY }, next))
  return sizes
}

/** Up to `max` of a trusted resume's files checked (resume-size-check.ts), STAT_CONCURRENCY at once. */
async function checkSizes(torrent: string, max: number): Promise<SizeCheck> {
  // only asked after an open with resume data: an entry without it is a failure, never "all fit"
  const { dir, resume } = resumeCheckOf(torrents.get(torrent))
  const batch = resume.next(max)
  const next = async (): Promise<void> => {
    for (let index = batch.pop(); index !== undefined; index = batch.pop()) {
      const open = handles.get(`${torrent}/${index}`)
      if (open) {
        resume.opened(index, open.getSize(), false)
        continue
      }
      try {
        // zero-length files are made as a listing would have made them: the user can save them
        const file = await dir.getFileHandle(opfsFileName(index), { create: resume.isEmptyFile(index) })
        resume.opened(index, (await file.getFile()).size, false)
      } catch (err) {
        if (!(err instanceof DOMException && err.name === 'NotFoundError')) throw err
        resume.opened(index, -1, false)
      }
    }
  }
  await Promise.all(Array.from({ length: STAT_CONCURRENCY }, next))
  return resume.result()
}

async function destroy(torrent: string): Promise<void> {
  closeHandles(torrent)
  torrents.delete(torrent)
  try {
    await (await storageRoot()).removeEntry(torrent, { recursive: true })
  } catch (err) {
    if (!(err instanceof DOMException && err.name === 'NotFoundError')) throw err
  }
}

/** Downloaded pieces hashed here, kept until the page writes or drops them (at most a few at once). */
const heldPieces = new Map<number, ArrayBuffer>()

/** The hashes `check` asks for (SHA-1 unless told otherwise) of a downloaded piece, kept under `held`. */
async function hashHeld(held: number, data: ArrayBuffer, check?: PieceHashes): Promise<Hashes> {
  heldPieces.set(held, data)
  const [sha1, v2Hash] = await Promise.all([
    check?.sha1 === false ? undefined : crypto.subtle.digest('SHA-1', data),
    check?.v2 ? v2PieceHash(new Uint8Array(data), check.v2) : undefined,
  ])
  return { sha1, v2Hash }
}

interface Hashes {
  sha1?: ArrayBuffer | undefined
  v2Hash?: ArrayBuffer | undefined
}

/** BEP 52: the merkle hash of the file's bytes in a piece (padding is outside it). */
async function v2PieceHash(piece: Uint8Array, shape: V2PieceShape): Promise<ArrayBuffer> {
  if (shape.dataLength > piece.length) throw new AppError('STORAGE', 'A v2 piece is shorter than its file\'s bytes in it (a bug): recheck the torrent.')
  return (await pieceHash(piece.subarray(0, shape.dataLength), shape.leaves)).slice().buffer
}

/** A re-check of one v2 piece: its file's bytes read from OPFS and hashed here, never sent to the page. */
async function hashStoredV2(torrent: string, index: number, shape: V2PieceShape): Promise<Hashes> {
  return { v2Hash: await v2PieceHash(new Uint8Array(await get(torrent, index, 0, shape.dataLength)), shape) }
}

/** Writes the bytes kept under `held`; their buffer goes back to the page for the next piece. */
async function putHeld(torrent: string, index: number, held: number): Promise<ArrayBuffer> {
  const data = heldPieces.get(held)
  heldPieces.delete(held)
  if (!data) throw new AppError('STORAGE', `Piece ${index} was not kept for writing (a bug): recheck the torrent.`)
  await put(torrent, index, data)
  return data
}

function dropHeld(held: number): ArrayBuffer | undefined {
  const data = heldPieces.get(held)
  heldPieces.delete(held)
  return data
}

async function handle(request: StorageRequest): Promise<ArrayBuffer | number[] | Hashes | SizeCheck | undefined> {
  switch (request.type) {
    case 'hash': return hashHeld(request.held, request.data, request.check)
    case 'hash-v2': return hashStoredV2(request.torrent, request.index, request.v2)
    case 'put-held': return putHeld(request.torrent, request.index, request.held)
    case 'drop': return dropHeld(request.held)
    case 'stat': return stat(request.torrent, request.layout)
    case 'open': return open(request.torrent, request.layout, request.resume).then(() => undefined)
    case 'check-sizes': return checkSizes(request.torrent, request.max)
    case 'put': return put(request.torrent, request.index, request.data).then(() => undefined)
    case 'get': return get(request.torrent, request.index, request.offset, request.length)
    case 'release': closeHandles(request.torrent, request.fileIndex); return undefined
    case 'close': closeHandles(request.torrent); torrents.delete(request.torrent); return undefined
    case 'destroy': return destroy(request.torrent).then(() => undefined)
  }
}

function toError(err: unknown): AppError {
  if (err instanceof AppError) return err
  if (err instanceof DOMException && err.name === 'QuotaExceededError') {
    return new AppError('QUOTA', 'The browser\'s storage for this site is full. Free space (remove finished torrents with their data), then resume.')
  }
  const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err)
  return new AppError('STORAGE', `The browser's storage failed: ${message}`)
}

/** A buffer answered (a hash, a piece read, a held piece given back) is moved to the page, not copied. */
async function reply(request: StorageRequest, transfer: (buffer: ArrayBuffer) => void): Promise<StorageReply> {
  const result = await handle(request)
  if (Array.isArray(result)) return { sizes: result }
  if (!result) return {}
  if (result instanceof ArrayBuffer) {
    transfer(result)
    return { data: result }
  }
  if ('left' in result) return { check: result }
  const answer: StorageReply = {}
  if (result.sha1) transfer(answer.data = result.sha1)
  if (result.v2Hash) transfer(answer.v2Hash = result.v2Hash)
  return answer
}

// One request at a time: a sync access handle could otherwise be evicted between another
// request's await and its write. Each request is short (sync I/O at disk speed).
serveRpc<StorageRequest, StorageReply>(self, (request, call) => reply(request, (buffer) => call.transfer(buffer)), { serial: true, toError })
