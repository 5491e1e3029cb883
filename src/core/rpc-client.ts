/**
 * The calling end of the one RPC between realms: the page to its storage, parse and create
 * workers, and another tab to the tab that runs the engine (the serving end: rpc-server.ts,
 * the envelope: protocol/rpc-messages.ts).
 *
 * Why our own module and not comlink (4.4.2, the library squoosh uses): checked against what
 * we need, comlink gives one of the five, transfer lists (`Comlink.transfer`), and no more:
 * - AbortSignal: not supported; its issue #615 was closed with a user's transfer handler that
 *   opens a MessageChannel per signal. squoosh aborts by terminating the whole worker, which
 *   the storage worker cannot afford (its open file handles and the pieces it holds).
 * - A worker that dies, or a proxy released, leaves every pending promise pending for ever
 *   (issue #601, open): every call would need wrapping anyway.
 * - Idle termination: not there (squoosh adds it around comlink, as this does).
 * - A channel many callers share (the tabs' BroadcastChannel): replies are matched by id
 *   alone, and every tab hears every reply.
 * - Its wire format is its own (Proxy property paths, string ids), not our typed messages keyed
 *   on `type`; thrown errors cross as {name, message, stack}, losing AppError's code.
 * So the module is ours, about 300 lines with the server and the envelope: a call is one
 * message each way, exactly as the hand-written clients' were, so the piece path gains no
 * round trip and no copy (test/bench/rpc-piece-path.ts).
 */
import { AppError } from '../protocol/errors'
import type { RpcEndpoint, RpcEvent, RpcToCaller, RpcToServer } from '../protocol/rpc-messages'

/** The other end as started: a Worker (or an endpoint whose terminate does nothing, for tabs). */
export interface RpcWorker extends RpcEndpoint {
  terminate(): void
}

export interface RpcClientOptions {
  /** Starts the other end; called on the first call, and again after it died or idled out. */
  start: () => RpcWorker
  /** The error every pending call is rejected with when the other end dies (`why` in words). */
  crashError: (why: string) => Error
  /** Terminate the worker after this long with nothing in flight; never when undefined. */
  idleMs?: number
  /** Set where many callers share one channel (tabs): this caller's replies carry it. */
  caller?: string
  /** The code a failure from the other end gets when it lacks one. */
  fallbackCode?: AppError['code']
}

export interface CallOptions<Progress> {
  /** Aborting rejects the call at once with the signal's reason and asks the other end to stop. */
  signal?: AbortSignal
  /**
   * After an abort, wait for the other end's answer instead: the call rejects with the signal's
   * reason if it stopped, and resolves if it had already done its work (a job that commits
   * something, such as a created torrent's files, must not be reported undone when it is done).
   */
  abortWaitsForAnswer?: boolean
  /** Buffers in the request moved to the other realm, not copied (detached here once sent). */
  transfer?: ArrayBuffer[]
  onProgress?: (progress: Progress) => void
}

interface Pending<Reply, Progress> {
  resolve(reply: Reply): void
  reject(error: unknown): void
  onProgress: ((progress: Progress) => void) | undefined
  signal: AbortSignal | undefined
  onAbort: (() => void) | undefined
  waitsForAnswer: boolean
}

/** What a call rejects with when its signal aborts (the signal's own reason when it has one). */
export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The call was aborted.', 'AbortError')
}

/** `promise`, or its signal's reason as soon as `signal` aborts (for a wait shared by several callers). */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise
  if (signal.aborted) return Promise.reject(abortReason(signal))
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortReason(signal))
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort))
  })
}

export class RpcClient<Request extends { type: string }, Reply, Progress = never> {
  private worker: RpcWorker | undefined
  private readonly pending = new Map<number, Pending<Reply, Progress>>()
  /** Calls aborted here that the other end has not answered: it still works on them, so it is not idle. */
  private readonly draining = new Set<number>()
  private nextId = 1
  private idleTimer: ReturnType<typeof setTimeout> | undefined

  constructor(private readonly options: RpcClientOptions) {}

  /** Calls waiting for their answer (for tests and diagnostics). */
  get inFlight(): number {
    return this.pending.size + this.draining.size
  }

  /** True while the other end is started. */
  get running(): boolean {
    return this.worker !== undefined
  }

  /** Starts the other end now rather than on the first call (it is idled out later only if idleMs is set). */
  warm(): void {
    this.started()
    this.idleSoon()
  }

