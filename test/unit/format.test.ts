import { describe, it, expect } from 'vitest'
import { formatBytes } from '../../src/core/format'

describe('formatBytes', () => {
  it('uses binary units with one decimal', () => {
    expect(formatBytes(0)).toBe('0 B')
    expect(formatBytes(1)).toBe('1 B')
    expect(formatBytes(1023)).toBe('1023 B')
    expect(formatBytes(1024)).toBe('1.0 KiB')
    expect(formatBytes(64 * 1024)).toBe('64.0 KiB')
    expect(formatBytes(1.5 * 1024 * 1024)).toBe('1.5 MiB')
    expect(formatBytes(20 * 1024 ** 3)).toBe('20.0 GiB')
    expect(formatBytes(3 * 1024 ** 4)).toBe('3.0 TiB')
  })

  it('moves up a unit rather than showing 1024.0', () => {
    expect(formatBytes(1024 * 1024 - 1)).toBe('1.0 MiB')
    expect(formatBytes(1023.9 * 1024)).toBe('1023.9 KiB')
  })

  it('handles odd input', () => {
    expect(formatBytes(Number.NaN)).toBe('—')
    expect(formatBytes(Infinity)).toBe('—')
    expect(formatBytes(-2048)).toBe('-2.0 KiB')
    expect(formatBytes(10.4)).toBe('10 B')
  })
})
