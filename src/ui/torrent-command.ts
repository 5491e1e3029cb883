import type { FilePriority } from '../protocol/stored-torrent'

/** What a torrent's controls ask of the engine (an event from bt-torrent-item to bt-app), one shape per `type`. */
export type TorrentCommand =
  | { type: 'pause' | 'resume' | 'recheck' | 'up' | 'down'; infoHash: string }
  | { type: 'sequential'; infoHash: string; sequential: boolean }
  | { type: 'priority'; infoHash: string; fileIndex: number; priority: FilePriority }
  /** The torrent's own limit in bytes/s (0 = none). */
  | { type: 'downloadLimit' | 'uploadLimit'; infoHash: string; bytesPerSecond: number }

/** What bt-file-list asks when a file's priority changes. */
export interface FilePriorityChange { fileIndex: number; priority: FilePriority }
