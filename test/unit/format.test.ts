import { describe, it, expect } from 'vitest'
import { formatBytes, formatEta, formatOrdinal, formatSpeed } from '../../src/core/format'

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

describe('formatSpeed', () => {
  it('appends /s', () => {
    expect(formatSpeed(0)).toBe('0 B/s')
    expect(formatSpeed(1.2 * 1024 * 1024)).toBe('1.2 MiB/s')
    expect(formatSpeed(Number.NaN)).toBe('—')
  })
})

describe('formatEta', () => {
  it('picks a readable unit', () => {
    expect(formatEta(0)).toBe('0 s')
    expect(formatEta(45)).toBe('45 s')
    expect(formatEta(59.6)).toBe('1 min')
    expect(formatEta(180)).toBe('3 min')
    expect(formatEta(3599)).toBe('59 min')
    expect(formatEta(3600)).toBe('1 h')
    expect(formatEta(2 * 3600 + 5 * 60)).toBe('2 h 5 min')
    expect(formatEta(3 * 86400)).toBe('3 d')
    expect(formatEta(3 * 86400 + 4 * 3600 + 59)).toBe('3 d 4 h')
  })

  it('shows a dash when unknown', () => {
    expect(formatEta(Infinity)).toBe('—')
    expect(formatEta(Number.NaN)).toBe('—')
    expect(formatEta(-1)).toBe('—')
  })
})

describe('formatOrdinal', () => {
  it('says a place in line in English', () => {
    expect([1, 2, 3, 4, 10, 11, 12, 13, 21, 22, 23, 101, 111, 112].map(formatOrdinal))
      .toEqual(['1st', '2nd', '3rd', '4th', '10th', '11th', '12th', '13th', '21st', '22nd', '23rd', '101st', '111th', '112th'])
  })
})
