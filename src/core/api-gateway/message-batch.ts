/**
 * WebSocket messages gathered for one postMessage from the bridge socket's worker to the page
 * (workers/api-gateway/bridge-socket.worker.ts): the page's main thread then runs one task for a
 * batch instead of one per message. Binary messages are moved, never copied. A batch goes when
 * it holds `maxBytes`, or `maxDelayMs` after its first message (the worker's timer): a bound on
 * what batching adds to a block's way to the page.
 */
export const BATCH_MAX_BYTES = 1024 * 1024
export const BATCH_MAX_DELAY_MS = 4

export class MessageBatch {
  private data: (ArrayBuffer | string)[] = []
  private transfer: ArrayBuffer[] = []
  private bytes = 0

  constructor(private readonly maxBytes = BATCH_MAX_BYTES) {}

  get size(): number {
    return this.data.length
  }

  /** Adds a message; true when the batch is full and should go now. */
  add(message: ArrayBuffer | string): boolean {
    this.data.push(message)
    if (typeof message === 'string') this.bytes += message.length
    else {
      this.transfer.push(message)
      this.bytes += message.byteLength
    }
    return this.bytes >= this.maxBytes
  }

  /** The messages in arrival order and the buffers to transfer with them; the batch is empty after. */
  take(): { data: (ArrayBuffer | string)[]; transfer: ArrayBuffer[] } {
    const out = { data: this.data, transfer: this.transfer }
    this.data = []
    this.transfer = []
    this.bytes = 0
    return out
  }
}
