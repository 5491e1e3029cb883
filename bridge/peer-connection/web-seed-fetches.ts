/**
 * One page's web seed fetches (WEB_SEED_FETCH frames): each waits for a slot of the page's and
 * of the bridge's (request-slots.ts: how many at once, how many start a second), is fetched by
 * web-seed-http.ts under the destination policy, and streams its bytes to the page as
 * WEB_SEED_DATA frames, then one WEB_SEED_END. While the page's WebSocket is congested a fetch
 * stops reading its server (flow control: the bridge holds at most a chunk per fetch); a page that
 * does not read is then paused and dropped by its session's caps, as for streams.
 */
import { FrameType, MAX_DATA_PAYLOAD, WebSeedOutcome, type BridgeToPageFrame, type WebSeedFetchFrame } from '../../src/protocol/bridge-frames'
import { RefusedError, type Resolver } from '../api-gateway/checked-address'
import type { Cidr } from '../api-gateway/policy'
import type { RequestSlots } from '../api-gateway/request-slots'
import type { Outgoing } from './outgoing'
import { fetchWebSeedRange } from './web-seed-http'

/** What the fetches need of their page's session. */
export interface FetchOwner {
  send(frame: BridgeToPageFrame): void
  /** The page's WebSocket queue is past its high-water mark. */
  congested(): boolean
  registered(infoHash: string): boolean
  protocolError(reason: string): void
}

export interface WebSeedFetchOptions {
  allowNet: readonly Cidr[]
  resolve?: Resolver
  /** How the bridge opens connections (outgoing.ts): through the proxy when there is one. */
  outgoing?: Outgoing
  /** The page's slots (within the bridge's). */
  slots: RequestSlots
  /** Fetches a page may have waiting for a slot and in flight together; more are answered Busy. */
  maxPending: number
}

interface Fetch {
  infoHash: string
  controller: AbortController
}

export class WebSeedFetches {
  private readonly fetches = new Map<number, Fetch>()
  /** Fetches waiting for the page's WebSocket to drain. */
  private drainWaiters: (() => void)[] = []

  constructor(private readonly owner: FetchOwner, private readonly opts: WebSeedFetchOptions) {}

  get count(): number { return this.fetches.size }

  start(frame: WebSeedFetchFrame): void {
    const end = (outcome: WebSeedOutcome, reason: string) => this.owner.send({ type: FrameType.WebSeedEnd, fetch: frame.fetch, outcome, reason })
    if (this.fetches.has(frame.fetch)) return this.owner.protocolError(`web seed fetch ${frame.fetch} is already in flight`)
    if (!this.owner.registered(frame.infoHash)) return end(WebSeedOutcome.Failed, 'register the torrent before fetching from its web seeds')
    let url: URL
    try {
      url = new URL(frame.url)
    } catch {
      return end(WebSeedOutcome.Refused, 'not a URL')
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return end(WebSeedOutcome.Refused, 'web seeds are http:// or https:// URLs')
    if (this.fetches.size >= this.opts.maxPending) return end(WebSeedOutcome.Busy, `this page has ${this.fetches.size} web seed fetches under way, the most the bridge allows`)
    const entry: Fetch = { infoHash: frame.infoHash, controller: new AbortController() }
    this.fetches.set(frame.fetch, entry)
    void this.run(frame, url.href, entry).then(
      () => this.finish(frame.fetch, entry, WebSeedOutcome.Ok, ''),
      (err: Error) => this.finish(frame.fetch, entry, err instanceof RefusedError ? WebSeedOutcome.Refused : WebSeedOutcome.Failed, err.message),
    )
  }

  /** The page no longer wants it: no WEB_SEED_END follows. */
  cancel(fetch: number): void {
    const entry = this.fetches.get(fetch)
    if (!entry) return // it ended as the page cancelled it: the END is on its way
    this.fetches.delete(fetch)
    entry.controller.abort()
  }

  /** The torrent was unregistered: its fetches end without a word. */
  forget(infoHash: string): void {
    for (const [id, entry] of [...this.fetches]) if (entry.infoHash === infoHash) this.cancel(id)
  }

  /** The page's WebSocket drained below its high-water mark: held fetches read on. */
  drained(): void {
    if (this.owner.congested()) return
    const waiters = this.drainWaiters
    this.drainWaiters = []
    for (const wake of waiters) wake()
  }

  clear(): void {
    for (const id of [...this.fetches.keys()]) this.cancel(id)
    this.drained()
  }

  private async run(frame: WebSeedFetchFrame, url: string, entry: Fetch): Promise<void> {
    const signal = entry.controller.signal
    let release: (() => void) | null = null
    try {
      release = await this.opts.slots.acquire(signal)
      await fetchWebSeedRange(url, frame.start, frame.length, { allowNet: this.opts.allowNet, ...(this.opts.resolve ? { resolve: this.opts.resolve } : {}), ...(this.opts.outgoing ? { outgoing: this.opts.outgoing } : {}), signal },
        (bytes) => this.deliver(frame.fetch, entry, bytes))
    } finally {
      release?.()
    }
  }

  /** Sends `bytes` in frames of at most MAX_DATA_PAYLOAD; waits while the page's WebSocket is full. */
  private deliver(fetch: number, entry: Fetch, bytes: Uint8Array): void | Promise<void> {
    if (entry.controller.signal.aborted) return
    for (let at = 0; at < bytes.length; at += MAX_DATA_PAYLOAD) {
      // encoding copies the bytes into the frame: the socket's buffer may be reused at once
      this.owner.send({ type: FrameType.WebSeedData, fetch, data: bytes.subarray(at, at + MAX_DATA_PAYLOAD) })
    }
    if (!this.owner.congested()) return
    return new Promise<void>((resolve) => {
      const signal = entry.controller.signal
      const wake = () => {
        signal.removeEventListener('abort', wake)
        resolve()
      }
      signal.addEventListener('abort', wake, { once: true })
      this.drainWaiters.push(wake)
    })
  }

  private finish(fetch: number, entry: Fetch, outcome: WebSeedOutcome, reason: string): void {
    // cancelled (or the session ended): the page asked for no answer
    if (this.fetches.get(fetch) !== entry) return
    this.fetches.delete(fetch)
    this.owner.send({ type: FrameType.WebSeedEnd, fetch, outcome, reason })
  }
}
