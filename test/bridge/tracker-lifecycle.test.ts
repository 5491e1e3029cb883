// A torrent's life as its trackers hear it, through the real bridge: started, stopped when it is
// removed (even while another request is out) or when its page goes, started again after a
// stop, and a budget on all of it, so that pages that churn cannot starve the others. Regression
// tests for the review of the tracker rewrite (each named after what it found).
import { createHash } from 'node:crypto'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FrameType } from '../../src/protocol/bridge-frames'
import { randomPeerId, rawPage, startTestBridge, waitFor, type RawPage, type TestBridge } from './harness'

const ANSWER = Buffer.from('d8:intervali1800e5:peers0:e')

/** An HTTP tracker on loopback that records each announce's event by path, and can be told to hold its answers. */
async function recordingTracker(): Promise<{ url(path: string): string; events(path: string): string[]; holdMs: number; close(): Promise<void> }> {
  const seen = new Map<string, string[]>()
  const state = { holdMs: 0 }
  const server = http.createServer((req, res) => {
    const url = new URL(req.url!, 'http://x')
    const list = seen.get(url.pathname) ?? []
    list.push(url.searchParams.get('event') ?? 'none')
    seen.set(url.pathname, list)
    setTimeout(() => res.end(ANSWER), state.holdMs)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return Object.assign(state, {
    url: (path: string) => `${base}${path}`,
    events: (path: string) => seen.get(path) ?? [],
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    }),
  })
}

const hash = (s: string) => createHash('sha1').update(s).digest('hex')

describe('a torrent\'s life at its trackers', () => {
  let bridge: TestBridge
  let tracker: Awaited<ReturnType<typeof recordingTracker>>
  const pages: RawPage[] = []
  const page = async () => {
    const p = await rawPage(bridge.wsUrl, { origin: bridge.origin })
    pages.push(p)
    return p
  }
  const announce = (p: RawPage, infoHash: string, event: 'started' | 'stopped' | 'none', trackers: string[]) =>
    p.send({ type: FrameType.Announce, infoHash, event, trackers, dht: false, uploaded: 0, downloaded: 0, left: 1 })

  beforeAll(async () => {
    tracker = await recordingTracker()
    bridge = await startTestBridge()
  })
  afterAll(async () => {
    for (const p of pages) p.close()
    await bridge.close()
    await tracker.close()
  })

  it('regression: a torrent removed while its announce is out still says stopped', async () => {
    const p = await page()
    const h = hash('removed while out')
    tracker.holdMs = 1000
    p.send({ type: FrameType.Register, infoHash: h, peerId: randomPeerId() })
    announce(p, h, 'started', [tracker.url('/out')])
    await waitFor(() => tracker.events('/out').length === 1, 3000, 'started sent')
    announce(p, h, 'stopped', [tracker.url('/out')])
    p.send({ type: FrameType.Unregister, infoHash: h })
    await waitFor(() => tracker.events('/out').length === 2, 5000, 'stopped sent')
    expect(tracker.events('/out')).toEqual(['started', 'stopped'])
    tracker.holdMs = 0
  })

  it('regression: a page that goes away says stopped for its torrents', async () => {
    const p = await page()
    const h = hash('page goes')
    p.send({ type: FrameType.Register, infoHash: h, peerId: randomPeerId() })
    announce(p, h, 'started', [tracker.url('/gone')])
    await waitFor(() => tracker.events('/gone').length === 1, 3000, 'started sent')
    p.close()
    await waitFor(() => tracker.events('/gone').length === 2, 5000, 'stopped sent')
    expect(tracker.events('/gone')).toEqual(['started', 'stopped'])
  })

  it('regression: started after stopped restarts a tracker that stays in a changed list', async () => {
    const p = await page()
    const h = hash('restart')
    p.send({ type: FrameType.Register, infoHash: h, peerId: randomPeerId() })
    announce(p, h, 'started', [tracker.url('/a')])
    await waitFor(() => tracker.events('/a').length === 1, 3000, 'started')
    announce(p, h, 'stopped', [tracker.url('/a')])
    await waitFor(() => tracker.events('/a').length === 2, 3000, 'stopped')
    announce(p, h, 'started', [tracker.url('/a'), tracker.url('/b')])
    await waitFor(() => tracker.events('/a').length === 3 && tracker.events('/b').length === 1, 3000, 'both started')
    expect(tracker.events('/a')).toEqual(['started', 'stopped', 'started'])
  })

  it('regression: pages that register, say stopped and drop torrents in a loop leave no backlog, and an honest page is announced at once', async () => {
    tracker.holdMs = 4000 // a slow tracker: goodbyes hold their slots
    const churners = await Promise.all(Array.from({ length: 4 }, () => page()))
    for (const [i, p] of churners.entries()) {
      for (let k = 0; k < 100; k++) {
        const h = hash(`churn ${i} ${k}`)
        const urls = Array.from({ length: 32 }, (_, u) => tracker.url(`/churn/${i}/${u}`))
        p.send({ type: FrameType.Register, infoHash: h, peerId: randomPeerId() })
        announce(p, h, 'started', urls)
        announce(p, h, 'stopped', urls)
        p.send({ type: FrameType.Unregister, infoHash: h })
      }
    }
    for (const p of churners) p.close()
    await new Promise((r) => setTimeout(r, 200))
    const honest = await page()
    const h = hash('honest')
    honest.send({ type: FrameType.Register, infoHash: h, peerId: randomPeerId() })
    announce(honest, h, 'started', [tracker.url('/honest')])
    // goodbyes never take request slots: the honest announce waits for nothing
    await waitFor(() => tracker.events('/honest').length === 1, 3000, 'the honest page\'s started')
    const hub = bridge.running.bridge!
    expect(hub.goodbyeSlots.inUse).toBeGreaterThan(0) // goodbyes are out, within their budget
    expect(hub.goodbyeSlots.inUse).toBeLessThanOrEqual(hub.limits.maxTrackerGoodbyesTotal)
    tracker.holdMs = 0
  }, 20_000)

  it('regression: a name that never resolves holds no slot once its torrent is gone', async () => {
    const stuck = await startTestBridge([], { maxTrackerRequestsTotal: 4 }, { resolve: (name) => name === 'never.test' ? new Promise(() => {}) : Promise.reject(new Error('unknown')) })
    try {
      const p = await rawPage(stuck.wsUrl, { origin: stuck.origin })
      pages.push(p)
      const hashes = Array.from({ length: 8 }, (_, i) => hash(`stuck ${i}`))
      for (const h of hashes) {
        p.send({ type: FrameType.Register, infoHash: h, peerId: randomPeerId() })
        announce(p, h, 'started', ['http://never.test/announce'])
      }
      await waitFor(() => stuck.running.bridge!.trackerSlots.inUse === 4, 3000, 'every slot taken by a lookup')
      for (const h of hashes) p.send({ type: FrameType.Unregister, infoHash: h })
      await waitFor(() => stuck.running.bridge!.trackerSlots.inUse === 0, 3000, 'the slots free again')
      const honest = await rawPage(stuck.wsUrl, { origin: stuck.origin })
      pages.push(honest)
      const h = hash('honest after stuck')
      honest.send({ type: FrameType.Register, infoHash: h, peerId: randomPeerId() })
      announce(honest, h, 'started', [tracker.url('/after-stuck')])
      await waitFor(() => tracker.events('/after-stuck').length === 1, 3000, 'the honest announce')
    } finally {
      await stuck.close()
    }
  })
})
