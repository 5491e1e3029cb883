import { RpcClient } from '../../core/rpc-client'
import { AppError } from '../../protocol/errors'
import type { PieceHashes, ResumeSizes, SizeCheck, StorageLayout, StorageReply, StorageRequest, V2PieceShape } from '../../protocol/storage-messages'

/**
 * The page's end of the storage worker: one promise per request, over the one worker RPC
 * (core/rpc-client.ts). Every method takes an optional AbortSignal last; a request aborted
 * before the worker reaches it never runs (the worker runs them one at a time).
 */
export class StorageClient {
  // Never idled out: the worker holds the torrents' open files (sync access handles, which lock
  // them) and the pieces kept between their hash and their write; starting it again costs more.
  private readonly rpc = new RpcClient<StorageRequest, StorageReply>({
    start: () => new Worker(new URL('../../workers/file-storage/storage.worker.ts', import.meta.url), { type: 'module', name: 'storage' }),
    crashError: (why) => new AppError('STORAGE', `The storage worker stopped: ${why}. Reload the page.`),
    fallbackCode: 'STORAGE',
  })

  constructor() {
    this.rpc.warm() // the worker loads while the page boots, not on the first piece
  }

  /** `resume`: a trusted resume, its files' sizes checked as they are used, not listed first (resume-size-check.ts). */
  open(torrent: string, layout: StorageLayout, signal?: AbortSignal, resume?: ResumeSizes): Promise<void> {
    return this.call({ type: 'open', torrent, layout, ...(resume ? { resume } : {}) }, [], signal).then(() => undefined)
  }

  /** Checks up to `max` more of a trusted resume's file sizes: how many are left, and those found short. */
  async checkSizes(torrent: string, max: number, signal?: AbortSignal): Promise<SizeCheck> {
    return (await this.call({ type: 'check-sizes', torrent, max }, [], signal)).check ?? { left: 0, short: [] }
  }

  /** Takes ownership of `data`: it is transferred to the worker. */
  put(torrent: string, index: number, data: ArrayBuffer, signal?: AbortSignal): Promise<void> {
    return this.call({ type: 'put', torrent, index, data }, [data], signal).then(() => undefined)
  }

  /** SHA-1 of `data`, which is transferred and kept in the worker under `held` for putHeld or drop. */
  async hashHeld(held: number, data: ArrayBuffer, signal?: AbortSignal): Promise<ArrayBuffer> {
    const { data: digest } = await this.call({ type: 'hash', held, data }, [data], signal)
    return digest ?? new ArrayBuffer(0)
  }

  /**
   * The hashes `check` asks for of `data` (SHA-1 and, for BEP 52 pieces, the merkle hash), which
   * is transferred and kept in the worker under `held` for putHeld or drop.
   */
  async checkHeld(held: number, data: ArrayBuffer, check: PieceHashes): Promise<{ sha1?: ArrayBuffer; v2?: ArrayBuffer }> {
    const reply = await this.call({ type: 'hash', held, data, check }, [data])
    return { ...(reply.data ? { sha1: reply.data } : {}), ...(reply.v2Hash ? { v2: reply.v2Hash } : {}) }
  }

  /** BEP 52: the merkle hash of piece `index` as stored, hashed in the worker (re-checks); rejects when it is not on disk. */
  async hashStoredV2(torrent: string, index: number, v2: V2PieceShape): Promise<Uint8Array> {
    const { v2Hash } = await this.call({ type: 'hash-v2', torrent, index, v2 })
    return new Uint8Array(v2Hash ?? new ArrayBuffer(0))
  }

  /** Writes the bytes kept under `held` as piece `index`; resolves with their buffer, given back. */
  async putHeld(torrent: string, index: number, held: number, signal?: AbortSignal): Promise<ArrayBuffer | undefined> {
    return (await this.call({ type: 'put-held', torrent, index, held }, [], signal)).data
  }

  /** Forgets the bytes kept under `held`; resolves with their buffer, given back. */
  async drop(held: number, signal?: AbortSignal): Promise<ArrayBuffer | undefined> {
    return (await this.call({ type: 'drop', held }, [], signal)).data
  }

  async get(torrent: string, index: number, offset: number, length: number, signal?: AbortSignal): Promise<Uint8Array> {
    const { data } = await this.call({ type: 'get', torrent, index, offset, length }, [], signal)
    return new Uint8Array(data ?? new ArrayBuffer(0))
  }

  /** Size on disk of each file, -1 when missing. */
  async stat(torrent: string, layout: StorageLayout, signal?: AbortSignal): Promise<number[]> {
    return (await this.call({ type: 'stat', torrent, layout }, [], signal)).sizes ?? []
  }

  release(torrent: string, fileIndex: number, signal?: AbortSignal): Promise<void> {
    return this.call({ type: 'release', torrent, fileIndex }, [], signal).then(() => undefined)
  }

  close(torrent: string, signal?: AbortSignal): Promise<void> {
    return this.call({ type: 'close', torrent }, [], signal).then(() => undefined)
  }

  destroy(torrent: string, signal?: AbortSignal): Promise<void> {
    return this.call({ type: 'destroy', torrent }, [], signal).then(() => undefined)
  }

  /** `transfer`: buffers of the request moved to the worker (the caller gives them up). */
  private call(request: StorageRequest, transfer: ArrayBuffer[] = [], signal?: AbortSignal): Promise<StorageReply> {
    return this.rpc.call(request, signal ? { transfer, signal } : { transfer })
  }
}
