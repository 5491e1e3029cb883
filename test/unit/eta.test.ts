import { describe, expect, it } from 'vitest'
import { ETA_WARMUP_BYTES, ETA_WARMUP_MS, SPEED_WINDOW_MS, estimateEta, etaStartStep } from '../../src/core/download-manager/eta'

const MiB = 2 ** 20

describe('etaStartStep', () => {
  it('begins a run when bytes begin to flow, keeps it, drops it when downloading stops', () => {
    let start = etaStartStep(undefined, true, 500, 1000)
    expect(start).toMatchObject({ at: 1000, downloaded: 500, flowing: false })
    // still nothing new: the start moves along with the ticks
    start = etaStartStep(start, true, 500, 4000)
    expect(start).toMatchObject({ at: 4000, downloaded: 500, flowing: false })
    // bytes came: the run is fixed from the last tick without them
    start = etaStartStep(start, true, 9000, 4250)
    expect(start).toMatchObject({ at: 4000, downloaded: 500, flowing: true, lastAt: 4250, lastDownloaded: 9000 })
    expect(etaStartStep(start, false, 9000, 5000)).toBeUndefined()
  })

  it('keeps a flowing run through ticks that bring nothing, short of a whole speed window', () => {
    const start = { at: 0, downloaded: 0, flowing: true, lastAt: 1000, lastDownloaded: 16384 }
    expect(etaStartStep(start, true, 16384, 1000 + SPEED_WINDOW_MS - 1)).toBe(start)
    // a whole window with nothing: the speed starts over, so does the run
    expect(etaStartStep(start, true, 16384, 1000 + SPEED_WINDOW_MS)).toMatchObject({ at: 1000 + SPEED_WINDOW_MS, downloaded: 16384, flowing: false })
  })

  it('begins a new run when downloaded goes backwards (a piece failed its hash)', () => {
    const start = { at: 1000, downloaded: 0, flowing: true, lastAt: 1500, lastDownloaded: 5000 }
    expect(etaStartStep(start, true, 4000, 2000)).toMatchObject({ at: 2000, downloaded: 4000, flowing: false })
  })
})

describe('estimateEta', () => {
  const start = { at: 0, downloaded: 0, flowing: true, lastAt: 0, lastDownloaded: 0 }

  it('is withheld (Infinity) for the first seconds of a run, whatever the speed says', () => {
    // the bug it fixes: 147 B/s at the first tick promised "5 d 6 h left"
    expect(estimateEta(64 * MiB, 147, start, 1000, 250)).toBe(Infinity)
    expect(estimateEta(64 * MiB, 10e6, start, 20e6, ETA_WARMUP_MS - 1)).toBe(Infinity)
  })

  it('is withheld until enough bytes came, or the speed window filled', () => {
    expect(estimateEta(1e9, 1000, start, ETA_WARMUP_BYTES - 1, SPEED_WINDOW_MS - 1)).toBe(Infinity)
    // a slow peer: 20 KB/s for a whole window is a speed to go by
    expect(estimateEta(1e6, 20_000, start, 100_000, SPEED_WINDOW_MS)).toBe(50)
  })

  it('is withheld while no byte has come in the run', () => {
    expect(estimateEta(1e6, 20_000, { ...start, flowing: false }, 0, 60_000)).toBe(Infinity)
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
