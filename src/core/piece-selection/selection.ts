import { filePieceRange, type FileSpan } from '../file-storage/pieces'

/** 0 = skip, 1 = normal, 2 = high. */
export type Priority = 0 | 1 | 2

export interface PieceRange { from: number; to: number; priority: number }

/**
 * The piece ranges to select for the given file priorities, merged where neighbours agree.
 * A piece shared by a skipped and a wanted file is selected (the wanted file needs it), at the
 * higher priority of the two. webtorrent's priorities: 0 normal, 1 high.
 */
export function selectionRanges(files: readonly FileSpan[], pieceLength: number, priorities: readonly Priority[]): PieceRange[] {
  const pieceCount = files.length ? Math.ceil(files.reduce((sum, f) => sum + f.length, 0) / pieceLength) : 0
  const wanted = new Int8Array(pieceCount).fill(-1)
  files.forEach((file, index) => {
    const priority = priorities[index] ?? 1
    const range = filePieceRange(file, pieceLength)
    if (!range || priority === 0) return
    for (let piece = range.first; piece <= range.last; piece++) wanted[piece] = Math.max(wanted[piece]!, priority - 1)
  })
  const ranges: PieceRange[] = []
  for (let piece = 0; piece < pieceCount; piece++) {
    const priority = wanted[piece]!
    if (priority < 0) continue
    const last = ranges[ranges.length - 1]
    if (last && last.to === piece - 1 && last.priority === priority) last.to = piece
    else ranges.push({ from: piece, to: piece, priority })
  }
  return ranges
}

/** Bytes the selected files need on disk (for the space check before starting). */
export function selectedBytes(files: readonly FileSpan[], priorities: readonly Priority[]): number {
  return files.reduce((sum, file, index) => sum + ((priorities[index] ?? 1) > 0 ? file.length : 0), 0)
}

/**
 * The add dialog's choice as one priority per file of the torrent. Padding files are never
 * wanted, and a file the choice does not name is skipped.
 */
export function chosenPriorities(files: readonly { pad: boolean }[], chosen: readonly Priority[]): Priority[] {
  return files.map((file, index) => (file.pad ? 0 : chosen[index] ?? 0))
}
