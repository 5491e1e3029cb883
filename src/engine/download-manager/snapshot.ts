import type { Torrent } from 'webtorrent/dist/webtorrent.min.js'
import { countPieces, hasPiece } from '../../core/file-storage/bitfield'
import type { Metainfo } from '../../core/torrent-parser/metainfo'
import { shownThroughRestart, type StallState } from '../../core/download-manager/stall'
import { torrentComplete, torrentProgress, type FileProgress, type PieceState } from '../../core/download-manager/progress'
import { seedingGoalMet, type SeedingGoal } from '../../core/download-manager/queue'
import type { Priority } from '../../core/piece-selection/selection'
import { estimateEta, etaStartStep, type EtaStart } from '../../core/download-manager/eta'
import { magnetUri } from '../../core/torrent-parser/magnet'
import { limitsOf } from '../../core/download-manager/speed-limits'
import type { StoredTorrent } from '../../protocol/stored-torrent'
import type { Settings } from '../../prefs/settings'
import type { ErrorInfo } from '../../protocol/errors'
import type { FileSnapshot, PeerSources, TorrentSnapshot } from '../../protocol/engine-events'
import { shownState, type TorrentLifecycle } from '../../core/download-manager/torrent-lifecycle'

/** What the engine keeps of each torrent beside webtorrent's own object. */
export interface TorrentRecord {
  infoHash: string
  /** The part that persists. */
  stored: StoredTorrent
  /** Our own parse of the metadata: sanitised names, validated fields. */
  metainfo?: Metainfo
  /** Present while the torrent runs in webtorrent. */
  torrent?: Torrent
  /** Verified pieces: webtorrent's when it starts, then each piece it verifies; kept while it is not running. The source of all progress. */
  bitfield?: Uint8Array
  error?: ErrorInfo
  /** Pieces read back and hashed when the torrent last started. */
  piecesChecked: number
  /** Wants to run but the queue has no slot for it. */
  queued: boolean
  /** While queued: its place in line among those waiting to download, or to seed (1 = next). */
  queuePosition?: number
  /** Piece data sent in this run (since the torrent last started); banked into stored.uploadedBefore when it stops. */
  uploadedNow: number
  seedingSince?: number
  /** When its seeding goal was first seen met; it stops GOAL_GRACE_MS later (core/download-manager/queue.ts). */
  goalMetSince?: number
  starting?: boolean
  /** A stop under way: webtorrent holds the torrent until it is removed, so a start waits for it. */
  stopping?: Promise<void>
  /** Bumped whenever `bitfield` changes. */
  bitfieldVersion?: number
  completeMemo?: { version: number; priorities: StoredTorrent['priorities']; value: boolean }
  /** The completion of this run was handled (history, notice). */
  completeHandled?: boolean
  /** Streams open for playback: the torrent downloads in order meanwhile. */
  openStreams?: number
  /** Where this run of downloading began, for the time-left estimate (core/download-manager/eta.ts). */
  etaStart?: EtaStart
  /** Stall recovery: since when it has had no peers, and how long to wait next. */
  stall?: StallState
  /** The state it showed when a stall restart began, shown until the restart is through (core/download-manager/stall.ts). */
  restartingFrom?: TorrentSnapshot['state']
  forceFullCheck?: boolean
  /** Started on trusted resume data whose files' sizes the storage worker checks once it runs (resume-sizes.ts). */
  sizesToCheck?: boolean
  /** Its files were found shorter than its resume data: being stopped, trimmed to them and started again. */
  refitting?: boolean
  /** The last progress worked out, while nothing it depends on changed (see progressOf). */
  progressMemo?: { version: number; bitfield: boolean; priorities: StoredTorrent['priorities']; progress: ReturnType<typeof torrentProgress>; files: FileSnapshot[] }
}

function priorities(record: TorrentRecord): Priority[] {
  return (record.stored.priorities ?? record.metainfo?.files.map(() => 1) ?? []) as Priority[]
}

/**
 * Our own verified pieces (the bitfield, whether the torrent runs or not) and, while it runs,
 * webtorrent's bytes received of the pieces it still misses: the one source of every progress
 * figure and "complete" (core/download-manager/progress.ts). Never webtorrent's File.downloaded, which went
 * negative for a file ending on a piece boundary (issue 12), nor its `done`, which waits for
 * skipped files too.
 */
