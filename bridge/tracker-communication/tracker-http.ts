/**
 * An HTTP(S) tracker announce (BEP 3, 23): a GET to the address that passed the destination
 * policy (checked-address.ts), or through the proxy (outgoing.ts), at most MAX_REDIRECTS redirects, each checked again the same way,
 * an answer of at most MAX_TRACKER_RESPONSE_BYTES, and REQUEST_TIMEOUT_MS for all of it.
 *
 * Our own rather than bittorrent-tracker's client: that one resolves the name again when it
 * connects (and at every re-announce), so the policy's check could be rebound; it re-announces at
 * whatever `interval` the tracker says, -1 included; and it hands on dictionary peers as
 * `${ip}:${port}` whatever `ip` is. Over node:http rather than fetch: Node's fetch loads undici,
 * which cost the bridge 18 MB of RSS for good (measured when the server was first bundled).
 */
import http from 'node:http'
import https from 'node:https'
import { parseHttpAnnounce, type HttpAnswer } from '../../src/core/tracker-communication/tracker-response'
import { RefusedError, type Resolver } from '../api-gateway/checked-address'
import { Outgoing } from '../peer-connection/outgoing'
import type { Cidr } from '../api-gateway/policy'

/** Peer lists are 6 bytes a peer: an answer beyond this is not one. */
export const MAX_TRACKER_RESPONSE_BYTES = 1024 * 1024
export const MAX_REDIRECTS = 3
export const REQUEST_TIMEOUT_MS = 15_000

export interface TrackerRequestContext {
  allowNet: readonly Cidr[]
  resolve?: Resolver
  /** This request's own (a long-lived signal would keep a reference per request: AbortSignal.any). */
  signal?: AbortSignal
  /** Directly, from an interface, or through the proxy (outgoing.ts); direct when absent. */
  outgoing?: Outgoing
}

export interface AnnounceParams {
  infoHash: Uint8Array
  peerId: Uint8Array
  port: number
  uploaded: number
  downloaded: number
  /** Bytes left; -1 when unknown (a magnet before its metadata). */
  left: number
  event: 'started' | 'completed' | 'stopped' | 'none'
  numwant: number
  trackerId?: Uint8Array | null
}

/** The announce URL with BEP 3's query (binary values percent-encoded byte by byte). */
export function announceUrl(base: string, p: AnnounceParams): string {
  const query = [
    `info_hash=${percentBytes(p.infoHash)}`,
    `peer_id=${percentBytes(p.peerId)}`,
    `port=${p.port}`,
    `uploaded=${Math.max(0, Math.floor(p.uploaded))}`,
    `downloaded=${Math.max(0, Math.floor(p.downloaded))}`,
    // 16 KiB, as bittorrent-tracker says for a magnet: some trackers drop an announce without `left`
    `left=${p.left >= 0 ? Math.floor(p.left) : 16384}`,
    'compact=1',
    `numwant=${p.numwant}`,
    ...(p.event !== 'none' ? [`event=${p.event}`] : []),
    ...(p.trackerId ? [`trackerid=${percentBytes(p.trackerId)}`] : []),
  ].join('&')
  return `${base}${base.includes('?') ? '&' : '?'}${query}`
}

export async function httpAnnounce(url: string, params: AnnounceParams, ctx: TrackerRequestContext): Promise<HttpAnswer> {
  const body = await httpGetChecked(announceUrl(url, params), ctx)
  return parseHttpAnnounce(body)
}

/** The body of a 200 answer to a GET of `url`, every hop checked; throws with a reason otherwise. */
export async function httpGetChecked(url: string, ctx: TrackerRequestContext): Promise<Uint8Array> {
  const deadline = AbortSignal.timeout(REQUEST_TIMEOUT_MS)
  const signal = ctx.signal ? AbortSignal.any([ctx.signal, deadline]) : deadline
  let current = url
  for (let hop = 0; ; hop++) {
    const target = new URL(current)
    if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new RefusedError(`a redirect to ${target.protocol} is not followed`)
    // the deadline covers the name's resolution too: a name server that never answers ends here
    const route = await (ctx.outgoing ?? Outgoing.DIRECT).requestOptions(target, {
      allowNet: ctx.allowNet, signal, prefix: hop ? 'a redirect: ' : '', ...(ctx.resolve ? { resolve: ctx.resolve } : {}),
    })
    const answer = await get(target, route, signal)
    if (answer.type === 'body') return answer.body
    if (hop >= MAX_REDIRECTS) throw new Error(`more than ${MAX_REDIRECTS} redirects`)
    current = new URL(answer.location, target).href
  }
}

type Answer = { type: 'body'; body: Uint8Array } | { type: 'redirect'; location: string }

/** `route`: where the connection goes (the checked address, or the proxy), from outgoing.ts. */
function get(target: URL, route: http.RequestOptions, signal: AbortSignal): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const client = target.protocol === 'https:' ? https : http
    const request = client.get(target, {
      ...route,
      signal,
      headers: { 'user-agent': 'TorrentWeb/0.1', 'accept-encoding': 'identity' },
    }, (res) => {
      const status = res.statusCode ?? 0
      if (status >= 300 && status < 400 && res.headers.location) {
        res.destroy()
        resolve({ type: 'redirect', location: res.headers.location })
        return
      }
      if (status !== 200) {
        res.destroy()
        reject(new Error(`HTTP ${status}`))
        return
      }
      const declared = Number(res.headers['content-length'])
      if (declared > MAX_TRACKER_RESPONSE_BYTES) {
        res.destroy()
        reject(new Error(`its answer of ${declared} bytes is over ${MAX_TRACKER_RESPONSE_BYTES}`))
        return
      }
      const chunks: Buffer[] = []
      let size = 0
      res.on('data', (chunk: Buffer) => {
        size += chunk.length
        if (size > MAX_TRACKER_RESPONSE_BYTES) {
          reject(new Error(`its answer is over ${MAX_TRACKER_RESPONSE_BYTES} bytes`)) // before destroy() says 'aborted'
          res.destroy()
        } else chunks.push(chunk)
      })
      res.on('end', () => resolve({ type: 'body', body: new Uint8Array(Buffer.concat(chunks)) }))
      res.on('error', (err) => reject(err))
      res.on('aborted', () => reject(new Error('the answer was cut off')))
    })
    request.on('error', (err: NodeJS.ErrnoException) => reject(signal.aborted ? new Error('timed out') : new Error(err.code ?? err.message)))
  })
}

function percentBytes(bytes: Uint8Array): string {
  let out = ''
  for (const b of bytes) out += `%${b.toString(16).padStart(2, '0')}`
  return out
}
