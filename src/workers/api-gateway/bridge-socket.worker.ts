/// <reference lib="webworker" />
/**
 * The page's WebSocket to the bridge, held off the main thread (issue 17: the page's data path).
 * Chromium reads a WebSocket 1,000 bytes at a time while it carries under 1.2 MB/s (net's
 * WebSocketBasicStream: kSmallReadBufferSize, kThresholdInBytesPerSecond), and hands each read to
 * the thread that owns the socket as a task of its own: some 17 tasks per 16 KiB block, most of
 * the page's main-thread time per MiB at the rates of 50 torrents at once. Here those tasks are the
 * worker's; the page gets each batch of whole messages as one message, their buffers moved
 * (core/api-gateway/message-batch.ts), and sends its frames the same way (bridge-client/worker-socket.ts).
 * The events' order and batching are core/api-gateway/bridge-socket-relay.ts (unit-tested there).
 */
import { BridgeSocketRelay } from '../../core/api-gateway/bridge-socket-relay'
import type { RelaySocket } from '../../core/api-gateway/bridge-socket-relay'
import type { ToBridgeSocket } from '../../protocol/bridge-socket-messages'

declare const self: DedicatedWorkerGlobalScope

const relay = new BridgeSocketRelay(
  // a WebSocket is a RelaySocket: the relay reads no more of its events than data, code and reason
  // (the cast: the DOM types its handlers with whole Event objects)
  (url) => new WebSocket(url) as unknown as RelaySocket,
  (message, transfer) => self.postMessage(message, transfer),
)

self.onmessage = (ev: MessageEvent<ToBridgeSocket>) => relay.receive(ev.data)
