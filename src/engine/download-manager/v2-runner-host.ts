import type { Wire } from 'webtorrent/dist/webtorrent.min.js'
import type { EngineEvent } from '../../protocol/engine-events'
import type { StorageClient } from '../../storage/file-storage/storage-client'
import type { BridgeLink } from '../peer-connection/bridge-link'
import { parseTorrentFile } from '../torrent-parser/parse-service'
import { wireAddress } from '../peer-connection/peer-list'
import type { Persistence } from './persistence'
import type { TorrentRecord } from './snapshot'
import { raise } from './torrent-session'
import type { V2Host } from './v2-torrents'

/** What the runner lends a torrent's v2 half. */
export interface V2RunnerParts {
  records: ReadonlyMap<string, TorrentRecord>
  storage: StorageClient
  persistence: Persistence
  bridge: BridgeLink | undefined
  emit(event: EngineEvent): void
  stop(record: TorrentRecord): Promise<void>
}

/** What a torrent's v2 half (v2-torrent.ts) is told to do in the engine: each call finds the torrent running, or does nothing. */
export function v2RunnerHost(infoHash: string, parts: V2RunnerParts): V2Host {
  const record = () => {
    const r = parts.records.get(infoHash)
    return r?.torrent ? r : undefined
  }
  return {
    storage: parts.storage,
    parse: parseTorrentFile,
    checkRead: () => { const r = record(); if (r) r.piecesChecked++ },
    torrentFileChanged: (bytes) => {
      const r = record()
      if (!r?.stored.torrentFile) return // the metadata itself is kept by the runner's onMetadata
      r.stored.torrentFile = bytes
      void parts.persistence.saveTorrent(r.stored)
    },
    refused: (error) => {
      const r = record()
      if (!r) return
      r.error = error.toInfo()
      raise(r, { type: 'failed', code: r.error.code })
      void parts.stop(r)
      parts.emit({ type: 'error', infoHash, error: r.error })
    },
    badPeer: (wire, reason) => {
      const peer = wireAddress(wire as Wire)
      if (peer) parts.bridge?.ban(infoHash, peer)
      ;(wire as Wire).destroy()
      parts.emit({ type: 'warning', infoHash, message: `Disconnected ${peer ? `${peer.host}:${peer.port}` : 'a peer'}, and it will not be dialed again: ${reason}.` })
    },
  }
}
