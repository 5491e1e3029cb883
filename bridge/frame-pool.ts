/**
 * Spare buffers for the DATA frames the bridge sends its pages. Each goes back once the WebSocket
 * has written it, so a download at full speed does not leave a 64 KiB buffer per frame for the GC
 * to find later: that garbage, not live data, was most of the bridge's peak memory.
 */
import { DATA_HEADER_BYTES } from '../src/core/bridge-codec'
import { MAX_DATA_PAYLOAD } from '../src/protocol/bridge-frames'

export class FramePool {
  private readonly free: Buffer[] = []

  /** `keep`: spare buffers held at most (the rest of a burst goes to the GC). */
  constructor(private readonly keep: number, readonly size = DATA_HEADER_BYTES + MAX_DATA_PAYLOAD) {}

  take(): Buffer {
    return this.free.pop() ?? Buffer.allocUnsafeSlow(this.size)
  }

  /** Only once nothing reads `buffer` any more (the WebSocket's write callback). */
  give(buffer: Buffer): void {
    if (this.free.length < this.keep) this.free.push(buffer)
  }
}