  call(request: Request, options: CallOptions<Progress> = {}): Promise<Reply> {
    const { signal, transfer = [], onProgress, abortWaitsForAnswer = false } = options
    // Nothing is sent, so nothing in `transfer` is detached: the caller still owns its buffers.
    if (signal?.aborted) return Promise.reject(abortReason(signal))
    let worker: RpcWorker
    try {
      worker = this.started()
    } catch (err) { // the browser would not start it (no module workers, a bad URL)
      return Promise.reject(this.options.crashError(err instanceof Error ? err.message : String(err)))
    }
    const id = this.nextId++
    return new Promise<Reply>((resolve, reject) => {
      const entry: Pending<Reply, Progress> = { resolve, reject, onProgress, signal, onAbort: undefined, waitsForAnswer: abortWaitsForAnswer }
      if (signal) {
        entry.onAbort = () => this.abort(id)
        signal.addEventListener('abort', entry.onAbort, { once: true })
      }
      this.pending.set(id, entry)
      const message: RpcToServer<Request> = this.options.caller === undefined
        ? { type: 'rpc-call', id, request }
        : { type: 'rpc-call', id, caller: this.options.caller, request }
      try {
        worker.postMessage(message, transfer)
      } catch (err) {
        this.settle(id) // a request that cannot be cloned: a bug in the caller, reported to it
        reject(AppError.from(err, this.options.fallbackCode))
        this.idleSoon()
      }
    })
  }

  /** Rejects every pending call with `crashError(why)` and stops the other end; a later call starts it again. */
  fail(why: string): void {
    const worker = this.worker
    this.worker = undefined
    clearTimeout(this.idleTimer)
    if (worker) {
      this.unlisten(worker)
      worker.terminate()
    }
    const calls = [...this.pending.keys()].map((id) => this.settle(id))
    this.draining.clear()
    for (const call of calls) call?.reject(this.options.crashError(why))
  }

  private started(): RpcWorker {
    clearTimeout(this.idleTimer)
    if (this.worker) return this.worker
    const worker = this.options.start()
    worker.addEventListener('message', this.onMessage)
    worker.addEventListener('error', this.onError)
    worker.addEventListener('messageerror', this.onMessageError)
    worker.start?.()
    this.worker = worker
    return worker
  }

  private unlisten(worker: RpcWorker): void {
    worker.removeEventListener('message', this.onMessage)
    worker.removeEventListener('error', this.onError)
    worker.removeEventListener('messageerror', this.onMessageError)
  }

  private readonly onMessage = (event: RpcEvent): void => {
    const message = event.data as RpcToCaller<Reply, Progress> | null | undefined
    if (typeof message !== 'object' || message === null || typeof message.id !== 'number') return
    if (message.caller !== this.options.caller) return // another caller's, on a shared channel
    if (message.type === 'rpc-progress') {
      this.pending.get(message.id)?.onProgress?.(message.progress)
      return
    }
    if (message.type !== 'rpc-reply' && message.type !== 'rpc-fail') return // not RPC (a tab's event)
    this.draining.delete(message.id)
    const call = this.settle(message.id)
    if (call && message.type === 'rpc-reply') call.resolve(message.reply)
    else if (call && message.type === 'rpc-fail') {
      call.reject(message.aborted && call.signal?.aborted ? abortReason(call.signal) : AppError.from(message.error, this.options.fallbackCode))
    }
    this.idleSoon()
  }

  private readonly onError = (event: RpcEvent): void => {
    event.preventDefault?.() // handled: the calls fail with a message, not also an uncaught error
    this.fail(event.message || 'it stopped with an error')
  }

  private readonly onMessageError = (): void => this.fail('its answer could not be read')

  private abort(id: number): void {
    const waiting = this.pending.get(id)
    if (!waiting?.signal) return
    const message: RpcToServer<Request> = this.options.caller === undefined
      ? { type: 'rpc-abort', id }
      : { type: 'rpc-abort', id, caller: this.options.caller }
    this.worker?.postMessage(message, [])
    if (waiting.waitsForAnswer) return // settled by the answer, as any call
    this.settle(id)
    this.draining.add(id)
    waiting.reject(abortReason(waiting.signal))
  }

  /** Forgets call `id` and returns it, to be resolved or rejected by the caller of this. */
  private settle(id: number): Pending<Reply, Progress> | undefined {
    const call = this.pending.get(id)
    if (!call) return undefined
    this.pending.delete(id)
    if (call.onAbort) call.signal?.removeEventListener('abort', call.onAbort)
    return call
  }

  private idleSoon(): void {
    const { idleMs } = this.options
    if (idleMs === undefined || this.inFlight > 0 || !this.worker) return
    clearTimeout(this.idleTimer)
    this.idleTimer = setTimeout(() => {
      const worker = this.worker
      if (!worker || this.inFlight > 0) return
      this.worker = undefined
      this.unlisten(worker)
      worker.terminate()
    }, idleMs)
  }
}
