import { describe, expect, it } from 'vitest'
import type { Torrent } from 'webtorrent/dist/webtorrent.min.js'
import { DEFAULT_SETTINGS } from '../../src/prefs/settings'
import { SnapshotCache } from '../../src/engine/download-manager/snapshot-cache'
import { TorrentSession, type SessionContext } from '../../src/engine/download-manager/torrent-session'
import { twoPieceMetainfo } from '../support/two-piece-metainfo'

/*
 * A torrent with no peers is restarted every 15 s, 30 s, 60 s… (the manager's stall restart): its
 * snapshots through the stop and the start keep the state it had, not "Queued". webtorrent does not
 * run in Node: a running torrent is a stand-in with the fields a snapshot reads.
 */

const context: SessionContext = { settings: () => ({ ...DEFAULT_SETTINGS }), runner: { start: async () => {}, stop: async () => {} } }
const running = { ready: false, wires: [], numPeers: 0, pieces: [], magnetURI: '' } as unknown as Torrent

/** A torrent of two pieces, added, started and checked: downloading, with no peers. */
function downloading(letter: string): TorrentSession {
  const s = new TorrentSession(letter.repeat(40), { infoHash: letter.repeat(40), name: 'two', addedAt: 1, paused: false }, context)
  s.metainfo = twoPieceMetainfo
  s.apply({ type: 'added', record: s.storedFacts() })
  s.torrent = { ...running, ready: true } as unknown as Torrent
  s.apply({ type: 'queue-planned', ...s.standing() })
  s.apply({ type: 'started', metadata: true })
  s.apply({ type: 'checked', complete: false })
  return s
}

describe('the state a torrent shows through a stall restart', () => {
  it('a magnet stays "Getting metadata" through the stop and the start (regression: it flickered to "Queued")', () => {
    const s = new TorrentSession('e'.repeat(40), { infoHash: 'e'.repeat(40), name: 'magnet', addedAt: 1, paused: false }, context)
    s.apply({ type: 'added', record: s.storedFacts() })
    s.torrent = running
    s.apply({ type: 'queue-planned', ...s.standing() })
    s.apply({ type: 'started', metadata: false })
    const cache = new SnapshotCache(() => undefined)
    const states: string[] = [cache.of(s).state]
    // what the manager does when it restarts a stalled torrent
    s.restartingFrom = s.state.name
    s.torrent = undefined
    s.apply({ type: 'stopped', ...s.standing() })
    expect(s.state.name).toBe('queued') // the lifecycle does pass through queued
    states.push(cache.of(s).state)
    s.torrent = running
    s.apply({ type: 'started', metadata: false })
    states.push(cache.of(s).state)
    expect(states).toEqual(['metadata', 'metadata', 'metadata'])
    expect(s.restartingFrom).toBeUndefined() // running again: the restart is through
    // a later stop (not a restart) shows as it is
    s.torrent = undefined
    s.apply({ type: 'stopped', ...s.standing() })
    expect(cache.of(s).state).toBe('queued')
  })

  it('a download stays "Looking for peers" through the stop, the start and its quick check', () => {
    const s = downloading('f')
    const cache = new SnapshotCache(() => undefined)
    expect(cache.of(s).state).toBe('downloading')
    s.restartingFrom = s.state.name
    s.apply({ type: 'stopped', ...s.standing() })
    expect(cache.of(s).state).toBe('downloading')
    s.apply({ type: 'started', metadata: true })
    expect(s.state.name).toBe('checking')
    expect(cache.of(s).state).toBe('downloading')
    s.apply({ type: 'checked', complete: false })
    expect(cache.of(s).state).toBe('downloading')
    expect(s.restartingFrom).toBeUndefined()
  })

  // The marker ends with the event that ends the restart, whether or not a snapshot was taken in
  // between (regression: a snapshot cleared it, so a later re-check showed the state before the restart).
  it('a re-check after a restart with no snapshot taken in between shows "Checking"', () => {
    const s = downloading('a')
    // the stall restart, through to downloading again, no snapshot taken
    s.restartingFrom = s.state.name
    s.apply({ type: 'stopped', ...s.standing() })
    s.apply({ type: 'queue-planned', ...s.standing() })
    s.apply({ type: 'started', metadata: true })
    s.apply({ type: 'checked', complete: false })
    expect(s.restartingFrom).toBeUndefined()
    // the person's re-check (torrent-controls.ts recheck): stopped, pieces forgotten, started again
    s.apply({ type: 'stopped', ...s.standing() })
    s.apply({ type: 'recheck' })
    s.apply({ type: 'queue-planned', ...s.standing() })
    s.apply({ type: 'started', metadata: true })
    expect(new SnapshotCache(() => undefined).of(s).state).toBe('checking')
  })

  it('a magnet whose metadata came after a restart shows "Checking" with no snapshot taken in between', () => {
    const s = new TorrentSession('b'.repeat(40), { infoHash: 'b'.repeat(40), name: 'magnet', addedAt: 1, paused: false }, context)
    s.apply({ type: 'added', record: s.storedFacts() })
    s.torrent = running
    s.apply({ type: 'queue-planned', ...s.standing() })
    s.apply({ type: 'started', metadata: false })
    s.restartingFrom = s.state.name
    s.apply({ type: 'stopped', ...s.standing() })
    s.apply({ type: 'started', metadata: false })
    s.metainfo = twoPieceMetainfo
    s.apply({ type: 'metadata-came', choosing: false, checked: false, complete: false })
    expect(s.state.name).toBe('checking')
    expect(new SnapshotCache(() => undefined).of(s).state).toBe('checking')
  })

  it("a person's pause during the restart ends it: resumed and started again, it shows \"Checking\"", () => {
    const s = new TorrentSession('c'.repeat(40), { infoHash: 'c'.repeat(40), name: 'two', addedAt: 1, paused: false }, context)
    s.metainfo = twoPieceMetainfo
    s.apply({ type: 'added', record: s.storedFacts() })
    s.apply({ type: 'queue-planned', ...s.standing() })
    s.apply({ type: 'started', metadata: true })
    s.apply({ type: 'checked', complete: false })
    s.restartingFrom = s.state.name
    s.apply({ type: 'stopped', ...s.standing() })
    s.apply({ type: 'paused', complete: false })
    s.apply({ type: 'resumed', ...s.standing() })
    s.apply({ type: 'started', metadata: true })
    expect(new SnapshotCache(() => undefined).of(s).state).toBe('checking')
  })
})
