import type { ErrorInfo } from './errors'

// What the app keeps of each torrent and of each finished download: the domain's records, which
// prefs/db.ts stores, the engine works on and other tabs receive.

/** File priorities a user can set: skip (not downloaded), normal, high. */
export type FilePriority = 0 | 1 | 2

/** What survives a reload of one torrent. */
export interface StoredTorrent {
  infoHash: string
  name: string
  addedAt: number
  /** How it was added; a magnet is kept until its metadata arrives. */
  magnetURI?: string
  /** The .torrent bytes (added from a file, or metadata fetched from peers). */
  torrentFile?: Uint8Array
  /** Paused by the user (or by a full disk): not started at load. */
  paused: boolean
  pausedBecause?: ErrorInfo
  priorities?: FilePriority[]
  /** A magnet added with "ask which files": nothing is downloaded until the user chooses (engine/file-choice). */
  awaitingFiles?: boolean
  /** Position in the queue (lower starts first); the time added until moved. */
  queueRank?: number
  sequential?: boolean
  finishedAt?: number
  /** Bytes uploaded in earlier sessions, for the seeding ratio. */
  uploadedBefore?: number
  /** Seconds spent seeding in earlier sessions, for the seeding time goal. */
  seededSecondsBefore?: number
  /** This torrent's own speed limits, bytes/s, under the global ones; absent or 0 = none. */
  downloadLimit?: number
  uploadLimit?: number
  /** The user pressed Seed after a seeding goal had stopped it: the goals no longer stop it. */
  seedPastGoal?: boolean
}

/** A finished download, for the history list. */
export interface HistoryEntry {
  id?: number
  infoHash: string
  name: string
  length: number
  finishedAt: number
}
