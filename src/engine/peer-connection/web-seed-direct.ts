/**
 * A web seed's byte range fetched by the page itself (fetch), read as the bridge reads it
 * (core/peer-connection/range-response.ts): a 206 of the range, or a 200 read only as far as the range. Most web
 * seeds send no CORS headers, so this fails with a TypeError ('unreachable'), and the web seed's
 * connection turns to the bridge instead. Only a Range header is sent: with any other header the
 * request would need a CORS preflight.
 */
import { BODY_IDLE_MS, RangeFetchError, RangeReader, contentLengthOf, planRangeBody } from '../../core/peer-connection/range-response'

export async function directRangeFetch(url: string, start: number, length: number, signal: AbortSignal): Promise<Uint8Array> {
  const controller = new AbortController()
  const onAbort = () => controller.abort()
  signal.addEventListener('abort', onAbort, { once: true })
  let stalled = false
  let timer: ReturnType<typeof setTimeout> | undefined
  const idle = () => {
    clearTimeout(timer)
    timer = setTimeout(() => { stalled = true; controller.abort() }, BODY_IDLE_MS)
  }
  const fail = (err: unknown): never => {
    if (signal.aborted) throw new RangeFetchError('busy', 'cancelled')
    if (stalled) throw new RangeFetchError('failed', `it sent nothing for ${BODY_IDLE_MS / 1000} s`)
    if (err instanceof RangeFetchError) throw err
    throw new RangeFetchError('failed', `its answer was cut off (${(err as Error).message})`)
  }
  try {
    idle()
    let res: Response
    try {
      res = await fetch(url, {
        headers: { range: `bytes=${start}-${start + length - 1}` },
        cache: 'no-store', credentials: 'omit', referrerPolicy: 'no-referrer', signal: controller.signal,
      })
    } catch (err) {
      if (signal.aborted || stalled) return fail(err)
      // a TypeError says nothing more (CORS, mixed content, network): the bridge may still reach it
      throw new RangeFetchError('unreachable', `the page cannot fetch it itself (${(err as Error).message})`)
    }
    const plan = planRangeBody(res.status, res.headers.get('content-range'), contentLengthOf(res.headers.get('content-length')), start, length)
    if (!plan.ok || !res.body) {
      void res.body?.cancel().catch(() => {})
      throw new RangeFetchError('failed', plan.ok ? 'its answer has no body' : plan.reason)
    }
    const out = new Uint8Array(length)
    const range = new RangeReader(plan.skip, length)
    const reader = res.body.getReader()
    try {
      while (!range.done) {
        idle()
        const { done, value } = await reader.read()
        if (done) throw new RangeFetchError('failed', range.shortfall() ?? 'its answer ended early')
        const at = range.received
        const part = range.push(value)
        out.set(part, at)
      }
    } finally {
      // done, or failed: bytes past the range are never read
      void reader.cancel().catch(() => {})
    }
    return out
  } catch (err) {
    return fail(err)
  } finally {
    clearTimeout(timer)
    signal.removeEventListener('abort', onAbort)
  }
}
