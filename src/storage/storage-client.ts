import { AppError } from '../protocol/errors'
import type { PieceHashes, StorageLayout, StorageRequest, StorageResponse, V2PieceShape } from '../protocol/storage-messages'

type Reply = Extract<StorageResponse, { type: 'ok' }>
type Pending = { resolve: (reply: Reply) => void; reject: (err: AppError) => void }
type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never

/** The page's end of the storage worker: one promise per request. */
export class StorageClient {
  private readonly worker: Worker
  private readonly pending = new Map<number, Pending>()
  private nextId = 1

  constructor() {
    this.worker = new Worker(new URL('../workers/storage.worker.ts', import.meta.url), { type: 'module', name: 'storage' })
    this.worker.onmessage = (event: MessageEvent<StorageResponse>) => this.onResponse(event.data)
    this.worker.onerror = (event) => {
      const error = new AppError('STORAGE', `The storage worker stopped: ${event.message || 'unknown error'}. Reload the page.`)
      for (const pending of this.pending.values()) pending.reject(error)
      this.pending.clear()
    }
  }

  open(torrent: string, layout: StorageLayout): Promise<void> {
    return this.call({ type: 'open', torrent, layout }).then(() => undefined)
  }

  /** Takes ownership of `data`: it is transferred to the worker. */
  put(torrent: string, index: number, data: ArrayBuffer): Promise<void> {
    return this.call({ type: 'put', torrent, index, data }, [data]).then(() => undefined)
  }

  /** SHA-1 of `data`, which is transferred and kept in the worker under `held` for putHeld or drop. */
  async hashHeld(held: number, data: ArrayBuffer): Promise<ArrayBuffer> {
    const { data: digest } = await this.call({ type: 'hash', held, data }, [data])
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
  async putHeld(torrent: string, index: number, held: number): Promise<ArrayBuffer | undefined> {
    return (await this.call({ type: 'put-held', torrent, index, held })).data
  }

  /** Forgets the bytes kept under `held`; resolves with their buffer, given back. */
  async drop(held: number): Promise<ArrayBuffer | undefined> {
    return (await this.call({ type: 'drop', held })).data
  }

  async get(torrent: string, index: number, offset: number, length: number): Promise<Uint8Array> {
    const { data } = await this.call({ type: 'get', torrent, index, offset, length })
    return new Uint8Array(data ?? new ArrayBuffer(0))
  }

  /** Size on disk of each file, -1 when missing. */
  async stat(torrent: string, layout: StorageLayout): Promise<number[]> {
    return (await this.call({ type: 'stat', torrent, layout })).sizes ?? []
  }

  release(torrent: string, fileIndex: number): Promise<void> {
    return this.call({ type: 'release', torrent, fileIndex }).then(() => undefined)
  }

  close(torrent: string): Promise<void> {
    return this.call({ type: 'close', torrent }).then(() => undefined)
  }

  destroy(torrent: string): Promise<void> {
    return this.call({ type: 'destroy', torrent }).then(() => undefined)
  }

  private call(request: WithoutId<StorageRequest>, transfer: Transferable[] = []): Promise<Reply> {
    const id = this.nextId++
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject })
      this.worker.postMessage({ ...request, id } as StorageRequest, transfer)
    })
  }

  private onResponse(response: StorageResponse): void {
    const pending = this.pending.get(response.id)
    if (!pending) return
    this.pending.delete(response.id)
    if (response.type === 'ok') pending.resolve(response)
    else pending.reject(AppError.from(response.error, 'STORAGE'))
  }
}
