import { DEFAULT_CREATE_VERSION, choosePieceLength, cleanTorrentName, createdMagnet, planFiles } from '../core/create-torrent'
import { AppError } from '../protocol/errors'
import type { CreateJob, CreateRequest, CreateResponse, CreateSourceFile, TorrentVersion } from '../protocol/create-messages'

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
}

export interface CreateResult {
  torrentFile: Uint8Array
  infoHash: string
  infoHashV2?: string
  name: string
  magnetURI: string
  version: TorrentVersion
}

export interface CreateTask {
  /** Rejects with AppError; with `cancelled: true` on it when aborted. */
  result: Promise<CreateResult>
  /** Stops hashing and deletes what was written to OPFS; `result` then rejects. */
  abort(): void
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

let nextId = 1

/**
 * Creates a torrent in a worker: hashes the files and copies them into OPFS under the new
 * torrent's info-hash, so it can seed at once (engine.add(..., { complete: true })).
 */
export function createTorrent(options: CreateOptions): CreateTask {
  const id = nextId++
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
  const worker = new Worker(new URL('../workers/create.worker.ts', import.meta.url), { type: 'module', name: 'create' })
  let settled = false
  let cancelTimer: ReturnType<typeof setTimeout> | undefined
  let abortImpl: () => void = () => {}
  const result = new Promise<CreateResult>((resolve, reject) => {
    const finish = (fn: () => void) => {
      if (settled) return
      settled = true
      clearTimeout(cancelTimer)
      worker.terminate()
      fn()
    }
    worker.onmessage = (event: MessageEvent<CreateResponse>) => {
      const message = event.data
      if (message.id !== id) return
      switch (message.type) {
        case 'progress': if (!settled) options.onProgress?.(message.hashed, message.total); break
        case 'created': {
          const { torrentFile, infoHash, infoHashV2, version } = message
          const magnetURI = createdMagnet(infoHash, message.name, options.trackers, infoHashV2)
          finish(() => resolve({ torrentFile, infoHash, name: message.name, magnetURI, version, ...(infoHashV2 ? { infoHashV2 } : {}) }))
          break
        }
        case 'cancelled': finish(() => reject(cancelledError())); break
        case 'fail': finish(() => reject(AppError.from(message.error, 'STORAGE'))); break
      }
    }
    worker.onerror = (event) => {
      event.preventDefault()
      finish(() => reject(new AppError('STORAGE', `The torrent could not be created: ${event.message || 'the worker failed to start'}.`)))
    }
    abortImpl = () => {
      if (settled) return
      const cancel: CreateRequest = { type: 'cancel', id }
      worker.postMessage(cancel)
      // The worker answers once its temporary files are deleted; do not wait forever for it.
      cancelTimer = setTimeout(() => finish(() => reject(cancelledError())), 10_000)
    }
  })
  const request: CreateRequest = { type: 'create', id, job }
  worker.postMessage(request)
  return { result, abort: () => abortImpl() }
}

function cancelledError(): AppError {
  return Object.assign(new AppError('BAD_INPUT', 'Creating the torrent was cancelled.'), { cancelled: true })
}

export function isCancelled(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { cancelled?: unknown }).cancelled === true
}
