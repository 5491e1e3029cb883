import { AppError } from '../../protocol/errors'
import type { SaveEntry } from '../../storage/file-assembly/save'
import type { StorageClient } from '../../storage/file-storage/storage-client'
import { opfsFile } from '../file-assembly/opfs-file'
import { playbackStream } from '../piece-selection/playback-stream'
import type { TorrentRecord } from './snapshot'

/** A listed torrent's files as the person gets them: saved from OPFS, or streamed for playback. */
export class TorrentFiles {
  constructor(
    private readonly records: ReadonlyMap<string, TorrentRecord>,
    private readonly storage: StorageClient,
  ) {}

  /** A disk-backed File of a complete torrent file, straight from OPFS. */
  async fileForSave(infoHash: string, fileIndex: number): Promise<File> {
    await this.releaseFile(infoHash, fileIndex)
    return opfsFile(infoHash, fileIndex)
  }

  /** Lets go of a file's sync access handle, so any tab can read it. */
  async releaseFile(infoHash: string, fileIndex: number): Promise<void> {
    if (!this.records.get(infoHash)?.metainfo?.files[fileIndex]) throw new AppError('STORAGE', 'That file is no longer in the list.')
    await this.storage.release(infoHash, fileIndex)
  }

  /** What a stream route needs to answer range requests for one file. */
  streamInfo(infoHash: string, fileIndex: number): { name: string; length: number } | undefined {
    const file = this.records.get(infoHash)?.metainfo?.files[fileIndex]
    if (!file || file.pad) return undefined
    return { name: file.path[file.path.length - 1] ?? file.name, length: file.length }
  }

  /**
   * Bytes [start, end] (inclusive) of a file as they become available. Pieces not yet verified
   * get top priority (webtorrent's `critical`), so playback and seeks fetch what they need next.
   */
  fileStream(infoHash: string, fileIndex: number, start: number, end: number): ReadableStream<Uint8Array> {
    const record = this.records.get(infoHash)
    const torrent = record?.torrent
    if (!record || !torrent?.files?.[fileIndex]) throw new AppError('STORAGE', 'That file is not available: is its torrent paused?')
    return playbackStream(record, torrent, fileIndex, start, end)
  }

  /** Every real (non-padding, not skipped) file of a torrent, for "Save all". */
  async saveEntries(infoHash: string): Promise<{ name: string; entries: SaveEntry[] }> {
    const { name, files } = this.saveLayout(infoHash)
    return { name, entries: files.map((file) => ({ path: file.path, open: () => this.fileForSave(infoHash, file.index) })) }
  }

  saveLayout(infoHash: string): { name: string; files: { path: string[]; index: number }[] } {
    const metainfo = this.records.get(infoHash)?.metainfo
    if (!metainfo) throw new AppError('STORAGE', 'That torrent has no files yet.')
    const priorities = this.records.get(infoHash)?.stored.priorities
    const wanted = metainfo.files.filter((file) => !file.pad && priorities?.[file.index] !== 0)
    return { name: metainfo.name, files: wanted.map(({ path, index }) => ({ path, index })) }
  }
}
