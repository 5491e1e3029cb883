import { describe, expect, it } from 'vitest'
import { MAX_OFFERS, PROBE_EVERY, WebRtcOfferCount } from '../../src/core/peer-discovery/webrtc-offer-count'

describe('WebRtcOfferCount: how many WebRTC offers an announce makes', () => {
  it('the first announce makes all 5; each one after an unanswered announce half as many, 2, 1, then none', () => {
    const c = new WebRtcOfferCount()
    expect([1, 2, 3, 4, 5, 6].map(() => c.take(50))).toEqual([5, 2, 1, 0, 0, 0])
  })

  it('at none, one offer every PROBE_EVERY-th announce, and next says which', () => {
    const c = new WebRtcOfferCount()
    c.take(50)
    c.take(50)
    c.take(50) // 5, 2, 1
    const made: number[] = []
    const predicted: number[] = []
    for (let i = 0; i < 3 * PROBE_EVERY; i++) {
      predicted.push(c.next)
      made.push(c.take(50))
    }
    expect(made).toEqual(predicted)
    expect(made.filter((n) => n === 1)).toHaveLength(3)
    expect(made.filter((n) => n === 0)).toHaveLength(3 * PROBE_EVERY - 3)
    expect(made.indexOf(1)).toBe(PROBE_EVERY - 1)
  })

  it('a probe that is answered brings all 5 back', () => {
    const c = new WebRtcOfferCount()
    for (let i = 0; i < 3 + PROBE_EVERY; i++) c.take(50)
    c.webRtcPeerSeen()
    expect(c.take(50)).toBe(5)
  })

  it('never more than the announce asked (a complete torrent asks 0 and makes none)', () => {
    const c = new WebRtcOfferCount()
    expect(c.take(0)).toBe(0)
    expect(new WebRtcOfferCount().take(3)).toBe(3)
    // an announce without offers is no verdict on the offers before it
    c.take(50)
    c.take(0)
    expect(c.next).toBe(2)
  })

  it('an answer or an offer from a peer brings all 5 back at once, and an answered announce keeps them', () => {
    const c = new WebRtcOfferCount()
    c.take(50)
    c.take(50)
    expect(c.take(50)).toBe(1)
    c.webRtcPeerSeen()
    expect(c.next).toBe(MAX_OFFERS)
    expect(c.take(50)).toBe(5)
    c.webRtcPeerSeen() // that announce's offers were answered
    expect(c.take(50)).toBe(5)
    expect(c.take(50)).toBe(2) // the last one's were not
  })

  it('a swarm that grows brings all 5 back for one announce; a steady or shrinking one does not', () => {
    const c = new WebRtcOfferCount()
    c.swarmReported(1, 1) // the first report: nothing to compare with
    c.take(50)
    c.take(50)
    expect(c.take(50)).toBe(1)
    c.swarmReported(1, 1)
    c.swarmReported(0, 2)
    c.swarmReported(0, 1)
    expect(c.next).toBe(0)
    c.swarmReported(0, 2) // one more than the last report: maybe a WebRTC peer
    expect(c.take(50)).toBe(5)
    expect(c.take(50)).toBe(2) // unanswered again: down as before
  })

  it('ignores counts that are not counts (a tracker is a stranger)', () => {
    const c = new WebRtcOfferCount()
    c.swarmReported(0, 1)
    c.take(50)
    expect(c.take(50)).toBe(2)
    for (const [a, b] of [[1e300, 0], [-1, 5], ['9', 9], [null, 3], [2.5, 1], [Number.NaN, 2]] as const) c.swarmReported(a, b)
    expect(c.take(50)).toBe(1)
    c.swarmReported(0, 2) // still compared with the last good report (1)
    expect(c.next).toBe(5)
  })
})