function pieceState(record: TorrentRecord, metainfo: Metainfo): PieceState {
  const { bitfield } = record
  const running = record.torrent?.ready ? record.torrent : undefined
  return {
    pieceLength: metainfo.pieceLength,
    totalLength: metainfo.length,
    has: bitfield ? (piece) => hasPiece(bitfield, piece) : undefined,
    received: running ? (piece) => receivedBytes(running, piece) : undefined,
  }
}

/** webtorrent's Piece of a piece it still misses (null once verified): its length less what is still missing. */
function receivedBytes(torrent: Torrent, piece: number): number {
  const missing = torrent.pieces?.[piece]
  return missing ? missing.length - missing.missing : 0
}

/**
 * All wanted files complete, from our own bitfield. Memoised on the bitfield's version and the
 * priorities (a new array whenever one changes: torrent-controls.ts, file-choice.ts): the tick asks
 * for every torrent every tick, and a key string built at each ask was a cost of its own.
 */
export function isComplete(record: TorrentRecord): boolean {
  const { metainfo, bitfield } = record
  if (!metainfo || !bitfield || record.stored.awaitingFiles) return false
  const version = record.bitfieldVersion ?? 0
  const memo = record.completeMemo
  if (memo && memo.version === version && memo.priorities === record.stored.priorities) return memo.value
  const value = torrentComplete(metainfo.files, priorities(record), pieceState(record, metainfo))
  record.completeMemo = { version, priorities: record.stored.priorities, value }
  return value
}

/** Bytes uploaded and seconds spent seeding, over every session. */
export function seedingTotals(record: TorrentRecord): { uploaded: number; seededSeconds: number } {
  return {
    uploaded: (record.stored.uploadedBefore ?? 0) + record.uploadedNow,
    seededSeconds: (record.stored.seededSecondsBefore ?? 0) + (record.seedingSince ? (Date.now() - record.seedingSince) / 1000 : 0),
  }
}

/** The seeding goal this torrent has met, unless the user chose to seed on past the goals. */
export function metSeedingGoal(record: TorrentRecord, settings: Settings): SeedingGoal | null {
  if (record.stored.seedPastGoal) return null
  const { uploaded, seededSeconds } = seedingTotals(record)
  return seedingGoalMet(uploaded, record.metainfo?.length ?? 0, seededSeconds, { ratio: settings.seedRatio, minutes: settings.seedMinutes })
}

/** Each file as the UI shows it; the objects of `before` where nothing changed, and `before` itself when no file did. */
function fileSnapshots(record: TorrentRecord, metainfo: Metainfo, progress: readonly FileProgress[], before: FileSnapshot[] | undefined): FileSnapshot[] {
  const prio = priorities(record)
  let same = before !== undefined
  let at = 0
  const files: FileSnapshot[] = []
  for (const file of metainfo.files) {
    if (file.pad) continue
    const downloaded = progress[file.index]?.downloaded ?? 0
    const done = progress[file.index]?.done ?? false
    const priority = prio[file.index] ?? 1
    const old = before?.[at++]
    if (old && old.index === file.index && old.downloaded === downloaded && old.done === done && old.priority === priority) {
      files.push(old)
      continue
    }
    same = false
    files.push({ index: file.index, path: file.name, name: file.path[file.path.length - 1] ?? file.name, length: file.length, downloaded, done, priority })
  }
  return same && files.length === before!.length ? before! : files
}

/**
 * The torrent's and each file's progress. Worked out again only when it can have changed: while
 * pieces are on their way (a running torrent that is not complete), or when a piece was verified
 * or a priority changed; a thousand seeding or paused torrents cost nothing at each tick.
 */
function progressOf(record: TorrentRecord, metainfo: Metainfo): { progress: ReturnType<typeof torrentProgress>; files: FileSnapshot[] } {
  const inFlight = Boolean(record.torrent?.ready) && !isComplete(record)
  const version = record.bitfieldVersion ?? 0
  const memo = record.progressMemo
  if (!inFlight && memo && memo.version === version && memo.bitfield === Boolean(record.bitfield) && memo.priorities === record.stored.priorities) return memo
  const progress = torrentProgress(metainfo.files, priorities(record), pieceState(record, metainfo))
  const files = fileSnapshots(record, metainfo, progress.files, memo?.files)
  // while in flight, never a hit: bytes of pieces not yet verified move without a version
  record.progressMemo = { version: inFlight ? Number.NaN : version, bitfield: Boolean(record.bitfield), priorities: record.stored.priorities, progress, files }
  return record.progressMemo
}

/**
 * Piece data per second each way, over the wires open now (each wire meters its own, 5 s window).
 * webtorrent's torrent speeds count every byte on the connections: a torrent whose peers all
 * choke it showed a download speed from their haves and keep-alives.
 */
