import { describe, expect, it } from 'vitest'
import { offersWhyNone } from '../../src/core/download-manager/why-none'
import type { TorrentSnapshot } from '../../src/protocol/engine-events'

type Row = Pick<TorrentSnapshot, 'state' | 'peers' | 'queue' | 'progress'>
const row = (over: Partial<Row>): Row => ({ state: 'downloading', peers: 0, progress: 0.4, ...over })

describe('"Why none?" beside a torrent with no peers', () => {
  it('is offered while it wants data: Getting metadata, or Downloading with no peer', () => {
    expect(offersWhyNone(row({ state: 'metadata', progress: 0 }))).toBe(true)
    expect(offersWhyNone(row({ state: 'downloading' }))).toBe(true)
  })

  it('is not offered on a seed with no peers: no one to upload to is normal (regression: it was)', () => {
    expect(offersWhyNone(row({ state: 'seeding', progress: 1 }))).toBe(false)
    expect(offersWhyNone(row({ state: 'queued', progress: 1 }))).toBe(false) // a seed being started
  })

  it('stays while a download is being (re)started, not while it waits in line', () => {
    expect(offersWhyNone(row({ state: 'queued' }))).toBe(true)
    expect(offersWhyNone(row({ state: 'queued', queue: { position: 2, toSeed: false } }))).toBe(false)
  })

  it('is not offered with a peer, or in a state that wants none', () => {
    expect(offersWhyNone(row({ peers: 1 }))).toBe(false)
    for (const state of ['paused', 'done', 'error', 'checking', 'choosing'] as const) expect(offersWhyNone(row({ state })), state).toBe(false)
  })
})
