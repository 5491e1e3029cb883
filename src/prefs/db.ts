import { openDB, type DBSchema, type IDBPDatabase } from 'idb'
import type { HistoryEntry, StoredTorrent } from '../protocol/stored-torrent'

/** Verified pieces, saved as they verify and on pagehide: fast resume trusts these. */
export interface ResumeData {
  infoHash: string
  bitfield: Uint8Array
  savedAt: number
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
