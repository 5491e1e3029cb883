import type { FileSpan } from '../../core/file-storage/pieces'
import { AppError } from '../../protocol/errors'
import type { ResumeSizes, SizeCheck } from '../../protocol/storage-messages'

/**
 * A trusted resume's file sizes, checked in the storage worker as the files are used instead of
 * all before the torrent starts (5,000 sizes took 0.5 to 1.7 s of a 10,000-file resume;
 * docs/BENCHMARKS.md). The resume data says which pieces are on disk; each file they touch must
 * be at least as long as their bytes in it (core/file-storage/bitfield.ts leastFileSizes). A file
 * is checked the first time it is opened, before anything is written to it, or in a 'check-sizes'
 * batch, whichever comes first. One found shorter (or missing) is refused from then on
 * (RESUME_MISMATCH): a read of it fails, and a write to it would have filled the hole with zeros
 * that a later size check takes for the pieces it lost, so it never happens. The engine then
 * re-checks the torrent: its pieces past the files' ends cleared, as a stat of every file did.
 */
export class ResumeSizeCheck {
  private readonly least = new Map<number, number>()
  /** Files still to check, in order (the zero-length ones too: a listing made them, none does now). */
  private readonly pending = new Set<number>()
  private readonly short = new Set<number>()
  private readonly emptyFiles = new Set<number>()

  constructor(resume: ResumeSizes, files: readonly FileSpan[]) {
    resume.fileIndices.forEach((index, i) => {
      this.least.set(index, resume.minSizes[i] ?? 0)
      this.pending.add(index)
    })
    files.forEach((file, index) => {
      if (file.length > 0) return
      this.emptyFiles.add(index)
      this.pending.add(index)
    })
  }

  isEmptyFile(index: number): boolean {
    return this.emptyFiles.has(index)
  }

  /** Throws RESUME_MISMATCH for a file found shorter than the resume data needs. */
  refuseShort(index: number): void {
    if (this.short.has(index)) throw mismatch(index)
  }

  /**
   * File `index` found at `size` bytes (-1: missing) before anything was written to it. Only the
   * first look counts: later sizes include this session's own writes. `refuse`: throw when short.
   */
  opened(index: number, size: number, refuse = true): void {
    if (!this.pending.delete(index)) {
      if (refuse) this.refuseShort(index)
      return
    }
    if (size >= (this.least.get(index) ?? -1)) return
    this.short.add(index)
    if (refuse) throw mismatch(index)
  }

  /** Up to `max` files to check next (each leaves the list when `opened` hears its size). */
  next(max: number): number[] {
    const batch: number[] = []
    for (const index of this.pending) {
      if (batch.length >= max) break
      batch.push(index)
    }
    return batch
  }

  result(): SizeCheck {
    return { left: this.pending.size, short: [...this.short] }
  }
}

/**
 * The size check of a torrent whose storage was opened with resume data. Its entry closed, or
 * closed and opened again without resume data (webtorrent's store opens it so), holds nothing to
 * check: answering "all fit" then trusted every file unchecked, so it is a failure of its own the
 * engine answers by reading the sizes on disk (engine/download-manager/resume-sizes.ts).
 */
export function resumeCheckOf<T extends { resume?: ResumeSizeCheck }>(entry: T | undefined): T & { resume: ResumeSizeCheck } {
  if (entry?.resume) return entry as T & { resume: ResumeSizeCheck }
  throw new AppError('RESUME_UNCHECKED', entry
    ? 'The storage of this torrent was opened again without its resume data: its file sizes are read instead.'
    : 'The storage of this torrent was closed before its resume data\'s file sizes were checked: they are read instead.')
}

function mismatch(index: number): AppError {
  return new AppError('RESUME_MISMATCH', `File ${index + 1} is shorter on disk than the torrent's resume data says (changed while the app was closed): re-checking.`)
}
