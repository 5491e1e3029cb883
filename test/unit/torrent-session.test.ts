import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest'
import type { Torrent } from 'webtorrent/dist/webtorrent.min.js'
import { emptyBitfield, setPiece } from '../../src/core/file-storage/bitfield'
import { twoPieceMetainfo } from '../support/two-piece-metainfo'
import { DEFAULT_SETTINGS, type Settings } from '../../src/prefs/settings'
import { isComplete, type TorrentRecord } from '../../src/engine/download-manager/snapshot'
import { TorrentSession, type SessionContext } from '../../src/engine/download-manager/torrent-session'

/*
 * Each event the engine gives a session, done to the session as the real caller does it
 * (torrent-runner.ts, manager.ts, engine.ts), and the state it leads to. webtorrent does not run
 * in Node: a stand-in runner puts a stand-in torrent in the session and gives it the events the
 * real runner does; the e2e specs run the real one.
 */

/** Two pieces of 16 bytes, one file each. */
const metainfo = twoPieceMetainfo

let settings: Settings
let errors: MockInstance<(...args: unknown[]) => void>

/** A stand-in for the runner: what torrent-runner.ts does to the session on start and stop. */
const runner = {
  start: vi.fn(async (record: TorrentRecord) => {
    record.torrent = { ready: false } as Torrent
    ;(record as TorrentSession).apply({ type: 'started', metadata: Boolean(record.metainfo) })
  }),
  stop: vi.fn(async (record: TorrentRecord) => {
    record.torrent = undefined
    ;(record as TorrentSession).apply({ type: 'stopped', ...(record as TorrentSession).standing() })
  }),
}
const context: SessionContext = { settings: () => settings, runner }

function session(opts: { metadata?: boolean; paused?: boolean } = {}): TorrentSession {
  const s = new TorrentSession(metainfo.infoHash, { infoHash: metainfo.infoHash, name: 'two', addedAt: 1, paused: Boolean(opts.paused) }, context)
  if (opts.metadata !== false) s.metainfo = metainfo
  s.apply({ type: 'added', record: s.storedFacts() })
  return s
}

/** webtorrent's `ready` with the pieces it found on disk. */
function ready(s: TorrentSession, pieces: number[]): void {
  ;(s.torrent as { ready: boolean }).ready = true
  s.bitfield = emptyBitfield(2)
  for (const piece of pieces) setPiece(s.bitfield, piece, true)
  s.bitfieldVersion = (s.bitfieldVersion ?? 0) + 1
  s.apply({ type: 'checked', complete: isComplete(s) })
}

function verified(s: TorrentSession, piece: number): void {
  setPiece(s.bitfield!, piece, true)
  s.bitfieldVersion = (s.bitfieldVersion ?? 0) + 1
  s.apply({ type: 'pieces-changed', ...s.standing() })
}

/** What the download manager does to a session it plans to run (`active`) or to keep waiting. */
async function plan(s: TorrentSession, active: boolean): Promise<void> {
  s.queued = !active
  s.apply({ type: 'queue-planned', ...s.standing() })
  if (active) await s.start()
  else if (s.torrent) await s.stop()
}

beforeEach(() => {
  settings = { ...DEFAULT_SETTINGS, seedRatio: 0, seedMinutes: 0 }
  errors = vi.spyOn(console, 'error').mockImplementation(() => {})
})
afterEach(() => errors.mockRestore())

