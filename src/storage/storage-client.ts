import { AppError } from '../protocol/errors'
import type { StorageLayout, StorageRequest, StorageResponse } from '../protocol/storage-messages'

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
