import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { MAX_SKIPPED_BYTES, RangeReader, contentLengthOf, parseContentRange, planRangeBody } from '../../src/core/peer-connection/range-response'
import { runs } from '../support/property'

describe('Content-Range', () => {
  it('reads bytes first-last/size, size unknown as *', () => {
    expect(parseContentRange('bytes 0-99/1000')).toEqual({ first: 0, last: 99, size: 1000 })
    expect(parseContentRange('Bytes 5-5/*')).toEqual({ first: 5, last: 5, size: null })
    expect(parseContentRange(' bytes 10-19/20 ')).toEqual({ first: 10, last: 19, size: 20 })
  })

  it('refuses anything else: other units, reversed or empty ranges, a range past the size, huge or long values', () => {
    for (const bad of ['items 0-1/2', 'bytes 5-4/10', 'bytes 0-10/10', 'bytes */10', 'bytes 0-1', 'bytes -1-2/3', 'bytes 1-2/3, bytes 4-5/6',
      `bytes 0-${'9'.repeat(17)}/*`, `bytes 0-1/2${' '.repeat(200)}`, 'bytes 0x1-2/3', '']) {
      expect(parseContentRange(bad), bad).toBeNull()
    }
  })

  it('never throws, and what it reads is a valid range', () => {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.tuple(fc.nat(), fc.nat(), fc.option(fc.nat())).map(([a, b, c]) => `bytes ${a}-${b}/${c ?? '*'}`)), (header) => {
      const r = parseContentRange(header)
      if (r) {
        expect(r.last).toBeGreaterThanOrEqual(r.first)
        if (r.size !== null) expect(r.size).toBeGreaterThan(r.last)
      }
    }), runs(500))
  })
})

describe('planRangeBody', () => {
  it('a 206 with the range asked for (or more of it) is read from its start', () => {
    expect(planRangeBody(206, 'bytes 100-199/1000', 100, 100, 100)).toEqual({ ok: true, skip: 0 })
    expect(planRangeBody(206, 'bytes 100-999/1000', null, 100, 100)).toEqual({ ok: true, skip: 0 })
    // a cross-origin answer hides Content-Range: the length must agree when it is known
    expect(planRangeBody(206, null, 100, 100, 100)).toEqual({ ok: true, skip: 0 })
    expect(planRangeBody(206, null, null, 100, 100)).toEqual({ ok: true, skip: 0 })
  })

  it('a 206 of another range, a shorter one, another size or a malformed header is refused with the reason', () => {
    expect(planRangeBody(206, 'bytes 0-99/1000', null, 100, 100)).toEqual({ ok: false, reason: 'it answered bytes 0-99 for 100-199' })
    expect(planRangeBody(206, 'bytes 100-149/150', null, 100, 100)).toEqual({ ok: false, reason: 'it has bytes 100-149 of 150, the torrent needs 100-199' })
    expect(planRangeBody(206, null, 50, 100, 100)).toEqual({ ok: false, reason: 'it answered 50 bytes for a range of 100' })
    expect(planRangeBody(206, 'lies', null, 0, 1)).toEqual({ ok: false, reason: 'its Content-Range "lies" is not one' })
  })

  it('a 200 (Range ignored) is read past the bytes before the range, only near the file\'s start', () => {
    expect(planRangeBody(200, null, 1000, 100, 100)).toEqual({ ok: true, skip: 100 })
    expect(planRangeBody(200, null, null, MAX_SKIPPED_BYTES, 1)).toEqual({ ok: true, skip: MAX_SKIPPED_BYTES })
    expect(planRangeBody(200, null, null, MAX_SKIPPED_BYTES + 1, 1)).toEqual({ ok: false, reason: `it ignores range requests (HTTP 200 for bytes ${MAX_SKIPPED_BYTES + 1}-${MAX_SKIPPED_BYTES + 1})` })
    expect(planRangeBody(200, null, 150, 100, 100)).toEqual({ ok: false, reason: 'its file is 150 bytes, the torrent needs 200' })
  })

  it('other statuses fail with the status', () => {
    expect(planRangeBody(500, null, null, 0, 1)).toEqual({ ok: false, reason: 'HTTP 500' })
    expect(planRangeBody(404, 'bytes 0-0/1', null, 0, 1)).toEqual({ ok: false, reason: 'HTTP 404' })
    expect(planRangeBody(416, null, null, 10, 5)).toEqual({ ok: false, reason: 'its file is shorter than the torrent says (HTTP 416 for bytes 10-14)' })
  })

  it('Content-Length is a plain decimal or unknown', () => {
    expect(contentLengthOf('42')).toBe(42)
    expect(contentLengthOf(' 7 ')).toBe(7)
    for (const bad of [null, undefined, '', '-1', '1e3', '0x10', '1,2', '9'.repeat(17)]) expect(contentLengthOf(bad), String(bad)).toBeNull()
  })
})

describe('RangeReader', () => {
  it('passes on exactly the range, however the body is cut into chunks', () => {
    const body = Uint8Array.from({ length: 300 }, (_, i) => i & 0xff)
    fc.assert(fc.property(fc.integer({ min: 0, max: 150 }), fc.integer({ min: 1, max: 150 }), fc.array(fc.integer({ min: 0, max: 300 }), { maxLength: 8 }), (skip, length, cuts) => {
      const reader = new RangeReader(skip, length)
      const at = [...new Set([0, ...cuts, 300])].sort((a, b) => a - b)
      const got: number[] = []
      for (let i = 0; i + 1 < at.length && !reader.done; i++) got.push(...reader.push(body.subarray(at[i], at[i + 1])))
      expect(reader.done).toBe(true)
      expect(reader.shortfall()).toBeNull()
      expect(got).toEqual([...body.subarray(skip, skip + length)])
    }), runs(300))
  })

  it('says how short a body that ended early was; bytes past the range are never passed on', () => {
    const reader = new RangeReader(2, 4)
    expect([...reader.push(Uint8Array.of(1, 2, 3))]).toEqual([3])
    expect(reader.shortfall()).toBe('its answer was cut short: 1 of 4 bytes')
    expect([...reader.push(Uint8Array.of(4, 5, 6, 7, 8))]).toEqual([4, 5, 6])
    expect(reader.done).toBe(true)
    expect(reader.push(Uint8Array.of(9)).length).toBe(0)
  })
})
