import WebTorrent, { type Torrent, type Wire } from 'webtorrent/dist/webtorrent.min.js'
import { countPieces, emptyBitfield, setPiece, trimToFileSizes } from '../core/bitfield'
import { magnetUri, type MagnetLink } from '../core/magnet'
import type { Metainfo } from '../core/metainfo'
import { planQueue } from '../core/queue'
import { selectionRanges, type Priority } from '../core/selection'
import { checkedLimits, limitsOf, type SpeedLimits } from '../core/speed-limits'
import { stallStep } from '../core/stall'
import type { FilePriority, HistoryEntry, StoredTorrent } from '../prefs/db'
import { DEFAULT_SETTINGS, type Settings } from '../prefs/settings'
import { AppError } from '../protocol/errors'
import type { EngineEvent, TorrentSnapshot } from '../protocol/engine-events'
import type { RuntimeConfig } from '../protocol/runtime-config'
import type { StorageLayout } from '../protocol/storage-messages'
import { opfsChunkStore } from '../storage/opfs-chunk-store'
import type { SaveEntry } from '../storage/save'
import type { StorageClient } from '../storage/storage-client'
import { fetchTorrent } from './fetch-torrent'
import { playbackStream } from './playback-stream'
import { parseTorrentFile } from './parse-service'
import type { EngineApi } from './engine-api'
import { opfsFile } from './opfs-file'
import type { Persistence } from './persistence'
import { isComplete, metSeedingGoal, seedingTotals, snapshot, type TorrentRecord } from './snapshot'
import { QuotaWatch, spaceShortfall } from './quota-watch'
import { BridgeLink, type BridgeStatus } from './bridge-link'
import { applyChoice, choiceAddOptions, settleIfNothingToChoose, type FileChoice } from './file-choice'
import { TorrentLimits } from './torrent-limits'
import { parseMagnet } from '../core/magnet'
import { magnetPeers } from '../core/magnet-peers'

export type AddSource =
  | { kind: 'magnet'; magnet: MagnetLink }
  | { kind: 'file'; bytes: Uint8Array; fileName?: string }
  | { kind: 'url'; url: string }

export interface AddOptions {
  /** Start paused (the add dialog's "Add paused"). */
  paused?: boolean
  priorities?: FilePriority[]
  /** Every piece is on disk and verified (a torrent just created here from the user's files). */
  complete?: boolean
  /** A magnet: fetch the metadata with nothing selected, then wait for `chooseFiles`. */
  askFiles?: boolean
}

/** How often the UI hears of progress, whatever webtorrent's own event rate. */
const PROGRESS_INTERVAL_MS = 250

/**
 * The engine facade and download manager: webtorrent in the page, our storage under it, our
 * persistence beside it, one typed event stream out. Torrents that are paused or queued are
 * not in webtorrent at all; starting one adds it with its saved bitfield (fast resume).
 */
export class Engine implements EngineApi {
  readonly local = true
  private readonly client: WebTorrent
  private readonly records = new Map<string, TorrentRecord>()
  private readonly listeners = new Set<(event: EngineEvent) => void>()
  private readonly store: ReturnType<typeof opfsChunkStore>
  private readonly quotaWatch: QuotaWatch
  private readonly limits: TorrentLimits
  private settings: Settings = { ...DEFAULT_SETTINGS }
  private progressTimer: ReturnType<typeof setInterval> | undefined
  private readonly bridge: BridgeLink | undefined

  constructor(
    private readonly config: RuntimeConfig,
    private readonly storage: StorageClient,
    private readonly persistence: Persistence,
    bridgeToken = '',
  ) {
    this.client = new WebTorrent({
      tracker: { rtcConfig: { iceServers: config.iceServers } },
      dht: false,
      lsd: false,
    })
    this.client.on('error', (err: Error) => this.emit({ type: 'error', error: AppError.from(err).toInfo() }))
    this.limits = new TorrentLimits(this.client)
    this.store = opfsChunkStore(storage, (infoHash) => {
      const record = this.records.get(infoHash)
      if (record) record.piecesChecked++
    })
    this.quotaWatch = new QuotaWatch(() => this.resumeQuotaPaused())
    if (config.bridge) {
      this.bridge = new BridgeLink(config.bridge.path, bridgeToken || undefined,
        () => this.emit({ type: 'bridge', status: this.bridgeStatus() }),
        (infoHash, message) => this.emit({ type: 'warning', infoHash, message }))
    }
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
    return snapshot(record, this.settings, record.torrent && this.bridge ? this.bridge.counts(record.infoHash) : undefined)
  }

