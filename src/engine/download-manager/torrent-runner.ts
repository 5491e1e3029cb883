import WebTorrent, { type Torrent, type Wire } from 'webtorrent/dist/webtorrent.min.js'
import { setPiece } from '../../core/file-storage/bitfield'
import { closeWhenBothSeed } from '../peer-connection/seed-to-seed'
import { parseMagnet } from '../../core/torrent-parser/magnet'
import { magnetPeers } from '../../core/peer-discovery/magnet-peers'
import { selectionRanges, type Priority } from '../../core/piece-selection/selection'
import { limitsOf } from '../../core/download-manager/speed-limits'
import type { Settings } from '../../prefs/settings'
import type { EngineEvent, TorrentSnapshot } from '../../protocol/engine-events'
import { AppError } from '../../protocol/errors'
import type { RuntimeConfig } from '../../protocol/runtime-config'
import { opfsChunkStore } from '../../storage/file-storage/opfs-chunk-store'
import type { StorageClient } from '../../storage/file-storage/storage-client'
import type { BridgeLink } from '../peer-connection/bridge-link'
import { closedAsDuplicate } from '../peer-connection/duplicate-wires'
import { markStartupStep } from './startup-marks'
import { startupBitfield } from './fast-resume'
import { refitToDisk, resumeSizesFit } from './resume-sizes'
import { choiceAddOptions, settleIfNothingToChoose } from './file-choice'
import { parseTorrentFile } from '../torrent-parser/parse-service'
import type { Persistence } from './persistence'
import { isComplete, type TorrentRecord } from './snapshot'
import { bankCounters } from './run-counters'
import { checkComplete } from './torrent-completion'
import { raise } from './torrent-session'
import { allTrackers, defaultTrackers } from './torrent-trackers'
import { skipVerifiedPieces } from '../webtorrent/rarest-first'
import { TorrentLimits } from '../webtorrent/torrent-limits'
import { trustStartupBitfield } from '../webtorrent/trusted-resume'
import { webSocketAnnounceOpts } from '../webtorrent/websocket-trackers'
import { keepExactTorrentFile } from '../webtorrent/exact-torrent-file'
import { parsedV1Torrent } from '../webtorrent/parsed-torrent'
import { assemblePiecesIntoSpareBuffers, hashPiecesInWorker } from '../webtorrent/piece-hashing'
import { coalesceUpdateRounds } from '../webtorrent/update-rounds'
import { parseTrackerMessagesOnce } from '../webtorrent/tracker-messages'
import { paceTrackerOffers } from '../webtorrent/tracker-offers'
import { adaptTrackerOffers } from '../webtorrent/adaptive-offers'
import { shareTrackerAnnounceTimer } from '../webtorrent/tracker-announce-ticker'
import { releaseDestroyedPeerHandlers } from '../webtorrent/destroyed-peer-handlers'
import { shareTorrentTimers } from '../webtorrent/torrent-timers'
import { assertWebtorrentVersion } from '../webtorrent/version'
import { V2Torrents } from './v2-torrents'
import { v2RunnerHost } from './v2-runner-host'
import { directRangeFetch } from '../peer-connection/web-seed-direct'
import { WebSeeds } from '../peer-connection/web-seeds'

/** What the runner needs of the engine around it. */
export interface RunnerHost {
  settings(): Settings
  emit(event: EngineEvent): void
  snapshotOf(record: TorrentRecord): TorrentSnapshot
  /** Warns when the browser's storage cannot hold what a torrent needs. */
  checkSpace(record: TorrentRecord): void
  /** A torrent finished: the queue may now seed it, or start the next one. */
  applyQueue(): void
  /** A full disk paused a torrent: watch for freed space. */
  diskFull(): void
  /** The UI hears at once of a change it should not wait the next progress tick for (a torrent ready to download). */
  progress(): void
}

