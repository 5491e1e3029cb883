/**
 * The bridge socket worker's side (workers/api-gateway/bridge-socket.worker.ts) as pure logic: it
 * opens the WebSocket the page asks for, passes its events on to the page in the order the socket
 * had them, its messages gathered in batches (message-batch.ts), and sends the page's frames. Kept
 * apart from the worker so the order (every message before the error or close that followed it,
 * the batch timer, frames dropped once the socket is not OPEN) is unit-tested in Node.
 */
import type { FromBridgeSocket, ToBridgeSocket } from '../../protocol/bridge-socket-messages'
import { BATCH_MAX_DELAY_MS, MessageBatch } from './message-batch'

/** The part of a WebSocket the relay uses: the worker's own WebSocket. */
export interface RelaySocket {
  binaryType: string
  readonly readyState: number
  send(data: ArrayBuffer): void
  close(code?: number, reason?: string): void
  onopen: (() => void) | null
  onmessage: ((ev: { data: ArrayBuffer | string }) => void) | null
  onerror: (() => void) | null
  onclose: ((ev: { code: number; reason: string }) => void) | null
}

/** To the page; the buffers in `transfer` are moved with the message. */
export type PostToPage = (message: FromBridgeSocket, transfer: ArrayBuffer[]) => void

const OPEN = 1

export class BridgeSocketRelay {
  private socket: RelaySocket | null = null
  private readonly batch: MessageBatch
  private timer: ReturnType<typeof setTimeout> | null = null

  constructor(
    private readonly connect: (url: string) => RelaySocket,
    private readonly post: PostToPage,
    maxBatchBytes?: number,
  ) {
    this.batch = new MessageBatch(maxBatchBytes)
  }

  /** A message from the page. */
  receive(m: ToBridgeSocket): void {
    if (m.type === 'open') {
      try {
        this.open(m.url)
      } catch (err) {
        this.post({ type: 'error' }, [])
        this.post({ type: 'close', code: 1006, reason: `cannot open the bridge connection: ${(err as Error).message}` }, [])
      }
    } else if (m.type === 'send') {
      // the page sends only while connected; a frame racing the close is dropped, as the socket would
      if (this.socket?.readyState !== OPEN) return
      for (const frame of m.frames) this.socket.send(frame)
    } else {
      this.socket?.close(m.code, m.reason)
    }
  }

  private open(url: string): void {
    const socket = this.connect(url)
    this.socket = socket
    socket.binaryType = 'arraybuffer'
    socket.onopen = () => this.post({ type: 'open' }, [])
    socket.onmessage = (ev) => {
      if (this.batch.add(ev.data)) this.flush()
      else this.timer ??= setTimeout(() => this.flush(), BATCH_MAX_DELAY_MS)
    }
    socket.onerror = () => {
      this.flush() // every message before the error, in order
      this.post({ type: 'error' }, [])
    }
    socket.onclose = (ev) => {
      this.flush() // every message before the close, in order
      this.post({ type: 'close', code: ev.code, reason: ev.reason }, [])
    }
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    if (this.batch.size === 0) return
    const { data, transfer } = this.batch.take()
    this.post({ type: 'messages', data }, transfer)
  }
}
