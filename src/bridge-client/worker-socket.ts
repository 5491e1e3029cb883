/**
 * A WebSocket to the bridge whose socket lives in a worker (workers/api-gateway/bridge-socket.worker.ts),
 * with the part of the WebSocket API BridgeClient uses: Chromium's reads of a slow WebSocket, a task
 * on the socket's thread for every 1,000 bytes, run there and not on the page's main thread, and the
 * page gets whole messages in batches, one task each. The frames the page sends in one task go to
 * the worker in one message. Messages, errors and the close reach the handlers in the order the
 * socket had them.
 */
import { ownsWholeBuffer } from '../core/bytes'
import type { FromBridgeSocket, ToBridgeSocket } from '../protocol/bridge-socket-messages'
import type { WebSocketLike } from './bridge-client'

// the little of the Worker API used here, declared so this compiles without the DOM's types too
// (the unit tests run in Node, with a stand-in)
interface WorkerLike {
  postMessage(message: ToBridgeSocket, transfer: ArrayBuffer[]): void
  terminate(): void
  onmessage: ((ev: { data: FromBridgeSocket }) => void) | null
  onerror: (() => void) | null
}
declare const Worker: new (url: URL, options: { type: 'module'; name: string }) => WorkerLike
declare function reportError(err: unknown): void

const CONNECTING = 0
const OPEN = 1
const CLOSING = 2
const CLOSED = 3
/**
 * How long close() waits for the worker's socket to report its close before ending the worker:
 * a bridge that never completes the close handshake would otherwise keep it (and its socket) for
 * the browser's own closing timeout, while each reconnect starts a new one.
 */
export const CLOSE_TIMEOUT_MS = 3000

export class WorkerSocket implements WebSocketLike {
  binaryType = 'arraybuffer'
  readyState = CONNECTING
  onopen: ((ev: unknown) => void) | null = null
  onmessage: ((ev: { data: unknown }) => void) | null = null
  onclose: ((ev: { code: number; reason: string }) => void) | null = null
  onerror: ((ev: unknown) => void) | null = null
  private readonly worker: WorkerLike
  private outgoing: ArrayBuffer[] = []
  private closeTimer: ReturnType<typeof setTimeout> | null = null

  constructor(url: string) {
    this.worker = new Worker(new URL('../workers/api-gateway/bridge-socket.worker.ts', import.meta.url), { type: 'module', name: 'bridge-socket' })
    this.worker.onmessage = (ev) => this.receive(ev.data)
    this.worker.onerror = () => {
      this.onerror?.({})
      this.closed(1006, 'the bridge connection worker failed')
    }
    this.post({ type: 'open', url })
  }

  send(data: Uint8Array): void {
    if (this.readyState !== OPEN) return
    // a frame of its own is moved; a view into a larger buffer is copied (the rest is not ours to give away)
    this.outgoing.push(ownsWholeBuffer(data) ? data.buffer : data.slice().buffer)
    if (this.outgoing.length === 1) queueMicrotask(() => this.flushSends())
  }

  close(code?: number, reason?: string): void {
    if (this.readyState >= CLOSING) return
    this.flushSends()
    this.readyState = CLOSING
    this.post({ type: 'close', ...(code !== undefined ? { code } : {}), ...(reason !== undefined ? { reason } : {}) })
    // as a browser does when the other end does not answer a close: closed, abnormally (1006)
    this.closeTimer = setTimeout(() => this.closed(1006, 'the bridge did not complete the close'), CLOSE_TIMEOUT_MS)
  }

  private flushSends(): void {
    if (this.outgoing.length === 0) return
    const frames = this.outgoing
    this.outgoing = []
    this.post({ type: 'send', frames }, frames)
  }

  private post(message: ToBridgeSocket, transfer: ArrayBuffer[] = []): void {
    this.worker.postMessage(message, transfer)
  }

  private receive(m: FromBridgeSocket): void {
    if (m.type === 'open') {
      if (this.readyState !== CONNECTING) return
      this.readyState = OPEN
      this.onopen?.({})
    } else if (m.type === 'messages') {
      for (const data of m.data) {
        // as a WebSocket dispatches each message as its own event: a handler that closed the
        // socket (or was taken away) gets no more, and one that throws does not lose the rest;
        // a WebSocket delivers messages only while OPEN (none once close() was called)
        if (this.readyState !== OPEN || !this.onmessage) return
        try {
          this.onmessage({ data })
        } catch (err) {
          reportError(err)
        }
      }
    } else if (m.type === 'error') {
      this.onerror?.({})
    } else {
      this.closed(m.code, m.reason)
    }
  }

  private closed(code: number, reason: string): void {
    if (this.readyState === CLOSED) return
    this.readyState = CLOSED
    this.outgoing = []
    if (this.closeTimer) clearTimeout(this.closeTimer)
    this.closeTimer = null
    this.worker.terminate()
    this.onclose?.({ code, reason })
  }
}
