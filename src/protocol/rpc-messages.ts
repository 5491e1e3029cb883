import type { ErrorInfo } from './errors'

/**
 * The envelope of every call between two realms (core/rpc-client.ts, core/rpc-server.ts): the
 * request and reply inside are each realm pair's own typed messages (storage-, parse-, create-,
 * tab-messages.ts). The `rpc-` prefix keeps them apart from other messages on a shared channel
 * (the tabs' BroadcastChannel also carries engine events). `caller` is set only where many
 * callers share one channel: ids are unique per caller, not per channel.
 */
export type RpcToServer<Request> =
  | { type: 'rpc-call'; id: number; caller?: string; request: Request }
  /** The caller stopped waiting: the server aborts the call's AbortSignal (and still answers). */
  | { type: 'rpc-abort'; id: number; caller?: string }

export type RpcToCaller<Reply, Progress> =
  | { type: 'rpc-reply'; id: number; caller?: string; reply: Reply }
  /** `aborted`: the call stopped because its caller aborted it. */
  | { type: 'rpc-fail'; id: number; caller?: string; error: ErrorInfo; aborted: boolean }
  | { type: 'rpc-progress'; id: number; caller?: string; progress: Progress }

/**
 * What both ends need of a channel to the other realm; a Worker, a worker's `self`, a
 * MessagePort and a BroadcastChannel all have it.
 */
export interface RpcEndpoint {
  /** `transfer`: buffers moved to the other realm, detached here (a BroadcastChannel copies them). */
  postMessage(message: unknown, transfer: ArrayBuffer[]): void
  addEventListener(type: 'message' | 'messageerror' | 'error', listener: (event: RpcEvent) => void): void
  removeEventListener(type: 'message' | 'messageerror' | 'error', listener: (event: RpcEvent) => void): void
  /** A MessagePort delivers nothing to listeners added with addEventListener until started. */
  start?(): void
}

/** The parts of a MessageEvent or ErrorEvent read here. */
export interface RpcEvent {
  data?: unknown
  message?: string
  preventDefault?(): void
}
