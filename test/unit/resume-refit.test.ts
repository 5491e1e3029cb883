import { describe, expect, it } from 'vitest'
import { emptyBitfield, setPiece } from '../../src/core/file-storage/bitfield'
import { DEFAULT_SETTINGS } from '../../src/prefs/settings'
import { AppError } from '../../src/protocol/errors'
import type { EngineEvent } from '../../src/protocol/engine-events'
import { refitToDisk, resumeSizesFit, type RefitHost, type SizeReader } from '../../src/engine/download-manager/resume-sizes'
import { TorrentSession, type SessionContext } from '../../src/engine/download-manager/torrent-session'
import { twoPieceMetainfo } from '../support/two-piece-metainfo'

/*
 * A file found shorter than the resume data says: the torrent is stopped, its pieces past the
 * files' ends cleared, saved, started again. The storage and IndexedDB are stand-ins here: their
 * failing (storage gone, IndexedDB full) is the fault under test, which the real parts do not
 * show on demand.
 */

const context: SessionContext = { settings: () => ({ ...DEFAULT_SETTINGS }), runner: { start: async () => {}, stop: async () => {} } }

function halfDone(): TorrentSession {
  const s = new TorrentSession('a'.repeat(40), { infoHash: 'a'.repeat(40), name: 'two', addedAt: 1, paused: false }, context)
  s.metainfo = twoPieceMetainfo
  s.bitfield = emptyBitfield(2)
  setPiece(s.bitfield, 0, true)
  setPiece(s.bitfield, 1, true)
  s.bitfieldVersion = 1
  s.apply({ type: 'added', record: s.storedFacts() })
  return s
}

function host(sizes: () => Promise<number[]>, flush: () => Promise<void> = async () => {}) {
  const events: EngineEvent[] = []
  const started: string[] = []
  const h = {
    storage: { stat: sizes },
    persistence: { scheduleResume: () => {}, flush },
    stop: async () => {},
    start: async (r: TorrentSession) => { started.push(r.infoHash) },
    emit: (e: EngineEvent) => { events.push(e) },
    applyQueue: () => {},
  } as unknown as RefitHost
  return { h, events, started }
}

describe('refitToDisk', () => {
  it('clears the pieces of a file found short, keeps the rest, says so and starts again', async () => {
    const record = halfDone()
    const { h, events, started } = host(async () => [16, 3]) // file b cut to 3 bytes
    await refitToDisk(record, h)
    expect([...record.bitfield!][0]! & 0xc0).toBe(0x80) // piece 0 kept, piece 1 cleared
    expect(events.map((e) => e.type)).toEqual(['warning'])
    expect(started).toEqual([record.infoHash])
    expect(record.error).toBeUndefined()
  })

  it('a failure while re-checking is an error the person sees, with what to do, not a torrent stopped in silence', async () => {
    const record = halfDone()
    const { h, events, started } = host(async () => { throw new AppError('STORAGE', 'The storage worker stopped.') })
    await refitToDisk(record, h)
    expect(record.error?.code).toBe('STORAGE')
    expect(record.error?.message).toMatch(/Re-check/)
    expect(events).toEqual([{ type: 'error', infoHash: record.infoHash, error: record.error }])
    expect(record.state.name).toBe('error')
    expect(started).toEqual([])
    expect(record.refitting).toBe(false)
  })

  it('an IndexedDB failure on saving the trimmed pieces is said the same way', async () => {
    const record = halfDone()
    const { h, events } = host(async () => [16, 3], async () => { throw new DOMException('full', 'QuotaExceededError') })
    await refitToDisk(record, h)
    expect(record.error?.code).toBe('STORAGE')
    expect(events.at(-1)?.type).toBe('error')
  })
})

describe('resumeSizesFit', () => {
  const lost = async (): Promise<never> => { throw new AppError('RESUME_UNCHECKED', 'The storage of this torrent was opened again without its resume data.') }
  const reader = (checkSizes: SizeReader['checkSizes'], sizes: number[]) => {
    const stats: number[][] = []
    const storage: SizeReader = { checkSizes, stat: async () => { stats.push(sizes); return sizes } }
    return { storage, stats }
  }
  const running = () => true

  it('when the worker lost what to check, reads every size instead and asks for a re-check if a file is short (regression: "all fit" was trusted)', async () => {
    const record = halfDone()
    const events: EngineEvent[] = []
    const { storage, stats } = reader(lost, [16, 3])
    expect(await resumeSizesFit(storage, record, { emit: (e) => events.push(e) }, running)).toBe(false)
    expect(stats).toHaveLength(1)
    expect(events).toMatchObject([{ type: 'warning', message: expect.stringMatching(/1 verified pieces/) }])
  })

  it('when the worker lost what to check and every file holds its pieces: fits, and says the sizes were read', async () => {
    const record = halfDone()
    const events: EngineEvent[] = []
    const { storage } = reader(lost, [16, 16])
    expect(await resumeSizesFit(storage, record, { emit: (e) => events.push(e) }, running)).toBe(true)
    expect(events).toMatchObject([{ type: 'warning', message: expect.stringMatching(/all verified pieces are on disk/) }])
  })

  it('when the worker lost what to check and the record has no pieces or metainfo to check against, does not trust the resume data (regression: "fit")', async () => {
    for (const missing of ['bitfield', 'metainfo'] as const) {
      const record = halfDone()
      delete record[missing]
      const { storage, stats } = reader(lost, [16, 16])
      expect(await resumeSizesFit(storage, record, { emit: () => {} }, running), missing).toBe(false)
      expect(stats).toEqual([])
    }
  })

  it('a file found short by the batches asks for a re-check; all fitting does not', async () => {
    const record = halfDone()
    const emit = () => {}
    expect(await resumeSizesFit(reader(async () => ({ left: 1, short: [1] }), []).storage, record, { emit }, running)).toBe(false)
    expect(await resumeSizesFit(reader(async () => ({ left: 0, short: [] }), []).storage, record, { emit }, running)).toBe(true)
  })

  it('any other failure of the worker is thrown to the caller, not taken for a fit', async () => {
    const record = halfDone()
    const { storage } = reader(async () => { throw new AppError('STORAGE', 'The storage worker stopped.') }, [16, 16])
    await expect(resumeSizesFit(storage, record, { emit: () => {} }, running)).rejects.toThrow(/worker stopped/)
  })
})
