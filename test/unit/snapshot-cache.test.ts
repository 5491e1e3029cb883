import { describe, expect, it } from 'vitest'
import type { Torrent } from 'webtorrent/dist/webtorrent.min.js'
import { emptyBitfield, setPiece } from '../../src/core/file-storage/bitfield'
import { SLOW_SNAPSHOT_TICKS } from '../../src/core/download-manager/snapshot-cadence'
import { twoPieceMetainfo } from '../support/two-piece-metainfo'
import { DEFAULT_SETTINGS } from '../../src/prefs/settings'
import { SnapshotCache } from '../../src/engine/download-manager/snapshot-cache'
import { isComplete, type TorrentRecord } from '../../src/engine/download-manager/snapshot'
import { TorrentSession, type SessionContext } from '../../src/engine/download-manager/torrent-session'

/*
 * Which snapshots a tick takes again. Each fresh snapshot asks for the torrent's bridged peer
 * counts once, so the count of those calls is the count of snapshots taken. webtorrent does not
 * run in Node: a running torrent is a stand-in with the fields a snapshot reads.
 */

const metainfo = twoPieceMetainfo

const context: SessionContext = { settings: () => ({ ...DEFAULT_SETTINGS }), runner: { start: async () => {}, stop: async () => {} } }

function session(id: string, pieces: number[], running: boolean): TorrentSession {
  const s = new TorrentSession(id, { infoHash: id, name: id, addedAt: 1, paused: !running }, context)
  s.metainfo = metainfo
  s.bitfield = emptyBitfield(2)
  for (const piece of pieces) setPiece(s.bitfield, piece, true)
  s.bitfieldVersion = 1
  s.apply({ type: 'added', record: s.storedFacts() })
  if (running) {
    s.torrent = { ready: true, wires: [], numPeers: 0, pieces: [], magnetURI: '' } as unknown as Torrent
    s.apply({ type: 'queue-planned', ...s.standing() })
    s.apply({ type: 'started', metadata: true })
    s.apply({ type: 'checked', complete: isComplete(s) })
  }
  return s
}

function cacheCounting(): { cache: SnapshotCache; taken: Map<string, number> } {
  const taken = new Map<string, number>()
  const cache = new SnapshotCache((record: TorrentRecord) => {
    taken.set(record.infoHash, (taken.get(record.infoHash) ?? 0) + 1)
    return undefined
  })
  return { cache, taken }
}

describe('SnapshotCache.tick', () => {
  it('takes a downloading torrent at every tick, a paused one and an idle seed once per slow period', () => {
    const downloading = session('d', [0], true)
    const paused = session('p', [0], false)
    const seed = session('s', [0, 1], true)
    expect(downloading.state.name).toBe('downloading')
    expect(paused.state.name).toBe('paused')
    expect(seed.state.name).toBe('seeding')
    const { cache, taken } = cacheCounting()
    const records = [downloading, paused, seed]
    cache.all(records)
    taken.clear()
    for (let i = 0; i < SLOW_SNAPSHOT_TICKS * 3; i++) cache.tick(records)
    expect(taken.get('d')).toBe(SLOW_SNAPSHOT_TICKS * 3)
    expect(taken.get('p')).toBe(3)
    expect(taken.get('s')).toBe(3)
  })

  it('gives the same snapshot objects for the torrents not taken, and the list in the records\' order', () => {
    const records = [session('p', [0], false), session('s', [0, 1], true)]
    const { cache } = cacheCounting()
    const first = cache.all(records)
    const next = cache.tick(records)
    expect(next).toHaveLength(2)
    expect(next[0]).toBe(first[0])
    expect(next[1]).toBe(first[1])
  })

  it('takes a quiet torrent again at the next tick when what it is made of changed', () => {
    const paused = session('p', [0], false)
    const seed = session('s', [0, 1], true)
    const { cache, taken } = cacheCounting()
    const first = cache.all([paused, seed])
    cache.tick([paused, seed]) // the first tick is the slow round's turn of the first one
    taken.clear()
    paused.error = { code: 'BAD_TORRENT', message: 'broken' }
    seed.uploadedNow = 1000
    const next = cache.tick([paused, seed])
    expect(taken.get('p')).toBe(1)
    expect(taken.get('s')).toBe(1)
    expect(next[0]).not.toBe(first[0])
    expect(next[0]!.error?.code).toBe('BAD_TORRENT')
    expect(next[1]!.uploaded).toBe(1000)
  })

  it('takes a seed at every tick while it has a connection (its upload speed and counters move)', () => {
    const seed = session('s', [0, 1], true)
    const { cache, taken } = cacheCounting()
    cache.all([seed])
    ;(seed.torrent as unknown as { wires: unknown[] }).wires.push({ type: 'tcpOutgoing', uploadSpeed: () => 5, downloadSpeed: () => 0 })
    taken.clear()
    for (let i = 0; i < 5; i++) cache.tick([seed])
    expect(taken.get('s')).toBe(5)
  })

  it('takes a torrent it has not seen at once', () => {
    const { cache, taken } = cacheCounting()
    const list = cache.tick([session('p', [0], false)])
    expect(taken.get('p')).toBe(1)
    expect(list[0]!.state).toBe('paused')
  })
})
