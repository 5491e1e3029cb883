import { parseMagnet } from '../../core/torrent-parser/magnet'
import type { TorrentRecord } from './snapshot'

/** The user's trackers replace the server's when set. */
export function defaultTrackers(userTrackers: readonly string[], serverTrackers: readonly string[]): string[] {
  return [...(userTrackers.length ? userTrackers : serverTrackers)]
}

/** Every tracker the torrent names (metadata, or the magnet before it), then the default ones unless private (BEP 27); the bridge uses the http/udp ones. */
export function allTrackers(record: TorrentRecord, defaults: string[]): string[] {
  if (record.metainfo) return record.metainfo.private ? record.metainfo.announce : [...record.metainfo.announce, ...defaults]
  try {
    return [...(record.stored.magnetURI ? parseMagnet(record.stored.magnetURI).trackers : []), ...defaults]
  } catch {
    return defaults
  }
}
