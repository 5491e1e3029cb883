/// <reference lib="webworker" />
/**
 * The create worker: hashes the files the user shares into a new torrent and, in the same pass,
 * copies each into OPFS so the torrent seeds from there (and after a reload) without the user's
 * files. The files are read in piece order, a few MiB at a time (`file.slice().arrayBuffer()`),
 * never whole. The info-hash is known only at the end, so the copies go into a temporary folder
 * `torrents/.creating-<uuid>/` that is then renamed to `torrents/<infoHash>/`.
 */
import { buildTorrent, createdFileLayout } from '../../core/file-assembly/create-torrent'
import { serveRpc, type RpcCall } from '../../core/rpc-server'
import { TorrentHasher, type TorrentHashes } from '../../core/file-assembly/torrent-hasher'
import { AppError } from '../../protocol/errors'
import {
  CREATE_PROGRESS_INTERVAL_MS, CREATING_PREFIX, creatingLockName,
  type CreateJob, type CreateProgress, type CreateRequest, type CreateSourceFile, type CreatedTorrent,
} from '../../protocol/create-messages'
import { STORAGE_ROOT, opfsFileName } from '../../protocol/storage-messages'

declare const self: DedicatedWorkerGlobalScope

/** Bytes per read: files are never held whole in memory (at most two reads and a piece). */
const READ_BYTES = 8 * 1024 * 1024

class Cancelled extends Error {}

/** A job's call: aborted when the user cancels; its progress goes to the page. */
type Job = RpcCall<CreateProgress>

async function torrentsDir(): Promise<FileSystemDirectoryHandle> {
  return (await navigator.storage.getDirectory()).getDirectoryHandle(STORAGE_ROOT, { create: true })
}

type DirWithEntries = FileSystemDirectoryHandle & { keys(): AsyncIterable<string> }
type MovableHandle = FileSystemHandle & { move(parent: FileSystemDirectoryHandle, name: string): Promise<void> }

async function removeQuietly(dir: FileSystemDirectoryHandle, name: string): Promise<void> {
  try {
    await dir.removeEntry(name, { recursive: true })
  } catch (err) {
    if (!(err instanceof DOMException && err.name === 'NotFoundError')) throw err
  }
}

/** Deletes temporary folders left by a tab that died while creating (nobody holds their lock). */
async function removeLeftovers(torrents: FileSystemDirectoryHandle): Promise<void> {
  if (!navigator.locks) return
  const held = new Set(((await navigator.locks.query()).held ?? []).map((lock) => lock.name))
  for await (const name of (torrents as DirWithEntries).keys()) {
    if (name.startsWith(CREATING_PREFIX) && !held.has(creatingLockName(name))) await removeQuietly(torrents, name).catch(() => {})
  }
}

/**
 * Streams every file in torrent order into the hasher (core/file-assembly/torrent-hasher.ts: v1 pieces, v2
 * merkle trees, or both) and, when `dir` is given, copies it into `dir` as file-<index>, the
 * index it has in the torrent's file list (a hybrid's list has padding files between them, which
 * are written too, as zeros, since storage reads whole pieces across them).
 */
async function hashAndCopy(job: CreateJob, state: Job, dir: FileSystemDirectoryHandle | null, total: number): Promise<TorrentHashes> {
  const lengths = job.files.map((f) => f.file.size)
  const hasher = new TorrentHasher(job.version, job.pieceLength, lengths, job.singleFile)
  const layout = createdFileLayout(job.version, job.pieceLength, lengths, job.singleFile)
  let read = 0
  let lastProgress = 0
  const progress = (force = false) => {
    const now = performance.now()
    if (!force && now - lastProgress < CREATE_PROGRESS_INTERVAL_MS) return
    lastProgress = now
    state.progress({ hashed: read, total })
  }

  // Reads in file order, one read ahead: the next chunk comes off disk while this one is written
  // to OPFS (synchronously) and hashed.
  const reads: { index: number; start: number; end: number }[] = []
  for (const [index, { file }] of job.files.entries()) {
    for (let start = 0; start < file.size; start += READ_BYTES) reads.push({ index, start, end: Math.min(file.size, start + READ_BYTES) })
  }
  const readChunk = (r: { index: number; start: number; end: number }) => {
    const promise = (job.files[r.index] as CreateSourceFile).file.slice(r.start, r.end).arrayBuffer()
    promise.catch(() => {}) // a read ahead may be dropped (cancel, error); its failure is not news
    return promise
  }
  const opfsName = (index: number) => opfsFileName(layout.files[index] as number)

  let handle: FileSystemSyncAccessHandle | undefined
  let handleIndex = -1
  const closeHandle = () => {
    handle?.flush()
    handle?.close()
    handle = undefined
  }
  try {
    if (dir) {
      // Zero-byte files get no read; create them here so every file-<index> exists. Padding
      // files are zeros: a truncate to their length writes them.
      for (const [index, { file }] of job.files.entries()) if (file.size === 0) await dir.getFileHandle(opfsName(index), { create: true })
      for (const pad of layout.pads) {
        const padHandle = await (await dir.getFileHandle(opfsFileName(pad.index), { create: true })).createSyncAccessHandle()
        padHandle.truncate(pad.length)
        padHandle.close()
      }
    }
    let next = reads[0] ? readChunk(reads[0]) : undefined
    for (let r = 0; r < reads.length; r++) {
      const { index, start, end } = reads[r] as { index: number; start: number; end: number }
      const chunk = new Uint8Array(await (next as Promise<ArrayBuffer>))
      if (state.signal.aborted) throw new Cancelled()
      const following = reads[r + 1]
      next = following ? readChunk(following) : undefined
      const source = job.files[index] as CreateSourceFile
      if (chunk.length !== end - start) throw new AppError('STORAGE', `“${source.path.join('/')}” changed while it was being read; pick it again.`)
      if (dir) {
        if (handleIndex !== index) {
          closeHandle()
          handle = await (await dir.getFileHandle(opfsName(index), { create: true })).createSyncAccessHandle()
          handleIndex = index
          // One quota reservation for the whole file: growing it write by write costs Chromium a
          // round trip to the browser process each time (measured: 118 MiB/s that way, 300 this way).
          handle.truncate(source.file.size)
        }
        const written = (handle as FileSystemSyncAccessHandle).write(chunk, { at: start })
        if (written !== chunk.length) throw new AppError('QUOTA', 'The browser\'s storage for this site is full. Free space, then try again.')
      }
      await hasher.update(chunk)
      read += chunk.length
      progress()
    }
  } finally {
    closeHandle()
  }
  const hashes = await hasher.finish()
  if (state.signal.aborted) throw new Cancelled()
  progress(true)
  return hashes
}

