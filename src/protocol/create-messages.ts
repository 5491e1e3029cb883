import type { ErrorInfo } from './errors'

/** BitTorrent v1 (BEP 3), v2 (BEP 52) or both at once; the same union as core's MetaVersion. */
export type TorrentVersion = 'v1' | 'v2' | 'hybrid'

/** Messages between the page (src/engine/create-service.ts) and the create worker. */

/** A file to share: the File itself (structured-cloned, still disk-backed) and its path in the torrent. */
export interface CreateSourceFile {
  file: File
  /** Components below the torrent's folder, already cleaned and in torrent order. */
  path: string[]
}

export interface CreateJob {
  /** Cleaned torrent name. */
  name: string
  files: CreateSourceFile[]
  /** One file stored as `info.length` (a single picked file). */
  singleFile: boolean
  pieceLength: number
  version: TorrentVersion
  announce: string[]
  private: boolean
  comment?: string
  createdBy?: string
  /** Seconds since the epoch. */
  creationDate?: number
}

export type CreateRequest =
  | { type: 'create'; id: number; job: CreateJob }
  /** Stops the job with this id and deletes what it wrote; answered with `cancelled`. */
  | { type: 'cancel'; id: number }

export type CreateResponse =
  /** At most about ten a second, and once at the end with hashed === total. */
  | { type: 'progress'; id: number; hashed: number; total: number }
  /** Its files are in OPFS, under its info-hash, for the engine to seed. */
  | { type: 'created'; id: number; infoHash: string; infoHashV2?: string; name: string; torrentFile: Uint8Array; version: TorrentVersion }
  | { type: 'cancelled'; id: number }
  | { type: 'fail'; id: number; error: ErrorInfo }

/** OPFS: files are written under `torrents/<CREATING_PREFIX><uuid>/` and moved to `torrents/<infoHash>/` at the end. */
export const CREATING_PREFIX = '.creating-'
/** Web Lock held while a temporary folder is in use; folders whose lock nobody holds are leftovers. */
export function creatingLockName(folder: string): string {
  return `torrent-web-create:${folder}`
}
/** Minimum interval between progress messages. */
export const CREATE_PROGRESS_INTERVAL_MS = 100
