// Property-based tests (fast-check) of when the bridge talks to trackers: the schedule a tracker's
// answers set (core/tracker-communication/announce-schedule.ts) and the gate a page's ANNOUNCE frames pass
// (bridge/api-gateway/announce-gate.ts), on a fake clock, for any answers and any frames at any times.
import fc from 'fast-check'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { AnnounceGate } from '../../bridge/api-gateway/announce-gate'
import {
  ANNOUNCE_CEILING_S, ANNOUNCE_FLOOR_S, DEFAULT_INTERVAL_S, EVENT_BURST, EVENT_WINDOW_S, eventWait, nextAnnounceDelay, remember, retryDelay, RETRY_CEILING_S,
} from '../../src/core/tracker-communication/announce-schedule'
import { FrameType, type AnnounceEvent, type AnnounceFrame } from '../../src/protocol/bridge-frames'
import { runs } from '../support/property'

const WINDOW_MS = EVENT_WINDOW_S * 1000
const YEAR_S = 365 * 86_400

/** Fails unless no EVENT_WINDOW_S window (half open) holds more than EVENT_BURST of `times` (sorted). */
function expectSpaced(times: readonly number[], what: string): void {
  for (let i = 0; i + EVENT_BURST < times.length; i++) {
    expect(times[i + EVENT_BURST]! - times[i]!, `${what}: requests at ${times.slice(i, i + EVENT_BURST + 1).join(', ')} ms`).toBeGreaterThanOrEqual(WINDOW_MS)
  }
}

describe('nextAnnounceDelay and retryDelay', () => {
  /** What the parser gives (null, or whole seconds up to a year), and numbers it never gives. */
  const parsed = fc.option(fc.oneof(fc.integer({ min: 0, max: YEAR_S }), fc.constantFrom(0, 1, 59, 60, 61, 7199, 7200, 7201, YEAR_S)), { nil: null })
  const anyNumber = fc.oneof(parsed, fc.integer(), fc.double({ noNaN: true }))

  it('whatever the tracker says: within [floor, ceiling], never sooner than its min interval (up to the ceiling), its interval when that is allowed', () => {
    fc.assert(fc.property(parsed, parsed, (interval, minInterval) => {
      const delay = nextAnnounceDelay(interval, minInterval)
      expect(Number.isInteger(delay)).toBe(true)
      expect(delay).toBeGreaterThanOrEqual(ANNOUNCE_FLOOR_S)
      expect(delay).toBeLessThanOrEqual(ANNOUNCE_CEILING_S)
      expect(delay).toBeGreaterThanOrEqual(Math.min(minInterval ?? 0, ANNOUNCE_CEILING_S))
      const asked = interval ?? DEFAULT_INTERVAL_S
      if (asked >= Math.max(ANNOUNCE_FLOOR_S, minInterval ?? 0) && asked <= ANNOUNCE_CEILING_S) expect(delay).toBe(asked)
    }), runs(1000))
  })

  it('any other number (negative, fractional, huge, infinite) stays within [floor, ceiling] too', () => {
    fc.assert(fc.property(anyNumber, anyNumber, (interval, minInterval) => {
      const delay = nextAnnounceDelay(interval, minInterval)
      expect(delay).toBeGreaterThanOrEqual(ANNOUNCE_FLOOR_S)
      expect(delay).toBeLessThanOrEqual(ANNOUNCE_CEILING_S)
    }), runs(500))
  })

  it('a retry waits from the floor to RETRY_CEILING_S, never less after more failures', () => {
    fc.assert(fc.property(fc.integer({ min: -5, max: 1000 }), (failures) => {
      const delay = retryDelay(failures)
      expect(delay).toBeGreaterThanOrEqual(ANNOUNCE_FLOOR_S)
      expect(delay).toBeLessThanOrEqual(RETRY_CEILING_S)
      expect(retryDelay(failures + 1)).toBeGreaterThanOrEqual(delay)
    }), runs(300))
  })
})

