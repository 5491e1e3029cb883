import { describe, expect, it } from 'vitest'
import { filterCounts, matchesFilter, matchesSearch, totalSpeeds } from '../../src/core/download-manager/list-filter'
import type { TorrentSnapshot } from '../../src/protocol/engine-events'

type Row = Pick<TorrentSnapshot, 'state' | 'progress' | 'queue' | 'error'>
const row = (state: TorrentSnapshot['state'], progress: number, extra: Partial<Row> = {}): Row => ({ state, progress, ...extra })

describe('matchesFilter', () => {
  it('Downloading: everything still to come that is not stopped', () => {
    for (const state of ['metadata', 'choosing', 'checking', 'downloading'] as const) expect(matchesFilter(row(state, 0.5), 'downloading')).toBe(true)
    expect(matchesFilter(row('queued', 0.2, { queue: { position: 1, toSeed: false } }), 'downloading')).toBe(true)
    expect(matchesFilter(row('queued', 1, { queue: { position: 1, toSeed: true } }), 'downloading')).toBe(false)
    expect(matchesFilter(row('paused', 0.5), 'downloading')).toBe(false)
    expect(matchesFilter(row('checking', 1), 'downloading')).toBe(false) // a complete torrent re-checked
  })

  it('Seeding: seeding, or waiting in line to seed', () => {
    expect(matchesFilter(row('seeding', 1), 'seeding')).toBe(true)
    expect(matchesFilter(row('queued', 1, { queue: { position: 2, toSeed: true } }), 'seeding')).toBe(true)
    expect(matchesFilter(row('done', 1), 'seeding')).toBe(false)
  })

  it('Completed, Paused and Errors', () => {
    expect(matchesFilter(row('done', 1), 'completed')).toBe(true)
    expect(matchesFilter(row('seeding', 1), 'completed')).toBe(true)
    expect(matchesFilter(row('downloading', 0.99), 'completed')).toBe(false)
    expect(matchesFilter(row('paused', 0.3), 'paused')).toBe(true)
    expect(matchesFilter(row('error', 0.3), 'errors')).toBe(true)
    // paused by a full disk: both paused and an error to see
    const full = row('paused', 0.3, { error: { code: 'QUOTA', message: 'full' } })
    expect(matchesFilter(full, 'errors') && matchesFilter(full, 'paused')).toBe(true)
  })
})

describe('filterCounts', () => {
  it('counts each torrent under every filter it matches', () => {
    const counts = filterCounts([row('downloading', 0.1), row('seeding', 1), row('done', 1), row('paused', 0.5)])
    expect(counts).toEqual({ all: 4, downloading: 1, seeding: 1, completed: 2, paused: 1, errors: 0 })
  })
})

describe('matchesSearch', () => {
  it('finds every word, in any order, ignoring case and accents', () => {
    expect(matchesSearch('Le Fabuleux Destin d’Amélie Poulain (2001)', 'amelie 2001')).toBe(true)
    expect(matchesSearch('ubuntu-24.04-desktop-amd64.iso', 'UBUNTU iso')).toBe(true)
    expect(matchesSearch('ubuntu-24.04-desktop-amd64.iso', 'ubuntu arm64')).toBe(false)
    expect(matchesSearch('anything', '   ')).toBe(true)
  })
})

describe('totalSpeeds', () => {
  it('sums the list', () => {
    expect(totalSpeeds([{ downloadSpeed: 100, uploadSpeed: 1 }, { downloadSpeed: 50, uploadSpeed: 2 }])).toEqual({ down: 150, up: 3 })
    expect(totalSpeeds([])).toEqual({ down: 0, up: 0 })
  })
})
