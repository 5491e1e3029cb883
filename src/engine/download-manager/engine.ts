import { emptyBitfield, setPiece } from '../../core/file-storage/bitfield'
import { magnetUri } from '../../core/torrent-parser/magnet'
import type { Metainfo } from '../../core/torrent-parser/metainfo'
import type { SpeedLimits } from '../../core/download-manager/speed-limits'
import type { FilePriority, HistoryEntry, StoredTorrent } from '../../protocol/stored-torrent'
import { DEFAULT_SETTINGS, type Settings } from '../../prefs/settings'
import { AppError, type ErrorInfo } from '../../protocol/errors'
import type { EngineEvent, PeerSnapshot, TorrentDiagnostics, TorrentSnapshot, TrackerSnapshot } from '../../protocol/engine-events'
import type { RuntimeConfig } from '../../protocol/runtime-config'
import type { SaveEntry } from '../../storage/file-assembly/save'
import type { StorageClient } from '../../storage/file-storage/storage-client'
import { fetchTorrent } from '../torrent-parser/fetch-torrent'
import { markStartupStep } from './startup-marks'
import { parseTorrentFile } from '../torrent-parser/parse-service'
import type { AddOptions, AddSource } from './add-source'
import type { EngineApi } from './engine-api'
import type { Persistence } from './persistence'
import { isComplete, seedingTotals, type TorrentRecord } from './snapshot'
import { TorrentSession } from './torrent-session'
import { sameItems } from '../../core/download-manager/snapshot-cadence'
import { SnapshotCache } from './snapshot-cache'
import { FullDisk } from './full-disk'
import { BridgeLink, type BridgeStatus } from '../peer-connection/bridge-link'
import type { FileChoice } from './file-choice'
import { DownloadManager } from './manager'
import { TorrentControls } from './torrent-controls'
import { TorrentFiles } from './torrent-files'
import { TorrentRunner } from './torrent-runner'
import { TorrentViews } from './torrent-views'

// The add dialog's types, still importable from the engine.
export type { AddOptions, AddSource } from './add-source'

/**
 * The engine facade: what the UI and other tabs call, the torrents it lists (one session each,
 * torrent-session.ts), one typed event stream out. Adding, restoring and removing torrents are
 * its own; the person's controls on a torrent are torrent-controls.ts, its files for Save and
 * playback torrent-files.ts, its detail views torrent-views.ts, a full disk full-disk.ts. What
 * runs is up to the download manager (manager.ts), how a torrent runs in webtorrent up to the
 * torrent runner (torrent-runner.ts).
 */
export class Engine implements EngineApi {
  readonly local = true
  private readonly records = new Map<string, TorrentSession>()
  /** Each torrent's last snapshot; a tick takes only those due again (snapshot-cache.ts). */
  private readonly snapshots: SnapshotCache
  /** The list the last progress event carried: a tick that finds the same object for object sends none. */
  private lastProgress: TorrentSnapshot[] | undefined
  private readonly listeners = new Set<(event: EngineEvent) => void>()
  private readonly fullDisk: FullDisk
  private readonly controls: TorrentControls
  private readonly files: TorrentFiles
  private readonly views: TorrentViews
  private readonly runner: TorrentRunner
  private readonly manager: DownloadManager
  private settings: Settings = { ...DEFAULT_SETTINGS }
  private readonly bridge: BridgeLink | undefined
  /** What every session is made with: the settings of the moment, and the runner that runs it. */
  private readonly sessionContext = { settings: () => this.settings, runner: { start: (record: TorrentRecord) => this.runner.start(record), stop: (record: TorrentRecord, opts?: { destroyStore?: boolean }) => this.runner.stop(record, opts) } }

  constructor(
    config: RuntimeConfig,
    private readonly storage: StorageClient,
    private readonly persistence: Persistence,
    bridgeToken = '',
  ) {
    this.snapshots = new SnapshotCache((record) => record.torrent && this.bridge ? this.bridge.counts(record.infoHash) : undefined)
    this.fullDisk = new FullDisk({
      records: () => this.records.values(),
      snapshotOf: (record) => this.snapshotOf(record),
      emit: (event) => this.emit(event),
      resume: (infoHash) => this.resume(infoHash),
    })
    if (config.bridge) {
      this.bridge = new BridgeLink(config.bridge.path, bridgeToken || undefined,
        () => this.emit({ type: 'bridge', status: this.bridgeStatus() }),
        (infoHash, message) => this.emit({ type: 'warning', infoHash, message }))
    }
    this.runner = new TorrentRunner(config, this.records, storage, persistence, this.bridge, {
      settings: () => this.settings,
      emit: (event) => this.emit(event),
      snapshotOf: (record) => this.snapshotOf(record),
      checkSpace: (record) => void this.fullDisk.checkSpace(record),
      applyQueue: () => this.manager.applyQueue(),
      diskFull: () => this.fullDisk.paused(),
      progress: () => this.emitProgressSoon(),
    })
    this.manager = new DownloadManager(this.records, persistence, () => this.settings, (scope) => this.emitProgress(scope))
    this.controls = new TorrentControls(this.records, persistence, this.runner, this.manager, {
      progress: () => this.emitProgress(),
      checkSpace: (record) => void this.fullDisk.checkSpace(record),
    })
    this.files = new TorrentFiles(this.records, storage)
    this.views = new TorrentViews(this.records, this.bridge, this.runner.webSeeds, (record) => this.snapshotOf(record))
  }