describe('eventWait and remember', () => {
  /** Times something wants a request to go: any gaps, often none, sometimes a window or more. */
  const wants = fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: WINDOW_MS }), fc.integer({ min: WINDOW_MS - 2, max: 3 * WINDOW_MS })), { maxLength: 60 })
    .map((gaps) => { let t = 1_000_000; return gaps.map((g) => (t += g)) })

  it('requests sent only when eventWait is 0: never more than EVENT_BURST in any EVENT_WINDOW_S', () => {
    fc.assert(fc.property(wants, (times) => {
      let recent: number[] = []
      const sent: number[] = []
      for (const t of times) {
        if (eventWait(t, recent) > 0) continue
        recent = remember(recent, t)
        sent.push(t)
      }
      expectSpaced(sent, 'sent when free')
    }), runs(500))
  })

  it('requests that wait what eventWait says (the announcer\'s way): never more than EVENT_BURST in any window, and none waits longer than it must', () => {
    fc.assert(fc.property(wants, (times) => {
      let recent: number[] = []
      const sent: number[] = []
      let clock = 0
      for (const want of times) {
        clock = Math.max(clock, want)
        const wait = eventWait(clock, recent)
        // waiting is needed exactly when EVENT_BURST requests went out in the window before now
        expect(wait > 0).toBe(sent.filter((s) => s > clock - WINDOW_MS).length >= EVENT_BURST)
        clock += wait
        expect(eventWait(clock, recent)).toBe(0)
        recent = remember(recent, clock)
        expect(recent.length).toBeLessThanOrEqual(EVENT_BURST)
        sent.push(clock)
      }
      expectSpaced(sent, 'sent after waiting')
    }), runs(500))
  })
})

// ---- the gate of a page's ANNOUNCE frames ----

const HASHES = ['ab'.repeat(20), 'cd'.repeat(20)] as const
const LISTS = [['http://a.example/announce'], ['http://b.example/announce'], ['http://a.example/announce', 'udp://c.example:1337'], []]
interface Offer { dt: number; torrent: number; event: AnnounceEvent; list: number; dht: boolean }
const offerArb: fc.Arbitrary<Offer> = fc.record({
  dt: fc.oneof({ weight: 3, arbitrary: fc.integer({ min: 0, max: 50 }) }, { weight: 2, arbitrary: fc.integer({ min: 0, max: WINDOW_MS / 2 }) },
    { weight: 1, arbitrary: fc.integer({ min: WINDOW_MS - 5, max: WINDOW_MS + 5 }) }),
  torrent: fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.constant(1) }),
  event: fc.oneof({ weight: 3, arbitrary: fc.constant<AnnounceEvent>('none') }, { weight: 2, arbitrary: fc.constantFrom<AnnounceEvent>('started', 'completed', 'stopped') }),
  list: fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.nat(LISTS.length - 1) }),
  dht: fc.boolean(),
})
const offers = fc.array(offerArb, { minLength: 1, maxLength: 40 })

interface Stamped { frame: AnnounceFrame; at: number }

/** Offers each frame at its time, numbered by `uploaded` (its place in the sequence); what the gate applied, and when. */
function drive(gate: (apply: (f: AnnounceFrame) => void) => AnnounceGate, sequence: readonly Offer[]) {
  const applied: Stamped[] = []
  const g = gate((frame) => applied.push({ frame, at: Date.now() }))
  const offered: Stamped[] = []
  sequence.forEach((o, seq) => {
    vi.advanceTimersByTime(o.dt)
    const frame: AnnounceFrame = { type: FrameType.Announce, infoHash: HASHES[o.torrent]!, event: o.event, trackers: [...LISTS[o.list]!], dht: o.dht, uploaded: seq, downloaded: 0, left: 0 }
    offered.push({ frame, at: Date.now() })
    g.offer(frame)
  })
  return { gate: g, applied, offered }
}

/** Applied frames of one torrent that make the bridge contact its trackers: an event, or a tracker list other than the one before. */
function contacting(applied: readonly Stamped[], infoHash: string): number[] {
  let list: string | null = null
  const times: number[] = []
  for (const { frame, at } of applied) {
    if (frame.infoHash !== infoHash) continue
    const now = JSON.stringify(frame.trackers)
    if (frame.event !== 'none' || now !== list) times.push(at)
    list = now
  }
  return times
}

