import type { EngineApi } from '../engine/download-manager/engine-api'
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

/** Runs a torrent's command on the engine (it throws what the engine throws). */
export async function runTorrentCommand(engine: EngineApi, command: TorrentCommand): Promise<void> {
  switch (command.type) {
    case 'pause': await engine.pause(command.infoHash); break
    case 'resume': await engine.resume(command.infoHash); break
    case 'recheck': await engine.recheck(command.infoHash); break
    case 'up': await engine.move(command.infoHash, -1); break
    case 'down': await engine.move(command.infoHash, 1); break
    case 'sequential': await engine.setSequential(command.infoHash, command.sequential); break
    case 'priority': await engine.setFilePriority(command.infoHash, command.fileIndex, command.priority); break
    case 'downloadLimit': await engine.setSpeedLimits(command.infoHash, { downloadLimit: command.bytesPerSecond }); break
    case 'uploadLimit': await engine.setSpeedLimits(command.infoHash, { uploadLimit: command.bytesPerSecond }); break
  }
}
