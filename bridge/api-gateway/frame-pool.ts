/**
 * Spare buffers for the DATA frames the bridge sends its pages. Each goes back once the WebSocket
 * has written it, so a download at full speed does not leave a buffer per frame for the GC to
 * find later: that garbage, not live data, was most of the bridge's peak memory. Sizes go in 64 KiB
 * steps up to a full frame (MAX_DATA_PAYLOAD), so that a frame waiting in the WebSocket's queue
 * holds at most one step more than its own bytes.
 */
import { DATA_HEADER_BYTES } from '../../src/core/api-gateway/bridge-codec'
import { MAX_DATA_PAYLOAD } from '../../src/protocol/bridge-frames'

const STEP = 64 * 1024

export class FramePool {
  /** Free buffers by size step: index k holds buffers of a header plus (k + 1) steps. */
  private readonly free: Buffer[][] = Array.from({ length: Math.ceil(MAX_DATA_PAYLOAD / STEP) }, () => [])
  private spare = 0

  /** `keepBytes`: spare memory held at most, all sizes together (the rest of a burst goes to the GC). */
  constructor(private readonly keepBytes: number) {}

  /** A buffer for a frame of `frameBytes` (header included; at most a full frame). */
  take(frameBytes: number): Buffer {
    const k = Math.max(0, Math.ceil((frameBytes - DATA_HEADER_BYTES) / STEP) - 1)
    const buffer = this.free[k]!.pop()
    if (!buffer) return Buffer.allocUnsafeSlow(DATA_HEADER_BYTES + (k + 1) * STEP)
    this.spare -= buffer.length
    return buffer
  }

  /** Only once nothing reads `buffer` any more (the WebSocket's write callback). */
  give(buffer: Buffer): void {
    const free = this.free[(buffer.length - DATA_HEADER_BYTES) / STEP - 1]
    if (!free || this.spare + buffer.length > this.keepBytes) return
    free.push(buffer)
    this.spare += buffer.length
  }
}