describe('AnnounceGate on any frames at any times', () => {
  beforeEach(() => { vi.useFakeTimers({ now: 1_000_000 }) })
  afterEach(() => { vi.useRealTimers() })
  const generous = (apply: (f: AnnounceFrame) => void) => new AnnounceGate(1000, 1000, apply, () => {})

  it('frames that contact trackers never take effect more than EVENT_BURST times per EVENT_WINDOW_S per torrent, whatever the page\'s rate limit', () => {
    const bucket = fc.constantFrom<[number, number]>([1000, 1000], [20, 600], [1, 5], [0.1, 2])
    fc.assert(fc.property(offers, bucket, (sequence, [rate, burst]) => {
      const { applied } = drive((apply) => new AnnounceGate(rate, burst, apply, () => {}), sequence)
      vi.advanceTimersByTime(3 * WINDOW_MS)
      for (const h of HASHES) expectSpaced(contacting(applied, h), h)
    }), runs(300))
  })

  it('every applied frame is the latest offered one with the latest event since the last applied (a refresh never hides an event), and the last one offered takes effect after a window', () => {
    fc.assert(fc.property(offers, (sequence) => {
      const { applied, offered } = drive(generous, sequence)
      vi.advanceTimersByTime(WINDOW_MS)
      for (const h of HASHES) {
        const mine = offered.filter((o) => o.frame.infoHash === h)
        const out = applied.filter((a) => a.frame.infoHash === h)
        let after = -1 // `uploaded` numbers the frames
        for (const { frame, at } of out) {
          const folded = mine.filter((o) => o.frame.uploaded > after && o.frame.uploaded <= frame.uploaded)
          const last = folded.at(-1)
          expect(last, 'frames take effect in order, each once').toBeDefined()
          expect(at).toBeGreaterThanOrEqual(last!.at)
          const event = folded.map((o) => o.frame.event).filter((e) => e !== 'none').at(-1) ?? 'none'
          expect(frame).toEqual({ ...last!.frame, event })
          after = frame.uploaded
        }
        // nothing offered is left behind: the last frame (and so the latest event) has taken effect
        expect(after).toBe(mine.at(-1)?.frame.uploaded ?? -1)
      }
    }), runs(300))
  })

  it('after forget(), nothing more takes effect for that torrent, and the spacing holds when it comes back', () => {
    fc.assert(fc.property(offers, fc.nat(1), fc.nat(LISTS.length - 1), (sequence, torrent, list) => {
      const { gate, applied } = drive(generous, [...sequence, { dt: 0, torrent, event: 'stopped', list, dht: false }])
      const h = HASHES[torrent]!
      gate.forget(h)
      const count = applied.length
      vi.advanceTimersByTime(3 * WINDOW_MS)
      expect(applied.slice(count).filter((a) => a.frame.infoHash === h)).toEqual([])
      gate.offer({ type: FrameType.Announce, infoHash: h, event: 'started', trackers: LISTS[list]!, dht: false, uploaded: 0, downloaded: 0, left: 0 })
      expectSpaced(contacting(applied, h), 'forget, then back')
    }), runs(300))
  })

  // Found by the properties above run against page-session's register/unregister path: the
  // spacing was forgotten with the torrent, and a held frame was passed whatever the spacing as
  // the torrent went, so a REGISTER, ANNOUNCE 'started', UNREGISTER loop reached every tracker
  // at every turn.
  it('regression: a torrent unregistered and registered again in a loop still contacts its trackers at most EVENT_BURST times per EVENT_WINDOW_S', () => {
    const applied: Stamped[] = []
    const gate = new AnnounceGate(20, 600, (frame) => applied.push({ frame, at: Date.now() }), () => {})
    const h = HASHES[0]
    for (let turn = 0; turn < 20; turn++) {
      gate.offer({ type: FrameType.Announce, infoHash: h, event: 'started', trackers: LISTS[0]!, dht: false, uploaded: turn, downloaded: 0, left: 0 })
      vi.advanceTimersByTime(100)
      gate.forget(h)
    }
    expectSpaced(contacting(applied, h), 'a register/unregister loop')
  })
})
