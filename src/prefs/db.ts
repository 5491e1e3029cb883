import { openDB, type DBSchema, type IDBPDatabase } from 'idb'
import type { ErrorInfo } from '../protocol/errors'

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

/** Verified pieces, saved as they verify and on pagehide: fast resume trusts these. */
export interface ResumeData {
  infoHash: string
  bitfield: Uint8Array
  savedAt: number
}

export interface HistoryEntry {
  id?: number
  infoHash: string
  name: string
  length: number
  finishedAt: number
}

interface Schema extends DBSchema {
  torrents: { key: string; value: StoredTorrent }
  resume: { key: string; value: ResumeData }
  settings: { key: string; value: unknown }
  history: { key: number; value: HistoryEntry; indexes: { finishedAt: number } }
}

export const DB_NAME = 'torrent-web'
export const DB_VERSION = 1

export type TorrentDb = IDBPDatabase<Schema>

/** Opens the database, creating or migrating its stores; each version's step runs once. */
export function openTorrentDb(name = DB_NAME): Promise<TorrentDb> {
  return openDB<Schema>(name, DB_VERSION, {
    upgrade(db, oldVersion) {
      if (oldVersion < 1) {
        db.createObjectStore('torrents', { keyPath: 'infoHash' })
        db.createObjectStore('resume', { keyPath: 'infoHash' })
        db.createObjectStore('settings')
        db.createObjectStore('history', { keyPath: 'id', autoIncrement: true }).createIndex('finishedAt', 'finishedAt')
      }
      // Later versions: `if (oldVersion < 2) { … }`, never editing a step that has shipped.
    },
    blocked() {
      console.warn('An older tab of this app keeps the database open; close it to upgrade.')
    },
  })
}