  /** Loads every saved torrent and starts what the queue allows. */
  async restore(): Promise<void> {
    for (const { stored, bitfield } of await this.persistence.loadAll()) {
      const record: TorrentRecord = { infoHash: stored.infoHash, stored, piecesChecked: 0, queued: false, uploadedNow: 0 }
      if (bitfield) record.bitfield = bitfield
      if (stored.torrentFile) {
        try {
          record.metainfo = await parseTorrentFile(stored.torrentFile)
        } catch (err) {
          record.error = AppError.from(err, 'BAD_TORRENT').toInfo()
        }
      }
      // Finished in an earlier session: no "finished" event again when it starts seeding.
      record.completeHandled = isComplete(record)
      this.records.set(stored.infoHash, record)
    }
    this.applyQueue()
    this.emitProgress()
    this.startTicking()
  }

  applySettings(settings: Settings): void {
    this.settings = settings
    this.limits.setGlobal(settings)
    this.applyQueue()
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
    const record: TorrentRecord = { infoHash: stored.infoHash, stored, piecesChecked: 0, queued: false, uploadedNow: 0 }
    if (metainfo) record.metainfo = metainfo
    if (metainfo && options.complete) {
      record.bitfield = emptyBitfield(metainfo.pieceCount).fill(0xff)
      for (let i = metainfo.pieceCount; i < record.bitfield.length * 8; i++) setPiece(record.bitfield, i, false)
      this.persistence.scheduleResume(record.infoHash, () => record.bitfield!)
      record.completeHandled = true
    }
    this.records.set(stored.infoHash, record)
    await this.persistence.saveTorrent(stored)
    this.emit({ type: 'added', torrent: this.snapshotOf(record) })
    if (metainfo) void this.checkSpace(record)
    this.applyQueue()
    this.startTicking()
    return stored.infoHash
  }

  async remove(infoHash: string, deleteData: boolean): Promise<void> {
    const record = this.records.get(infoHash)
    if (!record) return
    this.records.delete(infoHash)
    await this.stop(record, { destroyStore: deleteData })
    await this.persistence.delete(infoHash)
    // The store may never have opened (paused, or a magnet without metadata): delete by name too.
    if (deleteData) await this.storage.destroy(infoHash)
    this.emit({ type: 'removed', infoHash, deletedData: deleteData })
    this.applyQueue()
  }

  async pause(infoHash: string): Promise<void> {
    const record = this.records.get(infoHash)
    if (!record || record.stored.paused) return
    record.stored.paused = true
    delete record.stored.pausedBecause
    await this.persistence.saveTorrent(record.stored)
    await this.stop(record)
    this.emitProgress()
    this.applyQueue()
  }

  async resume(infoHash: string): Promise<void> {
    const record = this.records.get(infoHash)
    if (!record) return
    record.stored.paused = false
    delete record.stored.pausedBecause
    delete record.error
    // Seed, pressed after a goal stopped it, seeds on past the goals (as Transmission does).
    if (isComplete(record) && this.goalReached(record)) record.stored.seedPastGoal = true
    await this.persistence.saveTorrent(record.stored)
    this.applyQueue()
    this.emitProgress()
  }

  /** Re-hashes every piece on disk (after the user changed files, or to be sure). */
  async recheck(infoHash: string): Promise<void> {
    const record = this.records.get(infoHash)
    if (!record?.metainfo) return
    await this.stop(record)
    delete record.bitfield
    record.forceFullCheck = true
    this.applyQueue()
    if (!record.torrent) void this.start(record)
  }

  async setFilePriority(infoHash: string, fileIndex: number, priority: FilePriority): Promise<void> {
    const record = this.records.get(infoHash)
    if (!record?.metainfo) return
    const priorities = record.stored.priorities ?? record.metainfo.files.map(() => 1 as FilePriority)
    priorities[fileIndex] = priority
    record.stored.priorities = priorities
    await this.persistence.saveTorrent(record.stored)
    if (record.torrent?.ready) this.applySelection(record, record.torrent)
    this.checkComplete(record)
    this.applyQueue()
    this.emitProgress()
  }

  /** The files chosen for a magnet that waited for its metadata (AddOptions.askFiles): now it downloads. */
  async chooseFiles(infoHash: string, choice: FileChoice): Promise<void> {
    const record = this.records.get(infoHash)
    if (!record?.metainfo || !record.stored.awaitingFiles) return
    applyChoice(record.stored, record.metainfo, choice.priorities)
    await this.persistence.saveTorrent(record.stored)
    if (record.torrent?.ready) this.applySelection(record, record.torrent)
    if (choice.paused) await this.pause(infoHash)
    void this.checkSpace(record)
    this.applyQueue()
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
    if (record.torrent) this.limits.set(record.torrent, limitsOf(record.stored))
    this.emitProgress()
  }