/** Moves the temporary folder's files to `torrents/<infoHash>/`. */
async function publish(torrents: FileSystemDirectoryHandle, tempName: string, infoHash: string, layout: { files: number[]; pads: { index: number }[] }): Promise<void> {
  const temp = await torrents.getDirectoryHandle(tempName)
  let exists = true
  try {
    await torrents.getDirectoryHandle(infoHash)
  } catch {
    exists = false
  }
  if (!exists) {
    // One rename, where the browser can move folders (Chromium can, within OPFS).
    try {
      await (temp as unknown as MovableHandle).move(torrents, infoHash)
      return
    } catch {
      // fall through: move the files one by one
    }
  }
  // The torrent's folder is there already (created before, or partly downloaded): put the
  // complete copies in, replacing what is there. A file the engine holds open cannot be replaced.
  const target = await torrents.getDirectoryHandle(infoHash, { create: true })
  for (const index of [...layout.files, ...layout.pads.map((pad) => pad.index)]) {
    const name = opfsFileName(index)
    const file = await temp.getFileHandle(name)
    await removeQuietly(target, name).catch(() => {
      throw new AppError('STORAGE', 'This torrent is already in your list and in use: remove it first, then create it again.')
    })
    await (file as unknown as MovableHandle).move(target, name)
  }
  await removeQuietly(torrents, tempName)
}

async function create(job: CreateJob, state: Job): Promise<CreatedTorrent> {
  const torrents = await torrentsDir()
  await removeLeftovers(torrents).catch(() => {})
  const tempName = `${CREATING_PREFIX}${crypto.randomUUID()}`
  const run = async (): Promise<CreatedTorrent> => {
    try {
      const dir = await torrents.getDirectoryHandle(tempName, { create: true })
      const total = job.files.reduce((sum, f) => sum + f.file.size, 0)
      state.progress({ hashed: 0, total })
      const hashes = await hashAndCopy(job, state, dir, total)
      const created = await buildTorrent({
        name: job.name,
        files: job.files.map((f) => ({ path: f.path, length: f.file.size })),
        singleFile: job.singleFile,
        pieceLength: job.pieceLength,
        pieceHashes: hashes.pieceHashes,
        fileHashes: hashes.files,
        version: job.version,
        announce: job.announce,
        private: job.private,
        ...(job.comment ? { comment: job.comment } : {}),
        ...(job.createdBy ? { createdBy: job.createdBy } : {}),
        ...(job.creationDate !== undefined ? { creationDate: job.creationDate } : {}),
      })
      if (state.signal.aborted) throw new Cancelled()
      await publish(torrents, tempName, created.infoHash, createdFileLayout(job.version, job.pieceLength, job.files.map((f) => f.file.size), job.singleFile))
      const torrentFile = created.torrentFile
      state.transfer(torrentFile.buffer as ArrayBuffer)
      return {
        infoHash: created.infoHash, name: created.name, torrentFile, version: job.version,
        ...(created.infoHashV2 ? { infoHashV2: created.infoHashV2 } : {}),
      }
    } catch (err) {
      await removeQuietly(torrents, tempName).catch(() => {})
      throw err
    }
  }
  if (navigator.locks) return navigator.locks.request(creatingLockName(tempName), run)
  return run()
}

function toError(err: unknown): AppError {
  if (err instanceof AppError) return err
  if (err instanceof DOMException && err.name === 'QuotaExceededError') {
    return new AppError('QUOTA', 'The browser\'s storage for this site is full: free space (remove torrents with their data), then try again.')
  }
  if (err instanceof DOMException && err.name === 'NotReadableError') {
    return new AppError('STORAGE', 'A file could not be read: it was moved, changed or deleted after it was picked. Pick it again.')
  }
  const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err)
  return new AppError('STORAGE', `Creating the torrent failed: ${message}`)
}

// Jobs run side by side; a cancelled one (its call aborted) deletes what it wrote, then answers.
serveRpc<CreateRequest, CreatedTorrent, CreateProgress>(self, (request, call) => create(request.job, call), { toError })
