/**
 * Between the page and the worker that holds its WebSocket to the bridge
 * (workers/api-gateway/bridge-socket.worker.ts, bridge-client/worker-socket.ts).
 */

/** The page to the worker. Frames are moved (transferred), never copied. */
export type ToBridgeSocket =
  | { type: 'open'; url: string }
  | { type: 'send'; frames: ArrayBuffer[] }
  | { type: 'close'; code?: number; reason?: string }

/** The worker to the page: its WebSocket's events, the messages batched (core/api-gateway/message-batch.ts). */
export type FromBridgeSocket =
  | { type: 'open' }
  | { type: 'messages'; data: (ArrayBuffer | string)[] }
  | { type: 'error' }
  | { type: 'close'; code: number; reason: string }
