import { describe, expect, it } from 'vitest'
import { storageUsed } from '../../src/core/file-storage/storage-used'

describe('storageUsed', () => {
  it('is the tally of downloaded bytes when the estimate lags behind it (regression: "0 B used" beside a complete 64 MiB torrent)', () => {
    expect(storageUsed(0, [{ downloaded: 64 * 2 ** 20 }, { downloaded: 1000 }])).toBe(64 * 2 ** 20 + 1000)
  })
  it('is the estimate when that is larger (it counts what the tally cannot: IndexedDB, shared pieces)', () => {
    expect(storageUsed(70 * 2 ** 20, [{ downloaded: 64 * 2 ** 20 }])).toBe(70 * 2 ** 20)
  })
  it('is the estimate with no torrent', () => {
    expect(storageUsed(12345, [])).toBe(12345)
  })
})
