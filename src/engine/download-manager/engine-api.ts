import type { FilePriority, HistoryEntry } from '../../protocol/stored-torrent'
import type { Settings } from '../../prefs/settings'
import type { SpeedLimits } from '../../core/download-manager/speed-limits'
import type { BridgeStatus, EngineEvent, PeerSnapshot, TorrentDiagnostics, TorrentSnapshot, TrackerSnapshot } from '../../protocol/engine-events'
import type { SaveEntry } from '../../storage/file-assembly/save-entry'
import type { AddOptions, AddSource } from './add-source'
import type { FileChoice } from './file-choice'

/** What the UI may ask of an engine: the one in this tab, or the one another tab runs. */
export interface EngineApi {
  /** False in a tab that mirrors another tab's engine. */
  readonly local: boolean
  on(listener: (event: EngineEvent) => void): () => void
  list(): TorrentSnapshot[]
  bridgeStatus(): BridgeStatus
  add(source: AddSource, options?: AddOptions): Promise<string>
  remove(infoHash: string, deleteData: boolean): Promise<void>
  pause(infoHash: string): Promise<void>
  resume(infoHash: string): Promise<void>
  recheck(infoHash: string): Promise<void>
  setFilePriority(infoHash: string, fileIndex: number, priority: FilePriority): Promise<void>
  /** The user's choice of files for a magnet added with `askFiles`, once its metadata is here. */
  chooseFiles(infoHash: string, choice: FileChoice): Promise<void>
  setSequential(infoHash: string, sequential: boolean): Promise<void>
  /** A torrent's own speed limits, bytes/s (0 = none); the fields given change, the others stay. */
  setSpeedLimits(infoHash: string, limits: Partial<SpeedLimits>): Promise<void>
  move(infoHash: string, delta: -1 | 1): Promise<void>
  fileForSave(infoHash: string, fileIndex: number): Promise<File>
  saveEntries(infoHash: string): Promise<{ name: string; entries: SaveEntry[] }>
  applySettings(settings: Settings): void
  /** The connected peers of a running torrent, for its peers list. */
  peers(infoHash: string): Promise<PeerSnapshot[]>
  /** A running torrent's trackers and where each stands, for its tracker list. */
  trackers(infoHash: string): Promise<TrackerSnapshot[]>
  /** What the engine knows of one torrent (wires, requests, piece availability), for the Diagnostics view. */
  diagnostics(infoHash: string): Promise<TorrentDiagnostics | undefined>
  /** Finished downloads, newest first. */
  history(): Promise<HistoryEntry[]>
  clearHistory(): Promise<void>
}
