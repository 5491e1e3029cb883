/**
 * The page's end of web seed fetches through the bridge: each WEB_SEED_FETCH waits for its
 * WEB_SEED_DATA frames (collected into one buffer of the length asked for: a frame past it is the
 * bridge breaking the protocol) and its WEB_SEED_END. A fetch the caller abandons is cancelled
 * (WEB_SEED_CANCEL); a connection that drops fails every fetch in flight as 'busy', so the caller
 * tries again once the bridge is back (it is not the web seed's fault).
 */
import { RangeFetchError } from '../core/peer-connection/range-response'
import { FrameType, MAX_WEB_SEED_URL_BYTES, WebSeedOutcome, type PageToBridgeFrame, type WebSeedDataFrame, type WebSeedEndFrame } from '../protocol/bridge-frames'

interface Pending {
  bytes: Uint8Array
  filled: number
  resolve(bytes: Uint8Array): void
  reject(err: Error): void
  cleanup(): void
}

export class RangeFetches {
  private readonly pending = new Map<number, Pending>()
  private next = 1

  constructor(private readonly send: (frame: PageToBridgeFrame) => void) {}

  get inFlight(): number { return this.pending.size }

  /** Bytes [start, start + length) of the file at `url`, fetched by the bridge for `infoHash`'s web seed. */
  fetch(infoHash: string, url: string, start: number, length: number, signal?: AbortSignal): Promise<Uint8Array> {
    if (signal?.aborted) return Promise.reject(new RangeFetchError('busy', 'cancelled'))
    const urlBytes = new TextEncoder().encode(url).length
    if (urlBytes > MAX_WEB_SEED_URL_BYTES) return Promise.reject(new RangeFetchError('failed', `its URL is ${urlBytes} bytes, longer than the bridge takes (${MAX_WEB_SEED_URL_BYTES})`))
    let id = this.next
    while (this.pending.has(id)) id = id >= 0xffffffff ? 1 : id + 1
    this.next = id >= 0xffffffff ? 1 : id + 1
    return new Promise<Uint8Array>((resolve, reject) => {
      const onAbort = () => {
        if (!this.pending.delete(id)) return
        this.send({ type: FrameType.WebSeedCancel, fetch: id })
        reject(new RangeFetchError('busy', 'cancelled'))
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      this.pending.set(id, {
        bytes: new Uint8Array(length),
        filled: 0,
        resolve,
        reject,
        cleanup: () => signal?.removeEventListener('abort', onAbort),
      })
      this.send({ type: FrameType.WebSeedFetch, fetch: id, infoHash, url, start, length })
    })
  }

  /** WEB_SEED_DATA; false when it runs past the fetch's length (the bridge broke the protocol). */
  handleData(frame: WebSeedDataFrame): boolean {
    const p = this.pending.get(frame.fetch)
    if (!p) return true // cancelled: its last frames crossed our CANCEL
    if (frame.data.length > p.bytes.length - p.filled) return false
    p.bytes.set(frame.data, p.filled)
    p.filled += frame.data.length
    return true
  }

  /** WEB_SEED_END; false when an Ok comes short of the length (the bridge broke the protocol). */
  handleEnd(frame: WebSeedEndFrame): boolean {
    const p = this.pending.get(frame.fetch)
    if (!p) return true
    this.pending.delete(frame.fetch)
    p.cleanup()
    if (frame.outcome === WebSeedOutcome.Ok) {
      if (p.filled !== p.bytes.length) {
        p.reject(new RangeFetchError('busy', 'the bridge ended a fetch short'))
        return false
      }
      p.resolve(p.bytes)
      return true
    }
    const failure = frame.outcome === WebSeedOutcome.Refused ? 'refused' : frame.outcome === WebSeedOutcome.Busy ? 'busy' : 'failed'
    p.reject(new RangeFetchError(failure, frame.reason || 'the web seed fetch failed'))
    return true
  }

  /** The connection dropped: every fetch in flight fails, as the bridge's trouble, not the web seed's. */
  failAll(reason: string): void {
    const all = [...this.pending.values()]
    this.pending.clear()
    for (const p of all) {
      p.cleanup()
      p.reject(new RangeFetchError('busy', reason))
    }
  }
}