describe('a torrent session', () => {
  it('added: queued; started by the queue: checking; ready: downloading; the last piece verified: seeding', async () => {
    const s = session()
    expect(s.state).toEqual({ name: 'queued' })
    await plan(s, true)
    expect(runner.start).toHaveBeenCalledWith(s)
    expect(s.state).toEqual({ name: 'checking' })
    ready(s, [0])
    expect(s.state).toEqual({ name: 'downloading' })
    verified(s, 1)
    expect(s.state).toEqual({ name: 'seeding' })
    expect(errors).not.toHaveBeenCalled()
  })

  it('a magnet: metadata while it runs without it, choosing when files are to be chosen, downloading once chosen', async () => {
    const s = session({ metadata: false })
    s.stored.awaitingFiles = true
    await plan(s, true)
    expect(s.state).toEqual({ name: 'metadata' })
    s.metainfo = metainfo
    s.apply({ type: 'metadata-came', choosing: Boolean(s.stored.awaitingFiles), checked: Boolean(s.torrent?.ready), complete: isComplete(s) })
    expect(s.state).toEqual({ name: 'choosing' })
    ready(s, [])
    expect(s.state).toEqual({ name: 'choosing' })
    delete s.stored.awaitingFiles
    s.apply({ type: 'files-chosen', running: Boolean(s.torrent), checked: Boolean(s.torrent?.ready), paused: s.stored.paused, ...s.standing() })
    expect(s.state).toEqual({ name: 'downloading' })
    expect(errors).not.toHaveBeenCalled()
  })

  it('waits queued while the queue has no slot, and is stopped back to queued by it', async () => {
    const s = session()
    await plan(s, false)
    expect(s.state).toEqual({ name: 'queued' })
    await plan(s, true)
    ready(s, [])
    await plan(s, false)
    expect(runner.stop).toHaveBeenCalledWith(s, undefined)
    expect(s.state).toEqual({ name: 'queued' })
    expect(errors).not.toHaveBeenCalled()
  })

  it('paused: paused while incomplete, done when complete; resumed: queued again', async () => {
    const s = session()
    await plan(s, true)
    ready(s, [])
    s.stored.paused = true
    s.apply({ type: 'paused', complete: isComplete(s) })
    expect(s.state).toEqual({ name: 'paused' })
    await s.stop()
    expect(s.state).toEqual({ name: 'paused' })
    s.stored.paused = false
    s.apply({ type: 'resumed', ...s.standing() })
    expect(s.state).toEqual({ name: 'queued' })
    await plan(s, true)
    ready(s, [0, 1])
    expect(s.state).toEqual({ name: 'seeding' })
    s.stored.paused = true
    s.apply({ type: 'paused', complete: isComplete(s) })
    expect(s.state).toEqual({ name: 'done', stoppedBy: 'user' })
    expect(errors).not.toHaveBeenCalled()
  })

  it('an error stops it with its code; a full disk pauses it with the reason; Resume clears either', async () => {
    const s = session()
    await plan(s, true)
    ready(s, [])
    s.torrent = undefined
    s.error = { code: 'ENGINE', message: 'boom' }
    s.apply({ type: 'failed', code: 'ENGINE' })
    expect(s.state).toEqual({ name: 'error', code: 'ENGINE' })
    delete s.error
    s.apply({ type: 'resumed', ...s.standing() })
    expect(s.state).toEqual({ name: 'queued' })
    await plan(s, true)
    ready(s, [])
    s.torrent = undefined
    s.stored.paused = true
    s.stored.pausedBecause = { code: 'QUOTA', message: 'full' }
    s.apply({ type: 'disk-full', because: 'QUOTA', complete: isComplete(s) })
    expect(s.state).toEqual({ name: 'paused', because: 'QUOTA' })
    expect(errors).not.toHaveBeenCalled()
  })

  it('stopped by its seeding goal: done, with the goal it met', async () => {
    settings = { ...settings, seedRatio: 1 }
    const s = session()
    await plan(s, true)
    ready(s, [0, 1])
    s.uploadedNow = 32
    await s.stop()
    expect(s.state).toEqual({ name: 'done', stoppedBy: 'goal', goal: 'ratio' })
    expect(errors).not.toHaveBeenCalled()
  })

  it('a re-check of a seeding torrent: stopped, its pieces forgotten, checking again when started', async () => {
    const s = session()
    await plan(s, true)
    ready(s, [0, 1])
    await s.stop()
    delete s.bitfield
    s.apply({ type: 'recheck' })
    expect(s.state).toEqual({ name: 'queued' })
    await s.start()
    expect(s.state).toEqual({ name: 'checking' })
    expect(errors).not.toHaveBeenCalled()
  })

  it('a skipped file wanted again: seeding goes back to downloading', async () => {
    const s = session()
    s.stored.priorities = [1, 0]
    await plan(s, true)
    ready(s, [0])
    expect(s.state).toEqual({ name: 'seeding' })
    s.stored.priorities = [1, 1]
    s.apply({ type: 'pieces-changed', ...s.standing() })
    expect(s.state).toEqual({ name: 'downloading' })
    expect(errors).not.toHaveBeenCalled()
  })

  it('refuses an illegal step and logs it: a paused torrent cannot fail, nor seed without being queued', async () => {
    const s = session({ paused: true })
    expect(s.state).toEqual({ name: 'paused' })
    s.error = { code: 'ENGINE', message: 'boom' }
    expect(s.apply({ type: 'failed', code: 'ENGINE' })).toEqual({ name: 'paused' })
    expect(s.state).toEqual({ name: 'paused' })
    expect(errors).toHaveBeenCalledWith(`torrent ${s.infoHash}: illegal transition paused → error (failed), refused`)
    delete s.error
    s.stored.paused = false
    s.torrent = { ready: true } as Torrent
    s.bitfield = emptyBitfield(2).fill(0xff)
    s.apply({ type: 'started', metadata: true })
    expect(s.state).toEqual({ name: 'paused' })
    expect(errors).toHaveBeenCalledWith(`torrent ${s.infoHash}: illegal transition paused → ? (started), refused`)
    expect(errors).toHaveBeenCalledTimes(2)
  })
})
