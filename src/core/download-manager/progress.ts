/**
 * What a person sees of a download, from one source: the verified-piece bitfield and the piece/file
 * arithmetic of pieces.ts, whether the torrent runs or not. (webtorrent's own figures disagreed with
 * it, and File.downloaded went negative: issue 12.) The engine may add the bytes received of
 * pieces not yet verified, for finer progress; "complete" never depends on them.
 */
import { fileComplete, fileProgress, type FileSpan } from '../file-storage/pieces'

export interface ProgressFile extends FileSpan {
  /** BEP 47 padding: never wanted, never shown, never counted. */
  pad: boolean
}

export interface PieceState {
  pieceLength: number
  totalLength: number
  /**
   * Verified pieces; undefined while the torrent has never been checked, when nothing is
   * complete, not even a zero-length file (its file on disk is made when the torrent starts).
   */
  has?: (piece: number) => boolean
  /** Bytes received of a piece not yet verified (the running engine's), for finer progress. */
  received?: (piece: number) => number
}

export interface FileProgress {
  /** 0 ≤ downloaded ≤ length, and = length only when done. */
  downloaded: number
  done: boolean
}

export interface TorrentProgress {
  /** Bytes of the wanted files (not skipped, not padding). */
  wantedLength: number
  /** Bytes of them downloaded: 0 ≤ downloaded ≤ wantedLength, and = wantedLength only when complete. */
  downloaded: number
  /** Every wanted file done. */
  complete: boolean
  /** Each file's own, wanted or not, in the order given. */
  files: FileProgress[]
}

const nothing = () => false

/** Priority 0 is "skip"; a file without one is wanted. */
export function isWanted(file: ProgressFile, priority: number | undefined): boolean {
  return !file.pad && (priority ?? 1) > 0
}

export function progressOfFile(file: ProgressFile, pieces: PieceState): FileProgress {
  const has = pieces.has ?? nothing
  return {
    downloaded: fileProgress(file, pieces.pieceLength, pieces.totalLength, has, pieces.has ? pieces.received : undefined),
    done: Boolean(pieces.has) && fileComplete(file, pieces.pieceLength, has),
  }
}

/** All wanted files complete, from the verified pieces alone (cheaper than torrentProgress: no byte counts). */
export function torrentComplete(files: readonly ProgressFile[], priorities: readonly (number | undefined)[], pieces: PieceState): boolean {
  const { has } = pieces
  if (!has) return false
  return files.every((file, i) => !isWanted(file, priorities[i]) || fileComplete(file, pieces.pieceLength, has))
}

/** Each file's progress, and the sums of the wanted ones; `files[i]` has `priorities[i]`. */
export function torrentProgress(files: readonly ProgressFile[], priorities: readonly (number | undefined)[], pieces: PieceState): TorrentProgress {
  let wantedLength = 0
  let downloaded = 0
  let complete = Boolean(pieces.has)
  const each = files.map((file, i) => {
    const progress = progressOfFile(file, pieces)
    if (isWanted(file, priorities[i])) {
      wantedLength += file.length
      downloaded += progress.downloaded
      complete &&= progress.done
    }
    return progress
  })
  return { wantedLength, downloaded, complete, files: each }
}
