import { afterEach, describe, expect, it, vi } from 'vitest'
import { PROGRESS_TICK_MS, SLOW_SNAPSHOT_TICKS } from '../../src/core/download-manager/snapshot-cadence'
import { DownloadManager } from '../../src/engine/download-manager/manager'
import type { Persistence } from '../../src/engine/download-manager/persistence'
import type { TorrentSession } from '../../src/engine/download-manager/torrent-session'
import type { Settings } from '../../src/prefs/settings'

describe("the engine's progress tick: what the UI redraws from", () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('tells the UI of progress once a second, not four times (1,000 torrents: the snapshots and the render were ~2 % of the main thread)', () => {
    vi.useFakeTimers()
    // a torrent that is not running: the tick steps nothing for it and still tells the UI
    const records = new Map([['a'.repeat(40), {} as TorrentSession]])
    const ticks: (string | undefined)[] = []
    const manager = new DownloadManager(records, {} as Persistence, () => ({}) as Settings, (scope) => ticks.push(scope))
    manager.startTicking()
    vi.advanceTimersByTime(10_000)
    expect(ticks).toEqual(Array.from({ length: 10 }, () => 'tick'))
    expect(PROGRESS_TICK_MS).toBe(1000)
  })

  it('a torrent that is not live is still taken afresh every 5 s', () => {
    expect(SLOW_SNAPSHOT_TICKS * PROGRESS_TICK_MS).toBe(5000)
    expect(Number.isInteger(SLOW_SNAPSHOT_TICKS)).toBe(true)
  })
})
