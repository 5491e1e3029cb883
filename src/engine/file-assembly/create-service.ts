import { DEFAULT_CREATE_VERSION, choosePieceLength, cleanTorrentName, createdMagnet, planFiles } from '../../core/file-assembly/create-torrent'
import { RpcClient } from '../../core/rpc-client'
import { AppError } from '../../protocol/errors'
import type { CreateJob, CreateProgress, CreateRequest, CreateSourceFile, CreatedTorrent, TorrentVersion } from '../../protocol/create-messages'

/** What the user picked: each File with its path as picked (`[name]`, or `[folder, ..., name]`). */
export interface PickedFile {
  file: File
  path: string[]
}

export interface CreateOptions {
  /** Already planned (see planPicked), so the name the user typed and the file list agree. */
  plan: PickedPlan
  name: string
  trackers: string[]
  private: boolean
  /** v1, v2 or hybrid (the default, as qBittorrent's). */
  version?: TorrentVersion
  comment?: string
  /** Bytes hashed so far; at most about ten calls a second. */
  onProgress?: (hashed: number, total: number) => void
  /** Stops hashing and deletes what was written to OPFS; the call then rejects (isCancelled). */
  signal?: AbortSignal
}

export interface CreateResult {
  torrentFile: Uint8Array
  infoHash: string
  infoHashV2?: string
  name: string
  magnetURI: string
  version: TorrentVersion
}

export interface PickedPlan {
  files: CreateSourceFile[]
  singleFile: boolean
  suggestedName: string
  totalBytes: number
}

export const CREATED_BY = 'Torrent Web'

/** The torrent's file list for what was picked (order, cleaned paths, suggested name). Throws AppError. */
export function planPicked(picked: PickedFile[]): PickedPlan {
  const plan = planFiles(picked)
  return {
    files: plan.files.map(({ file, path }) => ({ file, path })),
    singleFile: plan.singleFile,
    suggestedName: plan.suggestedName,
    totalBytes: plan.files.reduce((sum, f) => sum + f.file.size, 0),
  }
}

/** Every file under a picked directory (showDirectoryPicker), paths starting with its name. */
export async function filesOfDirectory(dir: FileSystemDirectoryHandle, prefix: string[] = [dir.name]): Promise<PickedFile[]> {
  const out: PickedFile[] = []
  for await (const [name, handle] of (dir as unknown as { entries(): AsyncIterable<[string, FileSystemHandle]> }).entries()) {
    if (handle.kind === 'directory') out.push(...(await filesOfDirectory(handle as FileSystemDirectoryHandle, [...prefix, name])))
    else out.push({ file: await (handle as FileSystemFileHandle).getFile(), path: [...prefix, name] })
  }
  return out
}

/** Files from an `<input type=file>`: folder pickers (webkitdirectory) give webkitRelativePath. */
export function filesOfInput(files: Iterable<File>): PickedFile[] {
  return [...files].map((file) => ({ file, path: (file.webkitRelativePath || file.name).split('/').filter((c) => c !== '') }))
}

/**
 * The create worker runs only while a job does: it holds a few MiB of reads and a piece at a
 * time, and a torrent is created rarely. A cancelled job keeps it until it has deleted what it
 * wrote (the client counts that as work in flight).
 */
const client = new RpcClient<CreateRequest, CreatedTorrent, CreateProgress>({
  start: () => new Worker(new URL('../../workers/file-assembly/create.worker.ts', import.meta.url), { type: 'module', name: 'create' }),
  crashError: (why) => new AppError('STORAGE', `The torrent could not be created: ${why}.`),
  idleMs: 0,
  fallbackCode: 'STORAGE',
})

/**
 * Creates a torrent in a worker: hashes the files and copies them into OPFS under the new
 * torrent's info-hash, so it can seed at once (engine.add(..., { complete: true })). Rejects
 * with AppError; with `cancelled: true` on it when `options.signal` aborted it. Throws at once
 * (AppError) when the name or the files cannot make a torrent.
 */
export function createTorrent(options: CreateOptions): Promise<CreateResult> {
  const { plan } = options
  const name = cleanTorrentName(options.name)
  const files = plan.singleFile ? plan.files.map((f) => ({ ...f, path: [name] })) : plan.files
  const job: CreateJob = {
    name,
    files,
    singleFile: plan.singleFile,
    pieceLength: choosePieceLength(plan.totalBytes),
    version: options.version ?? DEFAULT_CREATE_VERSION,
    announce: options.trackers,
    private: options.private,
    createdBy: CREATED_BY,
    creationDate: Math.floor(Date.now() / 1000),
    ...(options.comment ? { comment: options.comment } : {}),
  }
  return runJob(job, options)
}

async function runJob(job: CreateJob, options: CreateOptions): Promise<CreateResult> {
  const { signal } = options
  let created: CreatedTorrent
  try {
    // A cancel that crosses the finished job's answer gets the torrent: its files are in OPFS by then.
    created = await client.call({ type: 'create', job }, {
      ...(signal ? { signal, abortWaitsForAnswer: true } : {}),
      onProgress: ({ hashed, total }) => options.onProgress?.(hashed, total),
    })
  } catch (err) {
    throw signal?.aborted ? cancelledError() : err
  }
  const { torrentFile, infoHash, infoHashV2, version } = created
  const magnetURI = createdMagnet(infoHash, created.name, options.trackers, infoHashV2)
  return { torrentFile, infoHash, name: created.name, magnetURI, version, ...(infoHashV2 ? { infoHashV2 } : {}) }
}

function cancelledError(): AppError {
  return Object.assign(new AppError('BAD_INPUT', 'Creating the torrent was cancelled.'), { cancelled: true })
}

export function isCancelled(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { cancelled?: unknown }).cancelled === true
}
