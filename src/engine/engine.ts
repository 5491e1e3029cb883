import { emptyBitfield, setPiece } from '../core/bitfield'
import { magnetUri } from '../core/magnet'
import type { Metainfo } from '../core/metainfo'
import { checkedLimits, limitsOf, type SpeedLimits } from '../core/speed-limits'
import type { FilePriority, HistoryEntry, StoredTorrent } from '../protocol/stored-torrent'
import { DEFAULT_SETTINGS, type Settings } from '../prefs/settings'
import { AppError, type ErrorInfo } from '../protocol/errors'
import type { EngineEvent, PeerSnapshot, TorrentDiagnostics, TorrentSnapshot, TrackerSnapshot } from '../protocol/engine-events'
import { diagnose } from './diagnostics'
import { webSocketTrackers } from './webtorrent/websocket-trackers'
import { peerSnapshots } from './peer-list'
import type { RuntimeConfig } from '../protocol/runtime-config'
import type { SaveEntry } from '../storage/save'
import type { StorageClient } from '../storage/storage-client'
import { fetchTorrent } from './fetch-torrent'
import { playbackStream } from './playback-stream'
import { parseTorrentFile } from './parse-service'
import type { AddOptions, AddSource } from './add-source'
import type { EngineApi } from './engine-api'
import { opfsFile } from './opfs-file'
import type { Persistence } from './persistence'
import { isComplete, seedingTotals, snapshot, type TorrentRecord } from './snapshot'
import { sessionOf, TorrentSession } from './torrent-session'
import { keepIfSame } from '../core/snapshot-delta'
import { QuotaWatch, spaceShortfall } from './quota-watch'
import { BridgeLink, type BridgeStatus } from './bridge-link'
import { applyChoice, type FileChoice } from './file-choice'
import { DownloadManager } from './manager'
import { TorrentRunner } from './torrent-runner'

// The add dialog's types, still importable from the engine.
export type { AddOptions, AddSource } from './add-source'

/**
 * The engine facade: what the UI and other tabs call, the torrents it lists, one typed event
 * stream out. What runs is up to the download manager (manager.ts), how a torrent runs in
 * webtorrent up to the torrent runner (torrent-runner.ts).
 */