function payloadSpeeds(torrent: Torrent): { down: number; up: number } {
  let down = 0
  let up = 0
  for (const wire of torrent.wires ?? []) {
    down += wire.downloadSpeed?.() ?? 0
    up += wire.uploadSpeed?.() ?? 0
  }
  return { down, up }
}

/**
 * The torrent's magnet link: webtorrent's, or for a v2-only torrent (webtorrent names it by its
 * truncated v2 info-hash as if it were a v1 one) a btmh link (BEP 52).
 */
function magnetOf({ torrent, metainfo, stored }: TorrentRecord): string {
  if (metainfo?.version === 'v2' && metainfo.infoHashV2) {
    return stored.magnetURI ?? magnetUri({ infoHash: metainfo.infoHash, infoHashV2: metainfo.infoHashV2, name: metainfo.name, trackers: metainfo.announce, webSeeds: [], peers: [] })
  }
  return torrent?.magnetURI ?? stored.magnetURI ?? ''
}

/** `lifecycle`: its state, from its session (torrent-session.ts). */
export function snapshot(record: TorrentRecord, lifecycle: TorrentLifecycle, bridged?: Omit<PeerSources, 'webrtc' | 'webseed'>, now = Date.now()): TorrentSnapshot {
  const { torrent, metainfo, stored } = record
  const length = metainfo?.length ?? 0
  const worked = metainfo ? progressOf(record, metainfo) : undefined
  const progress = worked?.progress
  const wantedLength = progress?.wantedLength ?? 0
  const downloaded = progress?.downloaded ?? 0
  const running = torrent?.ready ? torrent : undefined
  // a view only: the session clears restartingFrom when the restart ends (torrent-session.ts apply)
  const state = shownThroughRestart(shownState(lifecycle), Boolean(record.queuePosition), record.restartingFrom).shown
  const active = state === 'downloading'
  const { uploaded } = seedingTotals(record)
  const speeds = torrent ? payloadSpeeds(torrent) : { down: 0, up: 0 }
  const downloadSpeed = active ? speeds.down : 0
  record.etaStart = etaStartStep(record.etaStart, active && Boolean(running), downloaded, now)
  const snap: TorrentSnapshot = {
    infoHash: record.infoHash,
    name: metainfo?.name ?? stored.name,
    magnetURI: magnetOf(record),
    length,
    wantedLength,
    downloaded,
    uploaded,
    ratio: length ? uploaded / length : 0,
    // downloaded reaches wantedLength only when every wanted file is complete (core/download-manager/progress.ts)
    progress: wantedLength ? downloaded / wantedLength : (state === 'seeding' || state === 'done' ? 1 : 0),
    downloadSpeed,
    uploadSpeed: speeds.up,
    peers: torrent?.numPeers ?? 0,
    peerSources: {
      // webtorrent files every stream handed to addPeer (bridged TCP ones too) under 'webrtc'.
      webrtc: Math.max(0, (torrent?.wires?.filter((wire) => wire.type === 'webrtc').length ?? 0)
        - (bridged ? bridged.tracker + bridged.dht + bridged.pex + bridged.magnet + bridged.incoming + bridged.lsd : 0)),
      tracker: bridged?.tracker ?? 0, dht: bridged?.dht ?? 0, pex: bridged?.pex ?? 0, magnet: bridged?.magnet ?? 0, incoming: bridged?.incoming ?? 0, lsd: bridged?.lsd ?? 0,
      webseed: torrent?.wires?.filter((wire) => wire.type === 'webSeed' && !wire.destroyed).length ?? 0,
    },
    eta: estimateEta(Math.max(0, wantedLength - downloaded), downloadSpeed, record.etaStart, downloaded, now),
    state,
    files: worked?.files ?? [],
    addedAt: stored.addedAt,
    sequential: Boolean(stored.sequential),
    ...limitsOf(stored),
    piecesChecked: record.piecesChecked,
    piecesVerified: metainfo && record.bitfield ? countPieces(record.bitfield, metainfo.pieceCount) : 0,
    pieceCount: metainfo?.pieceCount ?? 0,
  }
  const error = record.error ?? stored.pausedBecause
  if (error) snap.error = error
  if (state === 'queued' && record.queuePosition) snap.queue = { position: record.queuePosition, toSeed: isComplete(record) }
  if (lifecycle.name === 'done' && lifecycle.stoppedBy === 'goal') snap.seedingGoal = lifecycle.goal
  return snap
}