/**
 * One torrent's life in webtorrent: added with its saved bitfield (fast-resume.ts), its events
 * given to its session and kept in its record, its completion handled (torrent-completion.ts),
 * removed again with its upload and seeding time banked (run-counters.ts). Torrents that are
 * paused or queued are not in webtorrent at all.
 */
export class TorrentRunner {
  readonly limits: TorrentLimits
  readonly webSeeds: WebSeeds
  private readonly client: WebTorrent
  private readonly store: ReturnType<typeof opfsChunkStore>
  private readonly v2: V2Torrents

  constructor(
    private readonly config: RuntimeConfig,
    private readonly records: ReadonlyMap<string, TorrentRecord>,
    private readonly storage: StorageClient,
    private readonly persistence: Persistence,
    private readonly bridge: BridgeLink | undefined,
    private readonly host: RunnerHost,
  ) {
    assertWebtorrentVersion(WebTorrent.VERSION)
    this.client = new WebTorrent({
      tracker: { rtcConfig: { iceServers: config.iceServers } },
      dht: false,
      lsd: false,
      webSeeds: false, // ours instead (web-seeds.ts): through the bridge when CORS keeps the page out
    })
    this.client.on('error', (err: Error) => this.host.emit({ type: 'error', error: AppError.from(err).toInfo() }))
    this.limits = new TorrentLimits(this.client)
    this.webSeeds = new WebSeeds({
      direct: directRangeFetch,
      bridge: (infoHash) => this.bridge?.rangeFetch(infoHash) ?? null,
      onDropped: (infoHash, url, reason) => this.host.emit({ type: 'warning', infoHash, message: `web seed ${url} dropped: ${reason}` }),
    })
    this.store = opfsChunkStore(storage, (infoHash) => {
      const record = this.records.get(infoHash)
      if (record) record.piecesChecked++
    }, (infoHash) => {
      // a read found a file shorter than the resume data says, before the size check did
      const record = this.records.get(infoHash)
      if (record?.torrent) void this.refit(record)
    })
    this.v2 = new V2Torrents((infoHash) => v2RunnerHost(infoHash, {
      records, storage, persistence, bridge, emit: (event) => this.host.emit(event), stop: (record) => this.stop(record),
    }))
  }

