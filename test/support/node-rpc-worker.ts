import { Worker } from 'node:worker_threads'
import type { RpcWorker } from '../../src/core/rpc-client'
import type { RpcEvent } from '../../src/protocol/rpc-messages'

type Listener = (event: RpcEvent) => void

/**
 * A real Node worker thread as the RpcClient sees a browser Worker. Node's Worker is an
 * EventEmitter, not an EventTarget: this only renames its events ('exit' without our terminate
 * is a crash, as a browser reports a dead worker with 'error').
 */
export function nodeRpcWorker(file: URL, onStart?: (worker: Worker) => void, workerData: Record<string, unknown> = {}): RpcWorker {
  const worker = new Worker(new URL('./ts-worker-entry.mjs', import.meta.url), { workerData: { ...workerData, tsFile: file.href } })
  onStart?.(worker)
  const bound = new Map<Listener, Map<string, (...args: unknown[]) => void>>()
  const on = (listener: Listener, name: string, fn: (...args: unknown[]) => void) => {
    const byName = bound.get(listener) ?? new Map()
    byName.set(name, fn)
    bound.set(listener, byName)
    worker.on(name, fn)
  }
  return {
    postMessage: (message, transfer) => worker.postMessage(message, transfer),
    addEventListener(type, listener) {
      if (type === 'message') on(listener, 'message', (data) => listener({ data }))
      else if (type === 'messageerror') on(listener, 'messageerror', () => listener({}))
      else {
        on(listener, 'error', (err) => listener({ message: err instanceof Error ? err.message : String(err) }))
        on(listener, 'exit', (code) => listener({ message: `the worker exited with code ${String(code)}` }))
      }
    },
    removeEventListener(_type, listener) {
      for (const [name, fn] of bound.get(listener) ?? []) worker.off(name, fn)
      bound.delete(listener)
    },
    terminate: () => void worker.terminate(),
  }
}
