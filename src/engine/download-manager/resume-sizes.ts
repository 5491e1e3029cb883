import { trimToFileSizes } from '../../core/file-storage/bitfield'
import { storageLayout } from '../../core/file-storage/storage-layout'
import { AppError } from '../../protocol/errors'
import type { EngineEvent } from '../../protocol/engine-events'
import type { SizeCheck } from '../../protocol/storage-messages'
import type { Persistence } from './persistence'
import type { TorrentRecord } from './snapshot'
import { raise } from './torrent-session'

/**
 * The other half of a trusted resume (fast-resume.ts): once the torrent runs, the storage worker
 * checks the sizes of the files its resume data says hold verified pieces, a batch at a time so
 * piece reads and writes go on between batches (the worker runs one request at a time). A file
 * is also checked the first time it is read or written, before the batches reach it
 * (workers/file-storage/resume-size-check.ts). Where one is shorter than the data says (changed
 * or deleted while the app was closed), the torrent is re-checked against the sizes on disk.
 */
const BATCH = 256

/**
 * What this needs of the storage worker's client (StorageClient has both), named here so that
 * the pure parts can be tested in Node, which has no Worker.
 */
export interface SizeReader {
  checkSizes(infoHash: string, max: number): Promise<SizeCheck>
  stat(infoHash: string, layout: { fileLengths: number[]; pieceLength: number }): Promise<number[]>
}

/**
 * What the batches found: 'short', a file shorter than the resume data says; 'unchecked', the
 * worker no longer holds what the data expects (its storage closed, or opened again without it),
 * so nothing could be checked; 'fit' when all fit, or the run ended first. Both of the first
 * two get the sizes on disk read (refitToDisk): resume data is never trusted unchecked.
 */
export type ResumeSizesVerdict = 'fit' | 'short' | 'unchecked'

async function resumeSizesVerdict(storage: SizeReader, infoHash: string, running: () => boolean): Promise<ResumeSizesVerdict> {
  while (running()) {
    let check: SizeCheck
    try {
      check = await storage.checkSizes(infoHash, BATCH)
    } catch (err) {
      if (AppError.from(err).code === 'RESUME_UNCHECKED') return 'unchecked'
      throw err
    }
    if (check.short.length) return 'short'
    if (check.left === 0) return 'fit'
  }
  return 'fit'
}

/**
 * True when the torrent's files hold its verified pieces; false when it must be re-checked
 * against the sizes on disk (refitToDisk). When the worker lost what to check, every size is
 * read at once instead (a stat, as a start without resume data does), and that is said: a
 * re-check only if a file is short, so a storage that keeps losing it cannot restart the
 * torrent over and over.
 */
export async function resumeSizesFit(storage: SizeReader, record: TorrentRecord, host: Pick<RefitHost, 'emit'>, running: () => boolean): Promise<boolean> {
  const verdict = await resumeSizesVerdict(storage, record.infoHash, running)
  const metainfo = record.metainfo
  if (verdict !== 'unchecked' || !running()) return verdict !== 'short'
  // nothing to read the sizes against: not trusted (refitToDisk then decides, as for a short file)
  if (!metainfo || !record.bitfield) return false
  const sizes = await storage.stat(record.infoHash, storageLayout(metainfo))
  const { cleared } = trimToFileSizes(record.bitfield, metainfo.files, metainfo.pieceLength, metainfo.length, sizes)
  host.emit({ type: 'warning', infoHash: record.infoHash, message: `The storage lost the resume data's file sizes to check, so every file's size was read instead: ${cleared ? `${cleared} verified pieces lie past the end of short files, re-checking` : 'all verified pieces are on disk'}.` })
  return cleared === 0
}

/** What a re-check against the sizes on disk needs of the runner around it. */
export interface RefitHost {
  storage: SizeReader
  persistence: Persistence
  stop(record: TorrentRecord): Promise<void>
  start(record: TorrentRecord): Promise<void>
  emit(event: EngineEvent): void
  applyQueue(): void
}

/**
 * A file is shorter than the torrent's resume data says: stopped, its verified pieces that lie
 * past a file's end on disk cleared (as a stat of every file before the start did), that saved,
 * and started again (Checking, then Downloading them again). Every other verified piece is kept:
 * nothing was written to a short file (the worker refused it), so its size is what the app
 * found, and every other file holds its pieces.
 */
export async function refitToDisk(record: TorrentRecord, host: RefitHost): Promise<void> {
  const metainfo = record.metainfo
  if (record.refitting || !metainfo || !record.bitfield) return
  record.refitting = true
  try {
    await host.stop(record)
    const sizes = await host.storage.stat(record.infoHash, storageLayout(metainfo))
    const { bitfield, cleared } = trimToFileSizes(record.bitfield, metainfo.files, metainfo.pieceLength, metainfo.length, sizes)
    record.bitfield = bitfield
    record.bitfieldVersion = (record.bitfieldVersion ?? 0) + 1
    host.persistence.scheduleResume(record.infoHash, () => record.bitfield!)
    await host.persistence.flush()
    host.emit({ type: 'warning', infoHash: record.infoHash, message: `${cleared} verified pieces lay past the end of files that are shorter on disk than when they were written (changed while the app was closed): re-checked, they will be downloaded again.` })
    raise(record, { type: 'recheck' })
  } catch (err) {
    // the stop, the sizes or the save failed (storage gone, IndexedDB full): said, not left stopped in silence
    const cause = AppError.from(err, 'STORAGE')
    record.error = new AppError(cause.code, `Files of this torrent changed on disk while the app was closed, and re-checking them failed (${cause.message}). Use "Re-check" to try again.`).toInfo()
    raise(record, { type: 'failed', code: record.error.code })
    host.emit({ type: 'error', infoHash: record.infoHash, error: record.error })
    return
  } finally {
    record.refitting = false
  }
  host.applyQueue()
  if (!record.torrent && !record.stored.paused) void host.start(record)
}
