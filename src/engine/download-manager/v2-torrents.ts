/**
 * The engine's BitTorrent v2 torrents (BEP 52; v2-torrent.ts is one of them): which torrents run
 * the v2 way (each checks its pieces through its webtorrent torrent's pieceCheck:
 * webtorrent/piece-hashing.ts).
 *
 * Why hooks into webtorrent rather than a fork of it, or an engine of our own for v2:
 * - What v2 changes in webtorrent is small and sits in a few places: how a torrent is read, how a
 *   piece is checked (two places), how metadata from peers is checked, and four more peer
 *   messages. Our own engine would redo the rest too (piece selection, choking, wires, WebRTC,
 *   streaming) for v2 only, and two engines would diverge.
 * - A fork would put those changes in webtorrent's source, but the app runs webtorrent's prebuilt
 *   browser bundle: bundling webtorrent from source needs Node shims (ENVIRONMENT.md), so a fork
 *   means keeping webtorrent's own build (its bundler, plugins and polyfills) working in this
 *   repository, on every fresh CI machine, and rebasing it on every webtorrent release.
 * - The page already checks pieces through a hook on that bundle (webtorrent/piece-check-hook.ts:
 *   webtorrent's SHA-1 runs in the storage worker), and the storage worker already receives each
 *   piece's bytes: a v2 check is the same hook with another hash.
 * So the hooks are each a few lines, all in src/engine/webtorrent/ with what each needs and why no
 * public API gives it, behind its version check (webtorrent/version.ts): the engine does not
 * start on a webtorrent they were not checked against.
 */
import { isV2OnlyMagnet, parseMagnet } from '../../core/torrent-parser/magnet'
import type { Metainfo } from '../../core/torrent-parser/metainfo'
import type { StoredTorrent } from '../../protocol/stored-torrent'
import { V2Torrent, type V2TorrentHost } from './v2-torrent'

/** What the engine tells each torrent's v2 half, by info-hash. */
export type V2Host = V2TorrentHost

export class V2Torrents {
  private readonly torrents = new Map<string, V2Torrent>()
  constructor(private readonly host: (infoHash: string) => V2Host) {}

  /**
   * The v2 half of a torrent about to start: a v2-only torrent or magnet, or a hybrid with piece
   * layers; undefined for the others.
   */
  open(infoHash: string, stored: StoredTorrent, metainfo: Metainfo | undefined): V2Torrent | undefined {
    this.close(infoHash)
    const host = this.host(infoHash)
    let torrent: V2Torrent | undefined
    if (metainfo && stored.torrentFile) torrent = V2Torrent.fromTorrent(metainfo, stored.torrentFile, host)
    else if (!metainfo && stored.magnetURI) {
      const link = parseMagnet(stored.magnetURI)
      if (isV2OnlyMagnet(link) && link.infoHashV2) torrent = V2Torrent.fromMagnet({ infoHash: link.infoHash, infoHashV2: link.infoHashV2, ...(link.name ? { name: link.name } : {}) }, host)
    }
    if (torrent) this.torrents.set(infoHash, torrent)
    return torrent
  }

  get(infoHash: string): V2Torrent | undefined {
    return this.torrents.get(infoHash)
  }

  close(infoHash: string): void {
    this.torrents.get(infoHash)?.close()
    this.torrents.delete(infoHash)
  }
}
