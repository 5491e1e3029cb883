import { parseTorrent, type Metainfo } from '../core/metainfo'
import { AppError } from '../protocol/errors'
import type { ParseRequest, ParseResponse } from '../protocol/parse-messages'

/** Below this size parsing takes well under a frame; above it, a worker keeps the page responsive. */
const WORKER_THRESHOLD = 256 * 1024

let worker: Worker | undefined
let nextId = 1
const pending = new Map<number, { resolve: (m: Metainfo) => void; reject: (e: AppError) => void }>()

function parseWorker(): Worker {
  if (worker) return worker
  worker = new Worker(new URL('../workers/parse.worker.ts', import.meta.url), { type: 'module', name: 'parse' })
  worker.onmessage = (event: MessageEvent<ParseResponse>) => {
    const response = event.data
    const entry = pending.get(response.id)
    if (!entry) return
    pending.delete(response.id)
    if (response.type === 'parsed') entry.resolve(response.metainfo)
    else entry.reject(AppError.from(response.error, 'BAD_TORRENT'))
  }
  return worker
}

/** Parses and validates a .torrent file; throws AppError with a message a user can act on. */
export function parseTorrentFile(bytes: Uint8Array): Promise<Metainfo> {
  if (bytes.byteLength < WORKER_THRESHOLD) return parseTorrent(bytes)
  const id = nextId++
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject })
    const request: ParseRequest = { type: 'parse', id, bytes }
    parseWorker().postMessage(request)
  })
}
