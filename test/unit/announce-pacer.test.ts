import { describe, expect, it } from 'vitest'
import { AnnouncePacer } from '../../src/core/peer-discovery/announce-pacer'
import { sameAnnouncedState } from '../../src/core/peer-discovery/stats-refresh'

const hash = (i: number) => i.toString(16).padStart(40, '0')

/** Drains the pacer on a simulated clock, as the BridgeClient's timer does; returns each frame with its send time. */
function drain<R>(pacer: AnnouncePacer<R>, start: number) {
  const sent: { at: number; infoHash: string; event: string; request: R }[] = []
  let now = start
  for (;;) {
    for (const a of pacer.take(now)) sent.push({ at: now, infoHash: a.infoHash, event: a.event, request: a.request })
    const wait = pacer.waitMs(now)
    if (wait < 0) return sent
    now += Math.max(wait, 1)
  }
}

/** The bridge's own bucket (bridge/api-gateway/limits.ts TokenBucket): how many of `times` it drops. */
function bridgeDrops(times: number[], rate: number, burst: number, start: number): number {
  let tokens = burst
  let last = start
  let dropped = 0
  for (const t of times) {
    tokens = Math.min(burst, tokens + ((t - last) / 1000) * rate)
    last = t
    if (tokens < 1) dropped++
    else tokens -= 1
  }
  return dropped
}

describe('announce pacer', () => {
  it('lets 1,000 torrents\' announces through a bridge of 20 a second after 600 without one dropped', () => {
    const pacer = new AnnouncePacer<number>(20, 600, 0)
    for (let i = 0; i < 1000; i++) pacer.offer(hash(i), 'none', i)
    const sent = drain(pacer, 0)
    expect(sent.map((s) => s.request)).toEqual([...Array(1000).keys()])
    expect(bridgeDrops(sent.map((s) => s.at), 20, 600, 0)).toBe(0)
    // and the same 1,000 sent at once, as before, lose 400
    expect(bridgeDrops(Array(1000).fill(0), 20, 600, 0)).toBe(400)
  })

  it('stays under the bridge when frames keep coming while it drains', () => {
    const pacer = new AnnouncePacer<number>(20, 600, 0)
    const times: number[] = []
    let now = 0
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 1000; i++) pacer.offer(hash(round * 1000 + i), 'none', i)
      for (let step = 0; step < 30_000; step += 50) {
        now += 50
        for (const _ of pacer.take(now)) times.push(now)
      }
    }
    expect(times.length).toBeGreaterThan(1000)
    expect(bridgeDrops(times, 20, 600, 0)).toBe(0)
  })

  it('sends events before refreshes, and a torrent\'s newest request with its strongest event', () => {
    const pacer = new AnnouncePacer<string>(1, 2, 0) // a burst of one
    pacer.offer(hash(1), 'none', 'r1')
    pacer.offer(hash(2), 'none', 'r2')
    pacer.offer(hash(3), 'started', 's3')
    pacer.offer(hash(2), 'completed', 'c2')
    pacer.offer(hash(2), 'none', 'r2b') // a refresh does not hide the completed
    pacer.offer(hash(3), 'none', 'r3')
    expect(pacer.pending).toBe(3)
    const sent = drain(pacer, 0)
    expect(sent.map((s) => [s.infoHash, s.event, s.request])).toEqual([
      [hash(3), 'started', 'r3'],
      [hash(2), 'completed', 'r2b'],
      [hash(1), 'none', 'r1'],
    ])
    // after the burst, no faster than 0.9 of the bridge's rate (simulated clock)
    expect(sent[0]!.at).toBe(0)
    for (let i = 1; i < sent.length; i++) expect(sent[i]!.at - sent[i - 1]!.at).toBeGreaterThanOrEqual(1000 / 0.9)
  })

  it('holds UNREGISTER behind a waiting goodbye, and gives the goodbye out of turn when the torrent comes back', () => {
    const pacer = new AnnouncePacer<string>(1, 2, 0)
    expect(pacer.take(0)).toHaveLength(0)
    pacer.offer(hash(9), 'started', 'x')
    expect(pacer.take(0)).toHaveLength(1) // the burst of one is spent
    expect(pacer.unregisterAfter(hash(1))).toBe(false) // nothing waits: unregister now
    pacer.offer(hash(1), 'stopped', 'bye')
    expect(pacer.unregisterAfter(hash(1))).toBe(true)
    expect(pacer.take(0)).toHaveLength(0)
    expect(pacer.takeOne(hash(1))).toMatchObject({ event: 'stopped', request: 'bye', unregister: true })
    expect(pacer.pending).toBe(0)
    expect(pacer.waitMs(0)).toBe(-1)
  })
})

describe('stats refresh', () => {
  const base = { trackers: ['udp://a:1', 'http://b/announce'], dht: true, uploaded: 1, downloaded: 2, left: 3 }
  it('is the same only when stats, trackers and the DHT flag all are', () => {
    expect(sameAnnouncedState(base, { ...base, trackers: [...base.trackers] })).toBe(true)
    for (const other of [{ uploaded: 9 }, { downloaded: 9 }, { left: 0 }, { dht: false }, { trackers: ['udp://a:1'] }, { trackers: ['http://b/announce', 'udp://a:1'] }]) {
      expect(sameAnnouncedState(base, { ...base, ...other })).toBe(false)
    }
  })
})