export class Engine implements EngineApi {
  readonly local = true
  private readonly records = new Map<string, TorrentSession>()
  /** Each torrent's last snapshot: a new one equal to it is replaced by it (core/snapshot-delta.ts). */
  private readonly snapshots = new Map<string, TorrentSnapshot>()
  private readonly listeners = new Set<(event: EngineEvent) => void>()
  private readonly quotaWatch: QuotaWatch
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
    this.quotaWatch = new QuotaWatch(() => this.resumeQuotaPaused())
    if (config.bridge) {
      this.bridge = new BridgeLink(config.bridge.path, bridgeToken || undefined,
        () => this.emit({ type: 'bridge', status: this.bridgeStatus() }),
        (infoHash, message) => this.emit({ type: 'warning', infoHash, message }))
    }
    this.runner = new TorrentRunner(config, this.records, storage, persistence, this.bridge, {
      settings: () => this.settings,
      emit: (event) => this.emit(event),
      snapshotOf: (record) => this.snapshotOf(record),
      checkSpace: (record) => void this.checkSpace(record),
      applyQueue: () => this.manager.applyQueue(),
      diskFull: () => this.quotaWatch.start(),
    })
    this.manager = new DownloadManager(this.records, persistence, () => this.settings, () => this.emitProgress())
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
    return [...this.records.values()].map((record) => this.snapshotOf(record))
  }

  private snapshotOf(record: TorrentRecord): TorrentSnapshot {
    const next = keepIfSame(this.snapshots.get(record.infoHash), snapshot(record, sessionOf(record).state, record.torrent && this.bridge ? this.bridge.counts(record.infoHash) : undefined))
    this.snapshots.set(record.infoHash, next)
    return next
  }

  /** Loads every saved torrent and starts what the queue allows. */
  async restore(): Promise<void> {
    const saved = await this.persistence.loadAll()
    // all in flight at once: one at a time, 1,000 torrents waited for 1,000 round trips to the worker
    const parsed = await Promise.all(saved.map(({ stored }) => stored.torrentFile
      ? parseTorrentFile(stored.torrentFile).then((metainfo) => ({ metainfo }), (err: unknown) => ({ error: AppError.from(err, 'BAD_TORRENT').toInfo() }))
      : {}))
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
    if (metainfo) void this.checkSpace(record)
    this.manager.applyQueue()
    this.manager.startTicking()
    return stored.infoHash
  }

  async remove(infoHash: string, deleteData: boolean): Promise<void> {
    const record = this.records.get(infoHash)
    if (!record) return
    this.records.delete(infoHash)
    this.snapshots.delete(infoHash)
    await record.stop({ destroyStore: deleteData })
    await this.persistence.delete(infoHash)
    // The store may never have opened (paused, or a magnet without metadata): delete by name too.
    if (deleteData) await this.storage.destroy(infoHash)
    this.emit({ type: 'removed', infoHash, deletedData: deleteData })
    this.manager.applyQueue()
  }

  async pause(infoHash: string): Promise<void> {
    const record = this.records.get(infoHash)
    if (!record || record.stored.paused) return
    record.stored.paused = true
    delete record.stored.pausedBecause
    record.apply({ type: 'paused', complete: isComplete(record) })
    await this.persistence.saveTorrent(record.stored)
    await record.stop()
    this.emitProgress()
    this.manager.applyQueue()
  }

  async resume(infoHash: string): Promise<void> {
    const record = this.records.get(infoHash)
    if (!record) return
    record.stored.paused = false
    delete record.stored.pausedBecause
    delete record.error
    // Seed, pressed after a goal stopped it, seeds on past the goals (as Transmission does).
    if (isComplete(record) && this.manager.goalReached(record)) record.stored.seedPastGoal = true
    record.apply({ type: 'resumed', ...record.standing() })
    await this.persistence.saveTorrent(record.stored)
    this.manager.applyQueue()
    this.emitProgress()
  }

  /** Re-hashes every piece on disk (after the user changed files, or to be sure). */
  async recheck(infoHash: string): Promise<void> {
    const record = this.records.get(infoHash)
    if (!record?.metainfo) return
    await record.stop()
    delete record.bitfield
    record.forceFullCheck = true
    record.apply({ type: 'recheck' })
    this.manager.applyQueue()
    if (!record.torrent) void record.start()
  }

  async setFilePriority(infoHash: string, fileIndex: number, priority: FilePriority): Promise<void> {
    const record = this.records.get(infoHash)
    if (!record?.metainfo) return
    const priorities = record.stored.priorities ?? record.metainfo.files.map(() => 1 as FilePriority)
    priorities[fileIndex] = priority
    record.stored.priorities = priorities
    await this.persistence.saveTorrent(record.stored)
    if (record.torrent?.ready) this.runner.applySelection(record, record.torrent)
    this.runner.checkComplete(record)
    this.manager.applyQueue()
    this.emitProgress()
  }

  /** The files chosen for a magnet that waited for its metadata (AddOptions.askFiles): now it downloads. */
  async chooseFiles(infoHash: string, choice: FileChoice): Promise<void> {
    const record = this.records.get(infoHash)
    if (!record?.metainfo || !record.stored.awaitingFiles) return
    applyChoice(record.stored, record.metainfo, choice.priorities)
    record.apply({ type: 'files-chosen', running: Boolean(record.torrent), checked: Boolean(record.torrent?.ready), paused: record.stored.paused, ...record.standing() })
    await this.persistence.saveTorrent(record.stored)
    if (record.torrent?.ready) this.runner.applySelection(record, record.torrent)
    if (choice.paused) await this.pause(infoHash)
    void this.checkSpace(record)
    this.manager.applyQueue()
    this.emitProgress()
  }

  async setSequential(infoHash: string, sequential: boolean): Promise<void> {
    const record = this.records.get(infoHash)
    if (!record) return
    record.stored.sequential = sequential
    if (record.torrent) record.torrent.strategy = sequential ? 'sequential' : 'rarest'
    await this.persistence.saveTorrent(record.stored)
    this.emitProgress()
  }

  /** A torrent's own speed limits (bytes/s, 0 = none), under the global ones; kept, and applied at once. */
  async setSpeedLimits(infoHash: string, limits: Partial<SpeedLimits>): Promise<void> {
    const record = this.records.get(infoHash)
    if (!record) return
    Object.assign(record.stored, checkedLimits(limits))
    await this.persistence.saveTorrent(record.stored)
    if (record.torrent) this.runner.limits.set(record.torrent, limitsOf(record.stored))
    this.emitProgress()
  }

  /** Moves a torrent up (-1) or down (+1) in the queue. */
  move(infoHash: string, delta: -1 | 1): Promise<void> {
    return this.manager.move(infoHash, delta)
  }

  /** The connected peers of a running torrent (none when it is not running). */
  async peers(infoHash: string): Promise<PeerSnapshot[]> {
    const record = this.records.get(infoHash)
    if (!record?.torrent) return []
    return peerSnapshots(record.torrent, record.metainfo?.pieceCount ?? 0, (remote) => this.bridge?.sourceOf(infoHash, remote), {
      describe: (wire) => this.runner.webSeeds.describe(infoHash, wire),
      list: () => this.runner.webSeeds.list(infoHash),
    })
  }

  /** A running torrent's trackers and where each stands: WebSocket ones (the page's), then HTTP/UDP ones (the bridge's). */
  async trackers(infoHash: string): Promise<TrackerSnapshot[]> {
    const record = this.records.get(infoHash)
    if (!record?.torrent) return []
    return [...webSocketTrackers(record.torrent), ...(this.bridge?.trackers(infoHash) ?? [])]
  }

  /** What the engine knows of a torrent, for the Diagnostics view; undefined when it is not listed. */
  async diagnostics(infoHash: string): Promise<TorrentDiagnostics | undefined> {
    const record = this.records.get(infoHash)
    if (!record) return undefined
    return diagnose(record, this.snapshotOf(record), record.torrent?.wires ?? [], record.torrent ? this.bridge?.candidates(infoHash) ?? 0 : 0)
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

  private isDuplicate(infoHash: string): boolean {
    const record = this.records.get(infoHash)
    if (record) this.emit({ type: 'duplicate', infoHash, name: this.snapshotOf(record).name })
    return Boolean(record)
  }

  /** Says so before starting when the browser's storage cannot hold what the torrent needs. */
  private async checkSpace(record: TorrentRecord): Promise<void> {
    const metainfo = record.metainfo
    if (!metainfo) return
    const { wantedLength, downloaded } = this.snapshotOf(record)
    const message = await spaceShortfall(metainfo.name, wantedLength - downloaded)
    if (message) this.emit({ type: 'notice', level: 'error', infoHash: record.infoHash, message })
  }

  /** Called by the quota watch when space was freed: restart what a full disk paused. */
  private resumeQuotaPaused(): boolean {
    const waiting = [...this.records.values()].filter((record) => record.stored.pausedBecause?.code === 'QUOTA')
    for (const record of waiting) void this.resume(record.infoHash)
    return waiting.length > 0
  }

  private emitProgress(): void {
    this.emit({ type: 'progress', torrents: this.list() })
  }

  private emit(event: EngineEvent): void {
    for (const listener of this.listeners) listener(event)
  }
}
