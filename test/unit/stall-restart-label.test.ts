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
    const s = new TorrentSession('f'.repeat(40), { infoHash: 'f'.repeat(40), name: 'two', addedAt: 1, paused: false }, context)
    s.metainfo = twoPieceMetainfo
    s.apply({ type: 'added', record: s.storedFacts() })
    s.torrent = { ...running, ready: true } as unknown as Torrent
    s.apply({ type: 'queue-planned', ...s.standing() })
    s.apply({ type: 'started', metadata: true })
    s.apply({ type: 'checked', complete: false })
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
})
