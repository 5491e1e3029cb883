// The bridge's per-page gates, on a fake clock: ANNOUNCE frames (announce-gate.ts), peers sent
// to a page (peer-batches.ts) and tracker requests in flight (request-slots.ts).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { AnnounceGate } from '../../bridge/api-gateway/announce-gate'
import { MAX_PEERS_PER_TORRENT, PEER_MEMORY_MS, PeerBatches } from '../../bridge/peer-discovery/peer-batches'
import { parseCidr } from '../../bridge/api-gateway/policy'
import { RequestSlots } from '../../bridge/api-gateway/request-slots'
import { EVENT_BURST, EVENT_WINDOW_S } from '../../src/core/tracker-communication/announce-schedule'
import { FrameType, type AnnounceEvent, type AnnounceFrame } from '../../src/protocol/bridge-frames'

const H = 'ab'.repeat(20)
const frame = (event: AnnounceEvent, trackers = ['http://t.example/announce']): AnnounceFrame =>
  ({ type: FrameType.Announce, infoHash: H, event, trackers, dht: false, uploaded: 0, downloaded: 0, left: 0 })

beforeEach(() => { vi.useFakeTimers() })
afterEach(() => { vi.useRealTimers() })

describe('AnnounceGate', () => {
  it('passes a torrent\'s life at once, folds a loop into one frame per window, and never hides an event behind a refresh', () => {
    const applied: AnnounceFrame[] = []
    const gate = new AnnounceGate(1000, 1000, (f) => applied.push(f), () => {})
    gate.offer(frame('started'))
    gate.offer(frame('none')) // a stats refresh, same list: passes, costs no request
    gate.offer(frame('completed'))
    gate.offer(frame('stopped'))
    expect(applied.map((f) => f.event)).toEqual(['started', 'none', 'completed', 'stopped'])
    // a page that flips the list and the state in a loop
    for (let i = 0; i < 100; i++) gate.offer(frame(i % 2 ? 'started' : 'stopped', [i % 2 ? 'http://a/announce' : 'http://b/announce']))
    gate.offer(frame('none', ['http://b/announce']))
    expect(applied).toHaveLength(4)
    vi.advanceTimersByTime(EVENT_WINDOW_S * 1000)
    // one frame: the latest list, the latest event ('none' did not hide 'started')
    expect(applied).toHaveLength(5)
    expect(applied[4]).toMatchObject({ event: 'started', trackers: ['http://b/announce'] })
  })
  it('a torrent forgotten and offered again keeps its budget; what was held back is dropped', () => {
    const applied: AnnounceFrame[] = []
    const gate = new AnnounceGate(1000, 1000, (f) => applied.push(f), () => {})
    for (let i = 0; i < EVENT_BURST; i++) gate.offer(frame(i % 2 ? 'stopped' : 'started'))
    gate.offer(frame('stopped')) // held: the budget is spent
    gate.forget(H)
    vi.advanceTimersByTime(EVENT_WINDOW_S * 1000 - 1)
    expect(applied).toHaveLength(EVENT_BURST)
    gate.offer(frame('started')) // registered again: still inside the window, held
    expect(applied).toHaveLength(EVENT_BURST)
    vi.advanceTimersByTime(1)
    expect(applied.at(-1)!.event).toBe('started')
  })
  it('regression: turning the DHT on and off counts as contacting (each turn on started a DHT walk)', () => {
    const applied: AnnounceFrame[] = []
    const gate = new AnnounceGate(1000, 1000, (f) => applied.push(f), () => {})
    for (let i = 0; i < 100; i++) gate.offer({ ...frame('none'), dht: i % 2 === 0 })
    expect(applied.length).toBeLessThanOrEqual(EVENT_BURST)
  })
  it('drops frames past the page\'s rate, with one notice', () => {
    const applied: AnnounceFrame[] = []
    const notices: string[] = []
    const gate = new AnnounceGate(1, 5, (f) => applied.push(f), (_h, m) => notices.push(m))
    gate.offer(frame('started'))
    for (let i = 0; i < 100; i++) gate.offer(frame('none'))
    expect(applied).toHaveLength(5)
    expect(notices).toEqual([expect.stringMatching(/faster than the bridge takes them/)])
  })
})

