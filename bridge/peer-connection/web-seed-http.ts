/**
 * A web seed's byte range (BEP 19), fetched for a page: a GET with `Range` to the address that
 * passed the destination policy (checked-address.ts, the trackers' rule: ports 80 and 443 are
 * where web servers live), at most MAX_REDIRECTS redirects, each checked again the same way; the
 * answer judged and cut to the range by src/core/peer-connection/range-response.ts, so that only the bytes asked
 * for are ever passed on, and a short or wrong-sized answer is an error.
 *
 * The bridge's one outgoing HTTP request for web seeds is `webSeedGet` below (a proxy, when there
 * is one, goes there). Over node:http, as the tracker client is, not fetch: fetch loads undici.
 */
import http from 'node:http'
import https from 'node:https'
import { BODY_IDLE_MS, RangeReader, contentLengthOf, planRangeBody } from '../../src/core/peer-connection/range-response'
import { RefusedError, type Resolver } from '../api-gateway/checked-address'
import { Outgoing } from './outgoing'
import { checkWebSeedAddress, type Cidr } from '../api-gateway/policy'

export const MAX_REDIRECTS = 3
/** From the start to the answer's headers: the name's resolution, every redirect, the connects. */
export const HEADERS_TIMEOUT_MS = 15_000

export interface WebSeedRequestContext {
  allowNet: readonly Cidr[]
  resolve?: Resolver
  /** How the bridge opens connections (directly, from --outgoing-interface, through --proxy). */
  outgoing?: Outgoing
  /** Aborts the fetch (the page cancelled it, or went). */
  signal: AbortSignal
}

/**
 * Called with each part of the range, in order; a promise returned holds the reading back until
 * it settles (the page's WebSocket is full), so the bridge never holds more than a chunk per fetch.
 */
export type RangeSink = (bytes: Uint8Array) => void | Promise<void>

/**
 * Fetches bytes [start, start + length) of the file at `url` into `sink`; resolves once all of
 * them went there. Throws RefusedError when the policy refuses where it leads, Error otherwise
 * (the message says what the web seed did wrong); an abort ends it quietly with 'stopped'.
 */
export async function fetchWebSeedRange(url: string, start: number, length: number, ctx: WebSeedRequestContext, sink: RangeSink): Promise<void> {
  // one signal for the requests: the page's cancel, and the headers' deadline until they came
  // (a request's signal covers its body too, which may take longer)
  const controller = new AbortController()
  let timedOut = false
  const deadline = setTimeout(() => {
    timedOut = true
    controller.abort()
  }, HEADERS_TIMEOUT_MS)
  const onCancel = () => controller.abort()
  ctx.signal.addEventListener('abort', onCancel, { once: true })
  const signal = controller.signal
  const why = () => new Error(timedOut ? 'timed out' : 'stopped')
  try {
    let current = url
    for (let hop = 0; ; hop++) {
      const target = new URL(current)
      if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new RefusedError(`a redirect to ${target.protocol} is not followed`)
      // the deadline covers the name's resolution too: a name server that never answers ends here
      const route = await (ctx.outgoing ?? Outgoing.DIRECT).requestOptions(target, {
        allowNet: ctx.allowNet, signal, prefix: hop ? 'a redirect: ' : '', check: checkWebSeedAddress, ...(ctx.resolve ? { resolve: ctx.resolve } : {}),
      }).catch((err: Error) => {
        throw signal.aborted ? why() : err
      })
      if (signal.aborted) throw why()
      const res = await webSeedGet(target, route, start, length, signal).catch((err: Error) => {
        throw signal.aborted ? why() : err
      })
      const status = res.statusCode ?? 0
      if (status >= 300 && status < 400 && res.headers.location) {
        res.destroy()
        if (hop >= MAX_REDIRECTS) throw new Error(`more than ${MAX_REDIRECTS} redirects`)
        current = new URL(res.headers.location, target).href
        continue
      }
      clearTimeout(deadline)
      return await readRange(res, start, length, signal, sink)
    }
  } finally {
    clearTimeout(deadline)
    ctx.signal.removeEventListener('abort', onCancel)
  }
}

