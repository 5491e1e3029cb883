import WebTorrent, { type Torrent } from 'webtorrent/dist/webtorrent.min.js'
import type { MagnetLink } from '../core/magnet'
import { magnetUri } from '../core/magnet'
import type { Metainfo } from '../core/metainfo'
import { AppError } from '../protocol/errors'
import type { EngineEvent, TorrentSnapshot } from '../protocol/engine-events'
import type { RuntimeConfig } from '../protocol/runtime-config'
import { STORAGE_ROOT, opfsFileName } from '../protocol/storage-messages'
import { opfsChunkStore } from '../storage/opfs-chunk-store'
import type { SaveEntry } from '../storage/save'
import type { StorageClient } from '../storage/storage-client'
import { fetchTorrent } from './fetch-torrent'
import { parseTorrentFile } from './parse-service'
import { snapshot, type TorrentRecord } from './snapshot'

export type AddSource =
  | { kind: 'magnet'; magnet: MagnetLink }
  | { kind: 'file'; bytes: Uint8Array; fileName?: string }
  | { kind: 'url'; url: string }

/** How often the UI hears of progress, whatever webtorrent's own event rate. */
const PROGRESS_INTERVAL_MS = 250

/**
 * The engine facade: webtorrent in the page, our storage under it, one typed event stream out.
 * The UI never touches webtorrent objects.
 */
export class Engine {
  private readonly client: WebTorrent
  private readonly records = new Map<string, TorrentRecord>()
  private readonly listeners = new Set<(event: EngineEvent) => void>()
  private readonly store: ReturnType<typeof opfsChunkStore>
  private progressTimer: ReturnType<typeof setInterval> | undefined

  constructor(private readonly config: RuntimeConfig, private readonly storage: StorageClient) {
    this.client = new WebTorrent({
      tracker: { rtcConfig: { iceServers: config.iceServers } },
      dht: false,
      lsd: false,
    })
    this.client.on('error', (err: Error) => this.emit({ type: 'error', error: AppError.from(err).toInfo() }))
    this.store = opfsChunkStore(storage)
  }

