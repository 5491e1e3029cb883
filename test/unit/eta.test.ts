import { describe, expect, it } from 'vitest'
import { ETA_WARMUP_BYTES, ETA_WARMUP_MS, SPEED_WINDOW_MS, estimateEta, etaStartStep } from '../../src/core/eta'

const MiB = 2 ** 20

describe('etaStartStep', () => {
  it('begins a run when bytes begin to flow, keeps it, drops it when downloading stops', () => {
    let start = etaStartStep(undefined, true, 500, 1000)
    expect(start).toEqual({ at: 1000, downloaded: 500, flowing: false })
    // still nothing new: the start moves along with the ticks
    start = etaStartStep(start, true, 500, 4000)
    expect(start).toEqual({ at: 4000, downloaded: 500, flowing: false })
    // bytes came: the run is fixed from the last tick without them
    start = etaStartStep(start, true, 9000, 4250)
    expect(start).toEqual({ at: 4000, downloaded: 500, flowing: true })
    expect(etaStartStep(start, false, 9000, 5000)).toBeUndefined()
  })

  it('keeps a flowing run through ticks that bring nothing (a slow peer)', () => {
    const start = { at: 0, downloaded: 0, flowing: true }
    expect(etaStartStep(start, true, 16384, 5000)).toBe(start)
    expect(etaStartStep(start, true, 16384, 5250)).toBe(start)
  })

  it('begins a new run when downloaded goes backwards (a piece failed its hash)', () => {
    expect(etaStartStep({ at: 1000, downloaded: 5000, flowing: true }, true, 4000, 2000)).toEqual({ at: 2000, downloaded: 4000, flowing: false })
  })
})

describe('estimateEta', () => {
  const start = { at: 0, downloaded: 0, flowing: true }

  it('is withheld (Infinity) for the first seconds of a run, whatever the speed says', () => {
    // the bug it fixes: 147 B/s at the first tick promised "5 d 6 h left"
    expect(estimateEta(64 * MiB, 147, start, 1000, 250)).toBe(Infinity)
    expect(estimateEta(64 * MiB, 10e6, start, 20e6, ETA_WARMUP_MS - 1)).toBe(Infinity)
  })

  it('is withheld until enough bytes came in the run, however long it took', () => {
    expect(estimateEta(1e9, 1000, start, ETA_WARMUP_BYTES - 1, 60_000)).toBe(Infinity)
  })

  it("uses the run's own average while the run is younger than the speed window", () => {
    // 3 s in, 30 MB got: 10 MB/s, though the 5 s window still reads 6 MB/s
    expect(estimateEta(100e6, 6e6, start, 30e6, 3000)).toBeCloseTo(10)
  })

  it("uses the current speed once the run is older than the window", () => {
    expect(estimateEta(100e6, 20e6, start, 50e6, SPEED_WINDOW_MS)).toBe(5)
  })

  it('is Infinity without a run or without speed, and 0 with nothing left', () => {
    expect(estimateEta(100e6, 10e6, undefined, 1e6, 10_000)).toBe(Infinity)
    expect(estimateEta(100e6, 0, start, 10 * MiB, 10_000)).toBe(Infinity)
    expect(estimateEta(0, 0, undefined, 0, 0)).toBe(0)
  })
})
