import { describe, expect, it } from 'vitest'
import { RangeFetches } from '../../src/bridge-client/range-fetches'
import { RangeFetchError } from '../../src/core/peer-connection/range-response'
import { FrameType, MAX_WEB_SEED_URL_BYTES, WebSeedOutcome, type PageToBridgeFrame } from '../../src/protocol/bridge-frames'

const H = 'ab'.repeat(20)

function fetches() {
  const sent: PageToBridgeFrame[] = []
  return { sent, fetches: new RangeFetches((frame) => sent.push(frame)) }
}

describe('the page\'s web seed fetches through the bridge', () => {
  it('asks for the range and gathers its bytes, in whatever frames they come', async () => {
    const { sent, fetches: f } = fetches()
    const got = f.fetch(H, 'http://m.example/a', 10, 5)
    expect(sent).toEqual([{ type: FrameType.WebSeedFetch, fetch: 1, infoHash: H, url: 'http://m.example/a', start: 10, length: 5 }])
    expect(f.handleData({ type: FrameType.WebSeedData, fetch: 1, data: Uint8Array.of(1, 2) })).toBe(true)
    expect(f.handleData({ type: FrameType.WebSeedData, fetch: 1, data: Uint8Array.of(3, 4, 5) })).toBe(true)
    expect(f.handleEnd({ type: FrameType.WebSeedEnd, fetch: 1, outcome: WebSeedOutcome.Ok, reason: '' })).toBe(true)
    expect([...await got]).toEqual([1, 2, 3, 4, 5])
    expect(f.inFlight).toBe(0)
  })

  it('a bridge that sends past the range or ends it short breaks the protocol', async () => {
    const { fetches: f } = fetches()
    void f.fetch(H, 'http://m.example/a', 0, 2).catch(() => {})
    expect(f.handleData({ type: FrameType.WebSeedData, fetch: 1, data: Uint8Array.of(1, 2, 3) })).toBe(false)
    const short = f.fetch(H, 'http://m.example/a', 0, 2)
    f.handleData({ type: FrameType.WebSeedData, fetch: 2, data: Uint8Array.of(1) })
    expect(f.handleEnd({ type: FrameType.WebSeedEnd, fetch: 2, outcome: WebSeedOutcome.Ok, reason: '' })).toBe(false)
    await expect(short).rejects.toThrow(RangeFetchError)
  })

  it('each outcome as the web seed connection judges it: failed, refused, busy; a dropped connection is busy', async () => {
    const { fetches: f } = fetches()
    const failure = (p: Promise<unknown>) => p.then(() => 'ok', (err: RangeFetchError) => `${err.failure}: ${err.message}`)
    const a = failure(f.fetch(H, 'http://a/', 0, 1))
    const b = failure(f.fetch(H, 'http://b/', 0, 1))
    const c = failure(f.fetch(H, 'http://c/', 0, 1))
    const d = failure(f.fetch(H, 'http://d/', 0, 1))
    f.handleEnd({ type: FrameType.WebSeedEnd, fetch: 1, outcome: WebSeedOutcome.Failed, reason: 'HTTP 500' })
    f.handleEnd({ type: FrameType.WebSeedEnd, fetch: 2, outcome: WebSeedOutcome.Refused, reason: 'a private address' })
    f.handleEnd({ type: FrameType.WebSeedEnd, fetch: 3, outcome: WebSeedOutcome.Busy, reason: 'at its caps' })
    f.failAll('the bridge connection was lost')
    expect(await Promise.all([a, b, c, d])).toEqual(['failed: HTTP 500', 'refused: a private address', 'busy: at its caps', 'busy: the bridge connection was lost'])
  })

  it('a fetch given up is cancelled, and its late frames are ignored; a URL too long for a frame is refused before it is sent', async () => {
    const { sent, fetches: f } = fetches()
    const controller = new AbortController()
    const got = f.fetch(H, 'http://m.example/a', 0, 4, controller.signal)
    controller.abort()
    await expect(got).rejects.toThrow('cancelled')
    expect(sent.at(-1)).toEqual({ type: FrameType.WebSeedCancel, fetch: 1 })
    expect(f.handleData({ type: FrameType.WebSeedData, fetch: 1, data: Uint8Array.of(1, 2, 3, 4, 5, 6) })).toBe(true)
    expect(f.handleEnd({ type: FrameType.WebSeedEnd, fetch: 1, outcome: WebSeedOutcome.Ok, reason: '' })).toBe(true)
    const long = `http://m.example/${'x'.repeat(MAX_WEB_SEED_URL_BYTES)}`
    await expect(f.fetch(H, long, 0, 1)).rejects.toThrow(/longer than the bridge takes/)
    expect(sent).toHaveLength(2)
  })
})