  /** Whether the page reaches the whole swarm through the bridge, or WebRTC peers only. */
  bridgeStatus(): BridgeStatus {
    return this.bridge?.status ?? { state: 'none', reason: null }
  }

  on(listener: (event: EngineEvent) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  list(): TorrentSnapshot[] {
    return this.snapshots.all(this.records.values())
  }

  private snapshotOf(record: TorrentRecord): TorrentSnapshot {
    return this.snapshots.of(record)
  }

  /** Loads every saved torrent and starts what the queue allows. */
  async restore(): Promise<void> {
    const saved = await this.persistence.loadAll()
    markStartupStep('records-read')
    // all in flight at once: one at a time, 1,000 torrents waited for 1,000 round trips to the worker
    const parsed = await Promise.all(saved.map(({ stored }) => stored.torrentFile
      ? parseTorrentFile(stored.torrentFile).then((metainfo) => ({ metainfo }), (err: unknown) => ({ error: AppError.from(err, 'BAD_TORRENT').toInfo() }))
      : {}))
    markStartupStep('parsed')
    for (const [i, { stored, bitfield }] of saved.entries()) {
      const record = new TorrentSession(stored.infoHash, stored, this.sessionContext)
      if (bitfield) record.bitfield = bitfield
      const { metainfo, error } = parsed[i] as { metainfo?: Metainfo; error?: ErrorInfo }
      if (metainfo) record.metainfo = metainfo
      if (error) record.error = error
      // Finished in an earlier session: no "finished" event again when it starts seeding.
      record.completeHandled = isComplete(record)
      record.apply({ type: 'restored', record: record.storedFacts() })
      this.records.set(stored.infoHash, record)
    }
    this.manager.applyQueue()
    this.emitProgress()
    markStartupStep('first-snapshot')
    this.manager.startTicking()
  }

  applySettings(settings: Settings): void {
    this.settings = settings
    this.runner.limits.setGlobal(settings)
    this.manager.applyQueue()
  }

  /** Adds a torrent; resolves to its info hash. An already-listed torrent is not added twice. */
  async add(source: AddSource, options: AddOptions = {}): Promise<string> {
    if (source.kind === 'url') return this.add({ kind: 'file', bytes: await fetchTorrent(source.url) }, options)
    let stored: StoredTorrent
    let metainfo: Metainfo | undefined
    if (source.kind === 'magnet') {
      if (this.isDuplicate(source.magnet.infoHash)) return source.magnet.infoHash
      // The magnet's own trackers are kept; the server's are added when it starts.
      stored = { infoHash: source.magnet.infoHash, name: source.magnet.name ?? source.magnet.infoHash, addedAt: Date.now(), magnetURI: magnetUri(source.magnet), paused: false }
    } else {
      metainfo = await parseTorrentFile(source.bytes)
      if (this.isDuplicate(metainfo.infoHash)) return metainfo.infoHash
      stored = { infoHash: metainfo.infoHash, name: metainfo.name, addedAt: Date.now(), torrentFile: source.bytes, paused: false }
    }
    if (options.paused) stored.paused = true
    if (options.priorities) stored.priorities = options.priorities
    if (options.askFiles && source.kind === 'magnet') stored.awaitingFiles = true
    const record = new TorrentSession(stored.infoHash, stored, this.sessionContext)
    if (metainfo) record.metainfo = metainfo
    if (metainfo && options.complete) {
      record.bitfield = emptyBitfield(metainfo.pieceCount).fill(0xff)
      for (let i = metainfo.pieceCount; i < record.bitfield.length * 8; i++) setPiece(record.bitfield, i, false)
      this.persistence.scheduleResume(record.infoHash, () => record.bitfield!)
      record.completeHandled = true
    }
    record.apply({ type: 'added', record: record.storedFacts() })
    this.records.set(stored.infoHash, record)
    await this.persistence.saveTorrent(stored)
    this.emit({ type: 'added', torrent: this.snapshotOf(record) })
    if (metainfo) void this.fullDisk.checkSpace(record)
    this.manager.applyQueue()
    this.manager.startTicking()
    return stored.infoHash
  }

  async remove(infoHash: string, deleteData: boolean): Promise<void> {
    const record = this.records.get(infoHash)
    if (!record) return
    this.records.delete(infoHash)
    this.snapshots.forget(infoHash)
    await record.stop({ destroyStore: deleteData })
    await this.persistence.delete(infoHash)
    // The store may never have opened (paused, or a magnet without metadata): delete by name too.
    if (deleteData) await this.storage.destroy(infoHash)
    this.emit({ type: 'removed', infoHash, deletedData: deleteData })
    this.manager.applyQueue()
  }

  pause(infoHash: string): Promise<void> {
    return this.controls.pause(infoHash)
  }

  resume(infoHash: string): Promise<void> {
    return this.controls.resume(infoHash)
  }

  /** Re-hashes every piece on disk (after the user changed files, or to be sure). */
  recheck(infoHash: string): Promise<void> {
    return this.controls.recheck(infoHash)
  }

  setFilePriority(infoHash: string, fileIndex: number, priority: FilePriority): Promise<void> {
    return this.controls.setFilePriority(infoHash, fileIndex, priority)
  }

  /** The files chosen for a magnet that waited for its metadata (AddOptions.askFiles): now it downloads. */
  chooseFiles(infoHash: string, choice: FileChoice): Promise<void> {
    return this.controls.chooseFiles(infoHash, choice)
  }

  setSequential(infoHash: string, sequential: boolean): Promise<void> {
    return this.controls.setSequential(infoHash, sequential)
  }

  /** A torrent's own speed limits (bytes/s, 0 = none), under the global ones; kept, and applied at once. */
  setSpeedLimits(infoHash: string, limits: Partial<SpeedLimits>): Promise<void> {
    return this.controls.setSpeedLimits(infoHash, limits)
  }

  /** Moves a torrent up (-1) or down (+1) in the queue. */
  move(infoHash: string, delta: -1 | 1): Promise<void> {
    return this.manager.move(infoHash, delta)
  }

  /** The connected peers of a running torrent (none when it is not running). */
  async peers(infoHash: string): Promise<PeerSnapshot[]> {
    return this.views.peers(infoHash)
  }

  /** A running torrent's trackers and where each stands (torrent-views.ts). */
  async trackers(infoHash: string): Promise<TrackerSnapshot[]> {
    return this.views.trackers(infoHash)
  }

  /** What the engine knows of a torrent, for the Diagnostics view; undefined when it is not listed. */
  async diagnostics(infoHash: string): Promise<TorrentDiagnostics | undefined> {
    return this.views.diagnostics(infoHash)
  }

  /** Finished downloads, newest first. */
  history(): Promise<HistoryEntry[]> {
    return this.persistence.history()
  }

  async clearHistory(): Promise<void> {
    await this.persistence.clearHistory()
    this.emit({ type: 'history' })
  }

  /** Writes pending resume data now, and what running torrents uploaded and seeded so far (pagehide). */
  async flush(): Promise<void> {
    // Saved as totals without banking them here: the torrents run on if the page stays.
    const running = [...this.records.values()].filter((record) => record.torrent)
    await Promise.all([this.persistence.flush(), this.persistence.saveTorrentsNow(running.map((record) => {
      const { uploaded, seededSeconds } = seedingTotals(record)
      return { ...record.stored, uploadedBefore: uploaded, seededSecondsBefore: seededSeconds }
    }))])
  }

  /** A disk-backed File of a complete torrent file, straight from OPFS (torrent-files.ts). */
  fileForSave(infoHash: string, fileIndex: number): Promise<File> {
    return this.files.fileForSave(infoHash, fileIndex)
  }

  /** Lets go of a file's sync access handle, so any tab can read it. */
  releaseFile(infoHash: string, fileIndex: number): Promise<void> {
    return this.files.releaseFile(infoHash, fileIndex)
  }

  /** What a stream route needs to answer range requests for one file. */
  streamInfo(infoHash: string, fileIndex: number): { name: string; length: number } | undefined {
    return this.files.streamInfo(infoHash, fileIndex)
  }

  /** Bytes [start, end] (inclusive) of a file as they become available, for playback. */
  fileStream(infoHash: string, fileIndex: number, start: number, end: number): ReadableStream<Uint8Array> {
    return this.files.fileStream(infoHash, fileIndex, start, end)
  }

  /** Every real (non-padding, not skipped) file of a torrent, for "Save all". */
  saveEntries(infoHash: string): Promise<{ name: string; entries: SaveEntry[] }> {
    return this.files.saveEntries(infoHash)
  }

  saveLayout(infoHash: string): { name: string; files: { path: string[]; index: number }[] } {
    return this.files.saveLayout(infoHash)
  }

  private isDuplicate(infoHash: string): boolean {
    const record = this.records.get(infoHash)
    if (record) this.emit({ type: 'duplicate', infoHash, name: this.snapshotOf(record).name })
    return Boolean(record)
  }

  /** Every snapshot taken afresh, or at a tick only those due (snapshot-cache.ts); a tick that changed nothing tells no one. */
  private emitProgress(scope: 'all' | 'tick' = 'all'): void {
    const torrents = scope === 'tick' ? this.snapshots.tick(this.records.values()) : this.list()
    if (scope === 'tick' && sameItems(this.lastProgress, torrents)) return
    this.lastProgress = torrents
    this.emit({ type: 'progress', torrents })
  }

  private progressSoon: ReturnType<typeof setTimeout> | undefined

  /** A progress event before the next tick, one for however many torrents asked in the same task (1,000 starting at once). */
  private emitProgressSoon(): void {
    this.progressSoon ??= setTimeout(() => {
      this.progressSoon = undefined
      this.emitProgress()
    }, 0)
  }

  private emit(event: EngineEvent): void {
    for (const listener of this.listeners) listener(event)
  }
}
