/**
 * The serving end of the one RPC between realms (why it is ours: rpc-client.ts). Each call's
 * handler gets an AbortSignal that aborts when its caller gives up, a way to report progress,
 * and a way to move buffers of its reply rather than copy them. Every call is answered, even
 * an aborted one: its caller's client counts it as work in flight until then.
 */
import { AppError } from '../protocol/errors'
import type { RpcEndpoint, RpcEvent, RpcToCaller, RpcToServer } from '../protocol/rpc-messages'

export interface RpcCall<Progress> {
  /** Aborts when the caller aborts the call. */
  readonly signal: AbortSignal
  progress(progress: Progress): void
  /** Buffers of the reply to move to the caller rather than copy (detached here once sent). */
  transfer(...buffers: ArrayBuffer[]): void
}

export interface ServeOptions {
  /** One call at a time, in order of arrival; a call aborted while it waits never runs. */
  serial?: boolean
  /** The error a failure becomes for the caller (a code and a message a person can act on). */
  toError?: (err: unknown) => AppError
}

/** Answers calls arriving on `endpoint` with `handle`; returns a function that stops listening. */
export function serveRpc<Request extends { type: string }, Reply, Progress = never>(
  endpoint: RpcEndpoint,
  handle: (request: Request, call: RpcCall<Progress>) => Reply | Promise<Reply>,
  options: ServeOptions = {},
): () => void {
  const toError = options.toError ?? ((err: unknown) => AppError.from(err))
  const running = new Map<string, AbortController>()
  let queue: Promise<unknown> = Promise.resolve()

  const answer = (message: RpcToCaller<Reply, Progress>, transfer: ArrayBuffer[] = []) => {
    endpoint.postMessage(message, transfer)
  }

  const run = async (id: number, caller: string | undefined, request: Request, controller: AbortController) => {
    const transfer: ArrayBuffer[] = []
    const { signal } = controller
    const call: RpcCall<Progress> = {
      signal,
      progress: (progress) => {
        if (!signal.aborted) answer(withCaller({ type: 'rpc-progress', id, progress }, caller))
      },
      transfer: (...buffers) => void transfer.push(...buffers),
    }
    try {
      if (signal.aborted) throw new AppError('ENGINE', 'The call was aborted before it ran.')
      const reply = await handle(request, call)
      answer(withCaller({ type: 'rpc-reply', id, reply }, caller), transfer)
    } catch (err) {
      answer(withCaller({ type: 'rpc-fail', id, error: toError(err).toInfo(), aborted: signal.aborted }, caller))
    }
  }

  const onMessage = (event: RpcEvent) => {
    const message = event.data as RpcToServer<Request> | null | undefined
    if (typeof message !== 'object' || message === null || typeof message.id !== 'number') return
    const key = `${message.caller ?? ''}:${message.id}`
    if (message.type === 'rpc-abort') {
      running.get(key)?.abort()
      return
    }
    if (message.type !== 'rpc-call') return // not RPC (a tab's event)
    const controller = new AbortController()
    running.set(key, controller)
    const done = () => running.delete(key)
    const { id, caller, request } = message
    if (options.serial) queue = queue.then(() => run(id, caller, request, controller)).finally(done)
    else void run(id, caller, request, controller).finally(done)
  }

  endpoint.addEventListener('message', onMessage)
  endpoint.start?.()
  return () => endpoint.removeEventListener('message', onMessage)
}

function withCaller<M extends RpcToCaller<unknown, unknown>>(message: M, caller: string | undefined): M {
  return caller === undefined ? message : { ...message, caller }
}
