import { emptyBitfield, trimToFileSizes } from '../../core/file-storage/bitfield'
import type { Metainfo } from '../../core/torrent-parser/metainfo'
import type { StorageLayout } from '../../protocol/storage-messages'
import type { StorageClient } from '../../storage/file-storage/storage-client'
import type { TorrentRecord } from './snapshot'

/** Where a torrent's pieces lie in its files, as the storage worker needs it. */
export function storageLayout(metainfo: Metainfo): StorageLayout {
  return { fileLengths: metainfo.files.map((file) => file.length), pieceLength: metainfo.pieceLength }
}

/**
 * Fast resume: the bitfield a starting torrent hands webtorrent, so it skips hashing what it
 * verified before. Trusted resume data, less the pieces of files that are shorter on disk than
 * they were; nothing when nothing is on disk; undefined (hash it all) otherwise, or on a re-check.
 */
export async function startupBitfield(storage: StorageClient, record: TorrentRecord): Promise<Uint8Array | undefined> {
  const metainfo = record.metainfo
  if (!metainfo || record.forceFullCheck) return undefined
  const sizes = await storage.stat(record.infoHash, storageLayout(metainfo))
  if (record.bitfield) {
    return trimToFileSizes(record.bitfield, metainfo.files, metainfo.pieceLength, metainfo.length, sizes).bitfield
  }
  // No resume data: if nothing is on disk there is nothing to check; otherwise hash it all.
  const nothingOnDisk = metainfo.files.every((file, i) => file.length === 0 || (sizes[i] ?? -1) <= 0)
  return nothingOnDisk ? emptyBitfield(metainfo.pieceCount) : undefined
}