  async start(record: TorrentRecord): Promise<void> {
    if (record.torrent || record.starting) return
    record.starting = true
    try {
      // Started again while its stop still saved its state: webtorrent still held it and threw
      // "Cannot add duplicate torrent", an error for good (738 of 1,000 torrents dropped at once, the
      // queue and stall restarts starting what they had just stopped; docs/BENCHMARKS.md). A stop that
      // failed to save has said so itself.
      if (record.stopping) await record.stopping.catch(() => {})
      delete record.sizesToCheck
      const bitfield = await startupBitfield(this.storage, record)
      markStartupStep('file-sizes')
      if (!this.records.has(record.infoHash) || record.stored.paused) return
      // webtorrent gets the WebSocket trackers; the bridge announces to the http/udp ones (allTrackers)
      const browserTrackers = [...this.trackers(), ...(record.metainfo?.announce ?? [])].filter((url) => /^wss?:\/\//i.test(url))
      // BEP 52: a v2-only torrent is handed to webtorrent in a form it can run (v2-torrent.ts)
      const v2 = this.v2.open(record.infoHash, record.stored, record.metainfo)
      // a v1 .torrent goes in parsed already, as our parser read it: webtorrent neither parses nor encodes it again (parsed-torrent.ts)
      const exact = !v2 && record.metainfo?.version === 'v1' ? record.stored.torrentFile : undefined
      const v1 = exact && record.metainfo ? parsedV1Torrent(record.metainfo) : undefined
      const torrent = this.client.add(v2?.torrentId() ?? v1 ?? record.stored.torrentFile ?? record.stored.magnetURI!, {
        announce: [...new Set(browserTrackers)],
        store: this.store,
        storeCacheSlots: 0, // reads go to the worker; no pieces cached in page memory
        destroyStoreOnDestroy: false,
        strategy: record.stored.sequential ? 'sequential' : 'rarest',
        getAnnounceOpts: webSocketAnnounceOpts(() => isComplete(record)),
        ...(bitfield ? { bitfield } : {}),
        ...choiceAddOptions(record.stored),
      })
      record.torrent = torrent
      markStartupStep('webtorrent-add')
      if (exact) keepExactTorrentFile(torrent, exact) // nor encodes it back for its torrentFile (exact-torrent-file.ts)
      if (bitfield) trustStartupBitfield(torrent) // resume flat in files and pieces (trusted-resume.ts)
      raise(record, { type: 'started', metadata: Boolean(record.metainfo) })
      v2?.attach(torrent)
      coalesceUpdateRounds(torrent)
      shareTorrentTimers(torrent) // one rechoke timer for the torrents with wires, no unheard noPeers timer (torrent-timers.ts)
      parseTrackerMessagesOnce(torrent) // once per shared WebSocket tracker socket, not once per torrent (tracker-messages.ts)
      paceTrackerOffers(torrent) // a burst of announces' WebRTC offers spread over tasks (tracker-offers.ts)
      adaptTrackerOffers(torrent) // fewer offers where none was answered, all again at a WebRTC peer's sign (adaptive-offers.ts)
      shareTrackerAnnounceTimer(torrent) // every WebSocket tracker's re-announces from one page-wide 1 s ticker, not an interval each (tracker-announce-ticker.ts)
      releaseDestroyedPeerHandlers(torrent) // a destroyed WebRTC peer keeps no handler on its closed connection and channel (destroyed-peer-handlers.ts)
      hashPiecesInWorker(torrent, this.storage, v2 && ((index) => v2.checkOf(index)))
      assemblePiecesIntoSpareBuffers(torrent)
      this.limits.attach(torrent, limitsOf(record.stored))
      record.piecesChecked = 0
      delete record.forceFullCheck
      this.wire(record, torrent)
      // trackers hear the figures the UI shows (snapshot.ts), not webtorrent's
      this.bridge?.attach(torrent, record.infoHash, this.client.peerId, this.allTrackers(record), record.metainfo?.private ?? false, () => {
        const snap = this.host.snapshotOf(record)
        return { uploaded: record.uploadedNow, downloaded: snap.downloaded, left: record.metainfo ? snap.wantedLength - snap.downloaded : -1 }
      }, () => isComplete(record), magnetPeers(record.stored.magnetURI))
    } catch (err) {
      record.error = AppError.from(err).toInfo()
      raise(record, { type: 'failed', code: record.error.code })
      this.v2.close(record.infoHash)
      if (record.torrent) await this.stop(record)
      this.host.emit({ type: 'error', infoHash: record.infoHash, error: record.error })
    } finally {
      record.starting = false
    }
  }

  async stop(record: TorrentRecord, opts: { destroyStore?: boolean } = {}): Promise<void> {
    const torrent = record.torrent
    if (!torrent) return record.stopping
    record.torrent = undefined
    this.bridge?.detach(record.infoHash)
    this.webSeeds.detach(record.infoHash)
    this.v2.close(record.infoHash)
    bankCounters(record)
    raise(record, (session) => ({ type: 'stopped', ...session.standing() }))
    const stopping = (async () => {
      await this.persistence.saveTorrent(record.stored)
      await this.persistence.flush()
      if (!torrent.destroyed) await this.client.remove(torrent, { destroyStore: Boolean(opts.destroyStore) }).catch(() => {})
    })()
    record.stopping = stopping
    try {
      await stopping
    } finally {
      if (record.stopping === stopping) delete record.stopping
    }
  }

  /** The user's file priorities, as webtorrent's piece selection. */
  applySelection(record: TorrentRecord, torrent: Torrent): void {
    const metainfo = record.metainfo
    const priorities = record.stored.priorities
    if (!metainfo || !priorities || metainfo.pieceCount === 0) return
    torrent.deselect(0, metainfo.pieceCount - 1)
    for (const range of selectionRanges(metainfo.files, metainfo.pieceLength, priorities as Priority[])) {
      torrent.select(range.from, range.to, range.priority)
    }
  }

  /** A torrent's wanted pieces changed: its completion (torrent-completion.ts). */
  checkComplete(record: TorrentRecord): void {
    checkComplete(record, this.persistence, this.bridge, this.host)
  }

  /** Every tracker the torrent names, then the default ones (torrent-trackers.ts). */
  private allTrackers(record: TorrentRecord): string[] {
    return allTrackers(record, this.trackers())
  }

  private trackers(): string[] {
    return defaultTrackers(this.host.settings().trackers, this.config.trackers)
  }

  /**
   * The torrent's web seeds (its url-list, a magnet's `ws=`), once webtorrent is ready and our own
   * metadata is parsed (a magnet's comes from peers: either may be last).
   */
  private attachWebSeeds(record: TorrentRecord, torrent: Torrent): void {
    if (!record.metainfo || record.torrent !== torrent) return
    let fromMagnet: string[] = []
    try {
      fromMagnet = record.stored.magnetURI ? parseMagnet(record.stored.magnetURI).webSeeds : []
    } catch {
      // a stored magnet was valid when added; nothing to add from it otherwise
    }
    this.webSeeds.attach(torrent, record.metainfo, [...record.metainfo.urlList, ...fromMagnet])
  }

  private wire(record: TorrentRecord, torrent: Torrent): void {
    const { infoHash } = record
    const current = () => record.torrent === torrent
    torrent.on('metadata', () => {
      markStartupStep('webtorrent-metadata')
      skipVerifiedPieces(torrent)
      if (current()) void this.onMetadata(record)
    })
    torrent.on('ready', () => {
      markStartupStep('webtorrent-ready')
      if (!current() || !torrent.bitfield) return
      record.bitfield = new Uint8Array(torrent.bitfield.buffer)
      record.bitfieldVersion = (record.bitfieldVersion ?? 0) + 1
      this.persistence.scheduleResume(infoHash, () => record.bitfield!)
      raise(record, { type: 'checked', complete: isComplete(record) })
      this.applySelection(record, torrent)
      this.checkComplete(record)
      this.attachWebSeeds(record, torrent)
      this.host.progress() // Downloading now, not at the next tick
      if (record.sizesToCheck) void this.checkResumeSizes(record, torrent)
    })
    torrent.on('verified', (index: number) => {
      if (!current() || !record.bitfield) return
      setPiece(record.bitfield, index, true)
      record.bitfieldVersion = (record.bitfieldVersion ?? 0) + 1
      this.persistence.scheduleResume(infoHash, () => record.bitfield!)
      this.checkComplete(record)
    })
    torrent.on('wire', (wire: Wire) => {
      // One connection per peer (webtorrent keeps both when a peer dials us while we dial it)
      if (closedAsDuplicate(this.client.peerId, this.bridge, infoHash, torrent, wire)) return
      // Uploaded counts piece data sent (the wire's own 'upload'), as qBittorrent's ratio does:
      // webtorrent's torrent.uploaded counts every byte written, so a pure download showed an
      // upload (its requests and haves) and a ratio above 0.
      wire.on('upload', (bytes: number) => { if (current()) record.uploadedNow += bytes })
      // PEX (BEP 11) on every wire, through the bridge; the private flag is unknown until the metadata
      if (current()) this.bridge?.usePex(infoHash, wire, () => record.metainfo?.private)
      closeWhenBothSeed(wire, () => current() && isComplete(record))
    })
    torrent.on('warning', (err: Error) => this.host.emit({ type: 'warning', infoHash, message: err.message }))
    torrent.on('error', (err: Error) => { if (current()) void this.onTorrentError(record, AppError.from(err)) })
  }

  /** A trusted resume's files checked once it runs (resume-sizes.ts); one shorter than its data says: re-checked. */
  private async checkResumeSizes(record: TorrentRecord, torrent: Torrent): Promise<void> {
    delete record.sizesToCheck
    try {
      const fit = await resumeSizesFit(this.storage, record, { emit: (event) => this.host.emit(event) }, () => record.torrent === torrent)
      if (!fit) await this.refit(record)
    } catch (err) {
      // the run ended under it (its storage closed), or the worker failed: the next start checks again
      if (record.torrent === torrent) this.host.emit({ type: 'warning', infoHash: record.infoHash, message: `file sizes not checked: ${AppError.from(err).message}` })
    }
  }

  /** Files shorter than the resume data: stopped, trimmed to the sizes on disk, started again (resume-sizes.ts). */
  private refit(record: TorrentRecord): Promise<void> {
    return refitToDisk(record, {
      storage: this.storage, persistence: this.persistence, emit: (event) => this.host.emit(event),
      stop: (r) => this.stop(r), start: (r) => this.start(r), applyQueue: () => this.host.applyQueue(),
    })
  }

  /** webtorrent destroys a torrent on error; a full disk pauses it instead, keeping every verified piece. */
  private async onTorrentError(record: TorrentRecord, error: AppError): Promise<void> {
    // a write refused because its file is shorter than the resume data says: a re-check, not an error
    if (error.code === 'RESUME_MISMATCH') return this.refit(record)
    record.torrent = undefined
    this.webSeeds.detach(record.infoHash)
    this.v2.close(record.infoHash)
    bankCounters(record)
    if (error.code === 'QUOTA') {
      record.stored.paused = true
      record.stored.pausedBecause = error.toInfo()
      this.host.diskFull()
    } else {
      record.error = error.toInfo()
    }
    raise(record, error.code === 'QUOTA' ? { type: 'disk-full', because: error.code, complete: isComplete(record) } : { type: 'failed', code: error.code })
    await this.persistence.saveTorrent(record.stored)
    await this.persistence.flush()
    this.host.emit({ type: 'error', infoHash: record.infoHash, error: error.toInfo() })
  }

  /** Metadata from peers (magnets) goes through our own validation, and is kept for next time. */
  private async onMetadata(record: TorrentRecord): Promise<void> {
    if (!record.metainfo) {
      // a v2 torrent's exact metadata (webtorrent's torrentFile is its info dictionary re-encoded)
      const bytes = this.v2.get(record.infoHash)?.torrentFile ?? record.torrent?.torrentFile
      try {
        if (!bytes) throw new AppError('BAD_TORRENT', 'The peers sent no usable metadata.')
        const metainfo = await parseTorrentFile(bytes)
        settleIfNothingToChoose(record.stored, metainfo)
        record.metainfo = metainfo
        record.stored.torrentFile = new Uint8Array(bytes)
        record.stored.name = record.metainfo.name
        raise(record, { type: 'metadata-came', choosing: Boolean(record.stored.awaitingFiles), checked: Boolean(record.torrent?.ready), complete: isComplete(record) })
        await this.persistence.saveTorrent(record.stored)
        this.bridge?.update(record.infoHash, this.allTrackers(record))
      } catch (err) {
        record.error = AppError.from(err, 'BAD_TORRENT').toInfo()
        raise(record, { type: 'failed', code: record.error.code })
        if (record.torrent) await this.stop(record)
        this.host.emit({ type: 'error', infoHash: record.infoHash, error: record.error })
        return
      }
      // Started `deselect`ed while it awaited a choice that the metadata settled: select now.
      if (record.torrent?.ready) this.applySelection(record, record.torrent)
      if (record.torrent?.ready) this.attachWebSeeds(record, record.torrent)
      if (!record.stored.awaitingFiles) this.host.checkSpace(record)
    }
    this.host.emit({ type: 'metadata', torrent: this.host.snapshotOf(record) })
  }
}
