/// <reference lib="webworker" />
/**
 * The page's WebSocket to the bridge, held off the main thread (issue 17: the page's data path).
 * Chromium reads a WebSocket 1,000 bytes at a time while it carries under 1.2 MB/s (net's
 * WebSocketBasicStream: kSmallReadBufferSize, kThresholdInBytesPerSecond), and hands each read to
 * the thread that owns the socket as a task of its own: some 17 tasks per 16 KiB block, most of
 * the page's main-thread time per MiB at the rates of 50 torrents at once. Here those tasks are the
 * worker's; the page gets each batch of whole messages as one message, their buffers moved
 * (core/api-gateway/message-batch.ts), and sends its frames the same way (bridge-client/worker-socket.ts).
 */
import { BATCH_MAX_DELAY_MS, MessageBatch } from '../../core/api-gateway/message-batch'
import type { FromBridgeSocket, ToBridgeSocket } from '../../protocol/bridge-socket-messages'

declare const self: DedicatedWorkerGlobalScope

let ws: WebSocket | null = null
const batch = new MessageBatch()
let timer: ReturnType<typeof setTimeout> | null = null

const post = (message: FromBridgeSocket, transfer: Transferable[] = []) => self.postMessage(message, transfer)

function flush(): void {
  if (timer) clearTimeout(timer)
  timer = null
  if (batch.size === 0) return
  const { data, transfer } = batch.take()
  post({ type: 'messages', data }, transfer)
}

function open(url: string): void {
  const socket = new WebSocket(url)
  ws = socket
  socket.binaryType = 'arraybuffer'
  socket.onopen = () => post({ type: 'open' })
  socket.onmessage = (ev: MessageEvent<ArrayBuffer | string>) => {
    if (batch.add(ev.data)) flush()
    else timer ??= setTimeout(flush, BATCH_MAX_DELAY_MS)
  }
  socket.onerror = () => {
    flush()
    post({ type: 'error' })
  }
  socket.onclose = (ev) => {
    flush() // every message before the close, in order
    post({ type: 'close', code: ev.code, reason: ev.reason })
  }
}

self.onmessage = (ev: MessageEvent<ToBridgeSocket>) => {
  const m = ev.data
  if (m.type === 'open') {
    try {
      open(m.url)
    } catch (err) {
      post({ type: 'error' })
      post({ type: 'close', code: 1006, reason: `cannot open the bridge connection: ${(err as Error).message}` })
    }
  } else if (m.type === 'send') {
    // the page sends only while connected; a frame racing the close is dropped, as the socket would
    if (ws?.readyState !== WebSocket.OPEN) return
    for (const frame of m.frames) ws.send(frame)
  } else {
    ws?.close(m.code, m.reason)
  }
}
