/**
 * The storage worker's piece path (hash a piece and keep it, then write it and give its buffer
 * back) in a Node worker thread, spoken either way: the hand-written protocol main had before
 * the worker RPC (mode 'hand-written', copied from src/workers/file-storage/storage.worker.ts) or the RPC
 * (mode 'rpc'). The write is a copy into one file-sized buffer, as a sync access handle's would be.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { webcrypto } from 'node:crypto'
import { serveRpc } from '../../src/core/rpc-server'
import type { RpcEndpoint } from '../../src/protocol/rpc-messages'

export type PieceRequest =
  | { type: 'hash'; held: number; data: ArrayBuffer }
  | { type: 'put-held'; index: number; held: number }
export interface PieceReply { data?: ArrayBuffer }

const port = parentPort!
const { pieceLength, pieces } = workerData as { mode: 'hand-written' | 'rpc'; pieceLength: number; pieces: number }
const disk = new Uint8Array(pieceLength * pieces)
const heldPieces = new Map<number, ArrayBuffer>()

async function handle(request: PieceRequest): Promise<ArrayBuffer> {
  if (request.type === 'hash') {
    heldPieces.set(request.held, request.data)
    return webcrypto.subtle.digest('SHA-1', request.data)
  }
  const data = heldPieces.get(request.held)!
  heldPieces.delete(request.held)
  disk.set(new Uint8Array(data), request.index * pieceLength)
  return data
}

if ((workerData as { mode: string }).mode === 'rpc') {
  serveRpc<PieceRequest, PieceReply>(port as unknown as RpcEndpoint, async (request, call) => {
    const data = await handle(request)
    call.transfer(data)
    return { data }
  }, { serial: true })
} else {
  let queue: Promise<unknown> = Promise.resolve()
  port.on('message', (request: PieceRequest & { id: number }) => {
    queue = queue.then(async () => {
      const data = await handle(request)
      port.postMessage({ type: 'ok', id: request.id, data }, [data])
    })
  })
}
