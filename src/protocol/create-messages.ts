/** BitTorrent v1 (BEP 3), v2 (BEP 52) or both at once; the same union as core's MetaVersion. */
export type TorrentVersion = 'v1' | 'v2' | 'hybrid'

/** Messages between the page (src/engine/file-assembly/create-service.ts) and the create worker. */

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

/** A call to the create worker (inside the RPC envelope, rpc-messages.ts); aborting it stops the job and deletes what it wrote. */
export type CreateRequest = { type: 'create'; job: CreateJob }

/** At most about ten a second, and once at the end with hashed === total. */
export interface CreateProgress { hashed: number; total: number }

/** Its files are in OPFS, under its info-hash, for the engine to seed. */
export interface CreatedTorrent { infoHash: string; infoHashV2?: string; name: string; torrentFile: Uint8Array; version: TorrentVersion }

/** OPFS: files are written under `torrents/<CREATING_PREFIX><uuid>/` and moved to `torrents/<infoHash>/` at the end. */
export const CREATING_PREFIX = '.creating-'
/** Web Lock held while a temporary folder is in use; folders whose lock nobody holds are leftovers. */
export function creatingLockName(folder: string): string {
  return `torrent-web-create:${folder}`
}
/** Minimum interval between progress messages. */
export const CREATE_PROGRESS_INTERVAL_MS = 100