  /** Moves a torrent up (-1) or down (+1) in the queue. */
  async move(infoHash: string, delta: -1 | 1): Promise<void> {
    const order = this.queueOrder()
    const index = order.findIndex((record) => record.infoHash === infoHash)
    const other = order[index + delta]
    const record = order[index]
    if (!record || !other) return
    const rank = (r: TorrentRecord) => r.stored.queueRank ?? r.stored.addedAt
    const [a, b] = [rank(record), rank(other)]
    record.stored.queueRank = b
    other.stored.queueRank = a === b ? b - delta : a
    await Promise.all([this.persistence.saveTorrent(record.stored), this.persistence.saveTorrent(other.stored)])
    this.applyQueue()
    this.emitProgress()
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

  private queueOrder(): TorrentRecord[] {
    const rank = (r: TorrentRecord) => r.stored.queueRank ?? r.stored.addedAt
    return [...this.records.values()].sort((a, b) => rank(a) - rank(b))
  }

  /** Starts and stops torrents so that what runs is what the queue and the goals allow. */
  private applyQueue(): void {
    const order = this.queueOrder()
    const plan = planQueue(order.map((record) => ({
      infoHash: record.infoHash,
      paused: record.stored.paused || Boolean(record.error),
      complete: isComplete(record),
      goalReached: this.goalReached(record),
    })), { maxActiveDownloads: this.settings.maxActiveDownloads, maxActiveSeeds: this.settings.maxActiveSeeds })
    const waiting = { download: 0, seed: 0 }
    for (const record of order) {
      record.queued = plan.queued.has(record.infoHash)
      record.queuePosition = record.queued ? ++waiting[isComplete(record) ? 'seed' : 'download'] : 0
      if (plan.active.has(record.infoHash)) void this.start(record)
      else if (record.torrent) void this.stop(record)
    }
  }

  /** Every tracker the torrent names (metadata, or the magnet before it), then the default ones unless private (BEP 27); the bridge uses the http/udp ones. */
  private allTrackers(record: TorrentRecord): string[] {
    if (record.metainfo) return record.metainfo.private ? record.metainfo.announce : [...record.metainfo.announce, ...this.trackers()]
    try {
      return [...(record.stored.magnetURI ? parseMagnet(record.stored.magnetURI).trackers : []), ...this.trackers()]
    } catch {
      return this.trackers()
    }
  }

  /** The user's trackers replace the server's when set. */
  private trackers(): string[] {
    return this.settings.trackers.length ? this.settings.trackers : this.config.trackers
  }

  private goalReached(record: TorrentRecord): boolean {
    return metSeedingGoal(record, this.settings) !== null
  }

  private layout(metainfo: Metainfo): StorageLayout {
    return { fileLengths: metainfo.files.map((file) => file.length), pieceLength: metainfo.pieceLength }
  }

  /** The bitfield to hand webtorrent: trusted resume data, nothing for files that do not exist. */
  private async startupBitfield(record: TorrentRecord): Promise<Uint8Array | undefined> {
    const metainfo = record.metainfo
    if (!metainfo || record.forceFullCheck) return undefined
    const sizes = await this.storage.stat(record.infoHash, this.layout(metainfo))
    if (record.bitfield) {
      return trimToFileSizes(record.bitfield, metainfo.files, metainfo.pieceLength, metainfo.length, sizes).bitfield
    }
    // No resume data: if nothing is on disk there is nothing to check; otherwise hash it all.
    const nothingOnDisk = metainfo.files.every((file, i) => file.length === 0 || (sizes[i] ?? -1) <= 0)
    return nothingOnDisk ? emptyBitfield(metainfo.pieceCount) : undefined
  }

  private async start(record: TorrentRecord): Promise<void> {
    if (record.torrent || record.starting) return
    record.starting = true
    try {
      const bitfield = await this.startupBitfield(record)
      if (!this.records.has(record.infoHash) || record.stored.paused) return
      // webtorrent gets the WebSocket trackers; the bridge announces to the http/udp ones (allTrackers)
      const browserTrackers = [...this.trackers(), ...(record.metainfo?.announce ?? [])].filter((url) => /^wss?:\/\//i.test(url))
      const torrent = this.client.add(record.stored.torrentFile ?? record.stored.magnetURI!, {
        announce: [...new Set(browserTrackers)],
        store: this.store,
        storeCacheSlots: 0, // reads go to the worker; no pieces cached in page memory
        destroyStoreOnDestroy: false,
        strategy: record.stored.sequential ? 'sequential' : 'rarest',
        ...(bitfield ? { bitfield } : {}),
        ...choiceAddOptions(record.stored),
      })
      record.torrent = torrent
      this.limits.attach(torrent, limitsOf(record.stored))
      record.piecesChecked = 0
      delete record.forceFullCheck
      this.wire(record, torrent)
      this.bridge?.attach(torrent, record.infoHash, this.client.peerId, this.allTrackers(record), record.metainfo?.private ?? false, () => {
        const snap = this.snapshotOf(record)
        return { uploaded: torrent.uploaded ?? 0, downloaded: torrent.downloaded ?? 0, left: record.metainfo ? Math.max(0, snap.wantedLength - snap.downloaded) : -1 }
      }, magnetPeers(record.stored.magnetURI))
    } catch (err) {
      record.error = AppError.from(err).toInfo()
      this.emit({ type: 'error', infoHash: record.infoHash, error: record.error })
    } finally {
      record.starting = false
    }
  }

  private async stop(record: TorrentRecord, opts: { destroyStore?: boolean } = {}): Promise<void> {
    const torrent = record.torrent
    if (!torrent) return
    record.torrent = undefined
    this.bridge?.detach(record.infoHash)
    this.bankCounters(record, torrent)
    await this.persistence.saveTorrent(record.stored)
    await this.persistence.flush()
    if (!torrent.destroyed) await this.client.remove(torrent, { destroyStore: Boolean(opts.destroyStore) }).catch(() => {})
  }

  /** Upload and seeding time of this run, banked into what persists. */
  private bankCounters(record: TorrentRecord, torrent: Torrent): void {
    record.stored.uploadedBefore = (record.stored.uploadedBefore ?? 0) + (torrent.uploaded ?? 0)
    record.uploadedNow = 0
    if (record.seedingSince) {
      record.stored.seededSecondsBefore = (record.stored.seededSecondsBefore ?? 0) + (Date.now() - record.seedingSince) / 1000
      delete record.seedingSince
    }
  }

  private wire(record: TorrentRecord, torrent: Torrent): void {
    const { infoHash } = record
    const current = () => record.torrent === torrent
    torrent.on('metadata', () => { if (current()) void this.onMetadata(record) })
    torrent.on('ready', () => {
      if (!current() || !torrent.bitfield) return
      record.bitfield = new Uint8Array((torrent.bitfield as unknown as { buffer: Uint8Array }).buffer)
      record.bitfieldVersion = (record.bitfieldVersion ?? 0) + 1
      this.persistence.scheduleResume(infoHash, () => record.bitfield!)
      this.applySelection(record, torrent)
      this.checkComplete(record)
    })
    torrent.on('verified', (index: number) => {
      if (!current() || !record.bitfield) return
      setPiece(record.bitfield, index, true)
      record.bitfieldVersion = (record.bitfieldVersion ?? 0) + 1
      this.persistence.scheduleResume(infoHash, () => record.bitfield!)
      this.checkComplete(record)
    })
    torrent.on('upload', () => { if (current()) record.uploadedNow = torrent.uploaded })
    // PEX (BEP 11) on every wire, through the bridge; the private flag is unknown until the metadata
    torrent.on('wire', (wire: Wire) => { if (current()) this.bridge?.usePex(infoHash, wire, () => record.metainfo?.private) })
    torrent.on('warning', (err: Error) => this.emit({ type: 'warning', infoHash, message: err.message }))
    torrent.on('error', (err: Error) => { if (current()) void this.onTorrentError(record, torrent, AppError.from(err)) })
  }

  /** Once every wanted piece is verified: history, notice, and the queue moves on to seeding. */
  private checkComplete(record: TorrentRecord): void {
    if (!isComplete(record)) {
      record.completeHandled = false
      return
    }
    // Seeding time counts in every run that seeds: after a restore or a wait in the queue too.
    if (record.torrent) record.seedingSince ??= Date.now()
    if (record.completeHandled) return
    record.completeHandled = true
    this.bridge?.completed(record.infoHash)
    if (!record.stored.finishedAt) {
      record.stored.finishedAt = Date.now()
      void this.persistence.saveTorrent(record.stored)
      void this.persistence.addHistory({ infoHash: record.infoHash, name: record.stored.name, length: record.metainfo?.length ?? 0, finishedAt: record.stored.finishedAt })
        .then(() => this.emit({ type: 'history' }))
    }
    void this.persistence.flush()
    this.emit({ type: 'done', torrent: this.snapshotOf(record) })
    this.applyQueue()
  }

  /** webtorrent destroys a torrent on error; a full disk pauses it instead, keeping every verified piece. */
  private async onTorrentError(record: TorrentRecord, torrent: Torrent, error: AppError): Promise<void> {
    record.torrent = undefined
    this.bankCounters(record, torrent)
    if (error.code === 'QUOTA') {
      record.stored.paused = true
      record.stored.pausedBecause = error.toInfo()
      this.quotaWatch.start()
    } else {
      record.error = error.toInfo()
    }
    await this.persistence.saveTorrent(record.stored)
    await this.persistence.flush()
    this.emit({ type: 'error', infoHash: record.infoHash, error: error.toInfo() })
  }

  /** Called by the quota watch when space was freed: restart what a full disk paused. */
  private resumeQuotaPaused(): boolean {
    const waiting = [...this.records.values()].filter((record) => record.stored.pausedBecause?.code === 'QUOTA')
    for (const record of waiting) void this.resume(record.infoHash)
    return waiting.length > 0
  }

  private applySelection(record: TorrentRecord, torrent: Torrent): void {
    const metainfo = record.metainfo
    const priorities = record.stored.priorities
    if (!metainfo || !priorities || metainfo.pieceCount === 0) return
    torrent.deselect(0, metainfo.pieceCount - 1)
    for (const range of selectionRanges(metainfo.files, metainfo.pieceLength, priorities as Priority[])) {
      torrent.select(range.from, range.to, range.priority)
    }
  }

  /** Metadata from peers (magnets) goes through our own validation, and is kept for next time. */
  private async onMetadata(record: TorrentRecord): Promise<void> {
    if (!record.metainfo) {
      const bytes = record.torrent?.torrentFile
      try {
        if (!bytes) throw new AppError('BAD_TORRENT', 'The peers sent no usable metadata.')
        const metainfo = await parseTorrentFile(bytes)
        settleIfNothingToChoose(record.stored, metainfo)
        record.metainfo = metainfo
        record.stored.torrentFile = new Uint8Array(bytes)
        record.stored.name = record.metainfo.name
        await this.persistence.saveTorrent(record.stored)
        this.bridge?.update(record.infoHash, this.allTrackers(record))
      } catch (err) {
        record.error = AppError.from(err, 'BAD_TORRENT').toInfo()
        if (record.torrent) await this.stop(record)
        this.emit({ type: 'error', infoHash: record.infoHash, error: record.error })
        return
      }
      // Started `deselect`ed while it awaited a choice that the metadata settled: select now.
      if (record.torrent?.ready) this.applySelection(record, record.torrent)
      if (!record.stored.awaitingFiles) void this.checkSpace(record)
    }
    this.emit({ type: 'metadata', torrent: this.snapshotOf(record) })
  }

  /** Says so before starting when the browser's storage cannot hold what the torrent needs. */
  private async checkSpace(record: TorrentRecord): Promise<void> {
    const metainfo = record.metainfo
    if (!metainfo) return
    const done = record.bitfield ? countPieces(record.bitfield, metainfo.pieceCount) * metainfo.pieceLength : 0
    const message = await spaceShortfall(metainfo.name, this.snapshotOf(record).wantedLength - done)
    if (message) this.emit({ type: 'notice', level: 'error', infoHash: record.infoHash, message })
  }

  private startTicking(): void {
    this.progressTimer ??= setInterval(() => this.tick(), PROGRESS_INTERVAL_MS)
  }

  private tick(): void {
    if (this.records.size === 0) {
      clearInterval(this.progressTimer)
      this.progressTimer = undefined
    }
    for (const record of this.records.values()) {
      if (record.torrent && isComplete(record) && this.goalReached(record)) {
        void this.stop(record).then(() => this.emitProgress())
      } else {
        this.restartIfStalled(record)
      }
    }
    this.emitProgress()
  }

  /** A torrent that wants peers and has had none for a while is restarted (see core/stall). */
  private restartIfStalled(record: TorrentRecord): void {
    const torrent = record.torrent
    // Checking local data (a re-check, or resume without resume data) needs no peers.
    const checking = Boolean(record.metainfo) && !torrent?.ready
    const wantsPeers = Boolean(torrent) && !record.starting && !checking && !isComplete(record)
    const step = stallStep(record.stall ?? {}, wantsPeers, torrent?.numPeers ?? 0, Date.now())
    record.stall = step.state
    if (step.restart) void this.stop(record).then(() => this.applyQueue())
  }

  private emitProgress(): void {
    this.emit({ type: 'progress', torrents: this.list() })
  }

  private emit(event: EngineEvent): void {
    for (const listener of this.listeners) listener(event)
  }
}