/**
 * The one outgoing request: GET `target` where `route` says (the checked address, from the
 * outgoing interface, or through the proxy: outgoing.ts), asking for the range, identity encoding.
 */
function webSeedGet(target: URL, route: http.RequestOptions, start: number, length: number, signal: AbortSignal): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const client = target.protocol === 'https:' ? https : http
    const request = client.get(target, {
      ...route,
      signal,
      headers: { 'user-agent': 'TorrentWeb/0.1', 'accept-encoding': 'identity', range: `bytes=${start}-${start + length - 1}` },
    }, resolve)
    request.on('error', (err: NodeJS.ErrnoException) => reject(new Error(err.code ?? err.message)))
  })
}

/** The range out of `res`'s body into `sink`, as planRangeBody and RangeReader judge it. */
async function readRange(res: http.IncomingMessage, start: number, length: number, signal: AbortSignal, sink: RangeSink): Promise<void> {
  try {
    const encoding = res.headers['content-encoding']
    if (encoding && encoding.toLowerCase() !== 'identity') throw new Error(`it sent its answer encoded (${encoding.slice(0, 20)})`)
    const contentRange = res.headers['content-range'] ?? null
    const plan = planRangeBody(res.statusCode ?? 0, contentRange, contentLengthOf(res.headers['content-length']), start, length)
    if (!plan.ok) throw new Error(plan.reason)
    const reader = new RangeReader(plan.skip, length)
    const idle = new IdleTimer(BODY_IDLE_MS)
    try {
      for await (const chunk of raceIdle(res, idle, signal)) {
        const part = reader.push(chunk as Buffer)
        if (part.length) {
          // the pause is ours (the page's WebSocket is full): not the server's silence
          idle.pause()
          await sink(part)
          idle.resume()
        }
        if (reader.done) return
      }
    } finally {
      idle.stop()
    }
    if (signal.aborted) throw new Error('stopped')
    throw new Error(reader.shortfall() ?? 'its answer ended early')
  } finally {
    res.destroy() // done, or failed: bytes past the range are never read
  }
}

/** A timer that fires after `ms` without a reset, paused while the reader waits on the page. */
class IdleTimer {
  private timer: NodeJS.Timeout | null = null
  private onFire: (() => void) | null = null
  constructor(private readonly ms: number) {}
  start(onFire: () => void): void {
    this.onFire = onFire
    this.resume()
  }
  resume(): void {
    this.pause()
    if (this.onFire) this.timer = setTimeout(this.onFire, this.ms)
  }
  pause(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
  }
  stop(): void {
    this.pause()
    this.onFire = null
  }
}

/** The body's chunks, ended with an error when it stalls, is cut off, or the fetch is aborted. */
async function* raceIdle(res: http.IncomingMessage, idle: IdleTimer, signal: AbortSignal): AsyncGenerator<Uint8Array> {
  const onAbort = () => res.destroy(new Error('stopped'))
  signal.addEventListener('abort', onAbort, { once: true })
  idle.start(() => res.destroy(new Error(`it sent nothing for ${BODY_IDLE_MS / 1000} s`)))
  let aborted = false
  res.once('aborted', () => { aborted = true })
  try {
    for await (const chunk of res) {
      idle.resume()
      yield chunk as Uint8Array
    }
    if (aborted) throw new Error('the answer was cut off')
  } catch (err) {
    // the stream's own error is 'aborted' (ECONNRESET) when the server hangs up mid-body
    const message = (err as Error).message
    throw new Error(message === 'aborted' || (err as NodeJS.ErrnoException).code === 'ECONNRESET' ? 'the answer was cut off' : message)
  } finally {
    signal.removeEventListener('abort', onAbort)
  }
}