  on(listener: (event: EngineEvent) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  list(): TorrentSnapshot[] {
    return [...this.records.values()].map(snapshot)
  }

  /** Adds a torrent; resolves to its info hash. An already-listed torrent is not added twice. */
  async add(source: AddSource): Promise<string> {
    if (source.kind === 'url') return this.add({ kind: 'file', bytes: await fetchTorrent(source.url) })
    if (source.kind === 'magnet') return this.addMagnet(source.magnet)
    const metainfo = await parseTorrentFile(source.bytes)
    const existing = this.findDuplicate(metainfo.infoHash)
    if (existing) return existing
    const torrent = this.client.add(source.bytes, this.addOptions(metainfo.announce))
    this.track(torrent, metainfo.infoHash, metainfo.name, metainfo)
    return metainfo.infoHash
  }

  async remove(infoHash: string, deleteData: boolean): Promise<void> {
    const record = this.records.get(infoHash)
    if (!record) return
    this.records.delete(infoHash)
    await this.client.remove(record.torrent, { destroyStore: deleteData }).catch(() => {})
    // The store may never have opened (magnet without metadata): delete by name as well.
    if (deleteData) await this.storage.destroy(infoHash)
    this.emit({ type: 'removed', infoHash, deletedData: deleteData })
  }

  /** A disk-backed File of a complete torrent file, straight from OPFS. */
  async fileForSave(infoHash: string, fileIndex: number): Promise<File> {
    const record = this.records.get(infoHash)
    const file = record?.metainfo?.files[fileIndex]
    if (!record || !file) throw new AppError('STORAGE', 'That file is no longer in the list.')
    await this.storage.release(infoHash, fileIndex)
    const root = await navigator.storage.getDirectory()
    const dir = await (await root.getDirectoryHandle(STORAGE_ROOT)).getDirectoryHandle(infoHash)
    const handle = await dir.getFileHandle(opfsFileName(fileIndex))
    return handle.getFile()
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
    const file = record?.torrent.files?.[fileIndex]
    if (!record || !file) throw new AppError('STORAGE', 'That file is no longer in the list.')
    return file.stream({ start, end })
  }

  /** Every real (non-padding) file of a torrent, for "Save all". */
  saveEntries(infoHash: string): { name: string; entries: SaveEntry[] } {
    const metainfo = this.records.get(infoHash)?.metainfo
    if (!metainfo) throw new AppError('STORAGE', 'That torrent has no files yet.')
    const entries = metainfo.files
      .filter((file) => !file.pad)
      .map((file) => ({ path: file.path, open: () => this.fileForSave(infoHash, file.index) }))
    return { name: metainfo.name, entries }
  }

  private addMagnet(magnet: MagnetLink): string {
    const existing = this.findDuplicate(magnet.infoHash)
    if (existing) return existing
    const uri = magnetUri({ ...magnet, trackers: [] })
    const torrent = this.client.add(uri, this.addOptions(magnet.trackers))
    this.track(torrent, magnet.infoHash, magnet.name ?? magnet.infoHash)
    return magnet.infoHash
  }

  private findDuplicate(infoHash: string): string | undefined {
    const record = this.records.get(infoHash)
    if (!record) return undefined
    this.emit({ type: 'duplicate', infoHash, name: snapshot(record).name })
    return infoHash
  }

  private addOptions(announce: string[]) {
    // The browser can only reach WebSocket trackers; the others go to the bridge (later).
    const browserTrackers = announce.filter((url) => /^wss?:\/\//i.test(url))
    return {
      announce: [...new Set([...this.config.trackers, ...browserTrackers])],
      store: this.store,
      storeCacheSlots: 0, // reads go to the worker; no pieces cached in page memory
      destroyStoreOnDestroy: false,
    }
  }

  /** `infoHash` is ours: webtorrent parses its input asynchronously and knows it only later. */
  private track(torrent: Torrent, infoHash: string, displayName: string, metainfo?: Metainfo): void {
    const record: TorrentRecord = { torrent, infoHash, displayName, addedAt: Date.now() }
    if (metainfo) record.metainfo = metainfo
    this.records.set(infoHash, record)
    torrent.on('metadata', () => void this.onMetadata(record))
    torrent.on('done', () => this.emit({ type: 'done', torrent: snapshot(record) }))
    torrent.on('warning', (err: Error) => {
      this.emit({ type: 'warning', infoHash, message: err.message })
    })
    torrent.on('error', (err: Error) => {
      record.error = AppError.from(err).toInfo()
      this.emit({ type: 'error', infoHash, error: record.error })
    })
    this.emit({ type: 'added', torrent: snapshot(record) })
    this.progressTimer ??= setInterval(() => this.emitProgress(), PROGRESS_INTERVAL_MS)
  }

  /** Metadata from peers (magnets) goes through our own validation too. */
  private async onMetadata(record: TorrentRecord): Promise<void> {
    if (!record.metainfo) {
      const bytes = record.torrent.torrentFile
      try {
        if (!bytes) throw new AppError('BAD_TORRENT', 'The peers sent no usable metadata.')
        record.metainfo = await parseTorrentFile(bytes)
      } catch (err) {
        record.error = AppError.from(err, 'BAD_TORRENT').toInfo()
        record.torrent.pause()
        this.emit({ type: 'error', infoHash: record.infoHash, error: record.error })
        return
      }
    }
    this.emit({ type: 'metadata', torrent: snapshot(record) })
  }

  private emitProgress(): void {
    if (this.records.size === 0) {
      clearInterval(this.progressTimer)
      this.progressTimer = undefined
      return
    }
    this.emit({ type: 'progress', torrents: this.list() })
  }

  private emit(event: EngineEvent): void {
    for (const listener of this.listeners) listener(event)
  }
}
