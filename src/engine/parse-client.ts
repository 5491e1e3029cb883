import type { Metainfo } from '../core/metainfo'
import { AppError } from '../protocol/errors'
import type { ParseRequest, ParseResponse } from '../protocol/parse-messages'

/** What the client hears from its worker. */
export interface ParseWorkerEvents {
  message(response: ParseResponse): void
  /** The worker died or sent what cannot be read; `why` in words. */
  failed(why: string): void
}

/** What the client needs of a worker (a DOM Worker has it; tests pass a fake). */
export interface ParseWorkerLike {
  postMessage(request: ParseRequest): void
  terminate(): void
}

/**
 * The page's end of the parse worker: one worker, started on first use, many calls in flight.
 * When the worker fails (a crash, an error outside a call, an unreadable answer) every waiting
 * call is rejected with a message that says so, instead of waiting for ever, and the next call
 * starts a new worker.
 */
export class ParseClient {
  private worker: ParseWorkerLike | undefined
  private nextId = 1
  private readonly pending = new Map<number, { resolve: (m: Metainfo) => void; reject: (e: AppError) => void }>()

  constructor(private readonly startWorker: (events: ParseWorkerEvents) => ParseWorkerLike) {}

  /** Parses and validates a .torrent file in the worker; rejects with AppError. */
  parse(bytes: Uint8Array): Promise<Metainfo> {
    const id = this.nextId++
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject })
      this.running().postMessage({ type: 'parse', id, bytes })
    })
  }

  private running(): ParseWorkerLike {
    this.worker ??= this.startWorker({
      message: (response) => this.answer(response),
      failed: (why) => this.failAll(why),
    })
    return this.worker
  }

  private answer(response: ParseResponse): void {
    const call = this.pending.get(response.id)
    if (!call) return
    this.pending.delete(response.id)
    if (response.type === 'parsed') call.resolve(response.metainfo)
    else call.reject(AppError.from(response.error, 'BAD_TORRENT'))
  }

  private failAll(why: string): void {
    this.worker?.terminate()
    this.worker = undefined
    const calls = [...this.pending.values()]
    this.pending.clear()
    for (const call of calls) call.reject(new AppError('BAD_TORRENT', `This .torrent file could not be read: the parser stopped (${why}).`))
  }
}
