import { emptyBitfield, leastFileSizes } from '../../core/file-storage/bitfield'
import { storageLayout } from '../../core/file-storage/storage-layout'
import type { StorageClient } from '../../storage/file-storage/storage-client'
import type { TorrentRecord } from './snapshot'

/**
 * Fast resume: the bitfield a starting torrent hands webtorrent, so it skips hashing what it
 * verified before. Trusted resume data, as libtorrent trusts its own: the files' sizes are not
 * read first (5,000 of them took 0.5 to 1.7 s of a 10,000-file resume, docs/BENCHMARKS.md) but
 * checked by the storage worker as they are used and in batches once it runs (resume-sizes.ts);
 * a file shorter than the data says gets the torrent re-checked against the sizes on disk. Without
 * resume data: nothing when nothing is on disk; undefined (hash it all) otherwise, or on a re-check.
 */
export async function startupBitfield(storage: StorageClient, record: TorrentRecord): Promise<Uint8Array | undefined> {
  const metainfo = record.metainfo
  if (!metainfo || record.forceFullCheck) return undefined
  if (record.bitfield) {
    const bitfield = emptyBitfield(metainfo.pieceCount)
    bitfield.set(record.bitfield.subarray(0, bitfield.length))
    // before webtorrent's store opens it: the worker then knows what to check, and lists nothing
    await storage.open(record.infoHash, storageLayout(metainfo), undefined, leastFileSizes(bitfield, metainfo.files, metainfo.pieceLength, metainfo.length))
    record.sizesToCheck = true
    return bitfield
  }
  const sizes = await storage.stat(record.infoHash, storageLayout(metainfo))
  // No resume data: if nothing is on disk there is nothing to check; otherwise hash it all.
  const nothingOnDisk = metainfo.files.every((file, i) => file.length === 0 || (sizes[i] ?? -1) <= 0)
  return nothingOnDisk ? emptyBitfield(metainfo.pieceCount) : undefined
}