describe('PeerBatches', () => {
  it('sends canonical, allowed, new peers in batches, at most MAX_PEERS_PER_TORRENT per torrent until the memory ends', () => {
    const sent: string[] = []
    const notices: string[] = []
    const batches = new PeerBatches([parseCidr('127.0.0.0/8')], (_h, _s, peers) => sent.push(...peers.map((p) => `${p.host}:${p.port}`)), (_h, m) => notices.push(m))
    batches.add(H, 'tracker', '1.2.3.4', 6881)
    batches.add(H, 'dht', '1.2.3.4', 6881) // the same peer from another source: sent once
    batches.add(H, 'tracker', 16909060, 6881) // not an address
    batches.add(H, 'tracker', '10.0.0.1', 6881) // refused by policy: the page could not dial it
    batches.add(H, 'tracker', '127.0.0.1', 80) // allowed by --allow-net
    batches.add(H, 'tracker', '::ffff:5.6.7.8', '6881')
    vi.advanceTimersByTime(100)
    expect(sent).toEqual(['1.2.3.4:6881', '127.0.0.1:80', '5.6.7.8:6881'])
    for (let i = 0; i < 3 * MAX_PEERS_PER_TORRENT; i++) batches.add(H, 'dht', `2.${(i >> 16) & 0xff}.${(i >> 8) & 0xff}.${i & 0xff}`, 6881)
    vi.advanceTimersByTime(100)
    expect(sent).toHaveLength(MAX_PEERS_PER_TORRENT)
    expect(notices).toHaveLength(1)
    vi.advanceTimersByTime(PEER_MEMORY_MS + 1)
    batches.add(H, 'dht', '9.9.9.9', 6881)
    vi.advanceTimersByTime(100)
    expect(sent.at(-1)).toBe('9.9.9.9:6881')
  })

  it('sends a peer the policy refuses only when LSD found it and the LSD exception allows it (local-network.ts)', () => {
    const sent: string[] = []
    const lan = (_h: string, p: { host: string; port: number }) => p.host === '192.168.1.33'
    const batches = new PeerBatches([], (_h, source, peers) => sent.push(...peers.map((p) => `${source} ${p.host}:${p.port}`)), () => {}, Date.now, lan)
    batches.add(H, 'tracker', '192.168.1.33', 6881) // a tracker's word for a private address: no
    batches.add(H, 'lsd', '192.168.1.44', 6881) // LSD, but not allowed by the exception
    batches.add(H, 'lsd', '192.168.1.33', 6881)
    vi.advanceTimersByTime(100)
    expect(sent).toEqual(['lsd 192.168.1.33:6881'])
  })
})

describe('RequestSlots', () => {
  it('holds a page to its slots and every page to the bridge\'s', async () => {
    vi.useRealTimers()
    const total = new RequestSlots(3)
    const pageA = new RequestSlots(2, total)
    const pageB = new RequestSlots(2, total)
    const a1 = await pageA.acquire()
    const a2 = await pageA.acquire()
    let a3: (() => void) | null = null
    void pageA.acquire().then((r) => { a3 = r })
    const b1 = await pageB.acquire()
    let b2: (() => void) | null = null
    void pageB.acquire().then((r) => { b2 = r })
    await new Promise((r) => setTimeout(r, 10))
    expect([a3, b2]).toEqual([null, null]) // A at its 2, the bridge at its 3
    a1()
    await new Promise((r) => setTimeout(r, 10))
    // the bridge's slot went to the first in its line (B's); A's waiter has A's slot and waits for the bridge's
    expect(b2).not.toBeNull()
    expect(a3).toBeNull()
    a2()
    await new Promise((r) => setTimeout(r, 10))
    expect(a3).not.toBeNull()
    b1()
    a2() // released twice: counted once
    expect(total.inUse).toBe(2)
  })
})
