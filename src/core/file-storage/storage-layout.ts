import type { StorageLayout } from '../../protocol/storage-messages'

/**
 * Where a torrent's pieces lie in its files, as the storage worker needs it: one builder for the
 * store's open, fast resume's open and stat, and a re-check's stat, so they never disagree.
 */
export function storageLayout(torrent: { files: readonly { length: number }[]; pieceLength: number }): StorageLayout {
  return { fileLengths: torrent.files.map((file) => file.length), pieceLength: torrent.pieceLength }
}
