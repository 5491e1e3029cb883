/**
 * Two methods of a v2-only torrent's webtorrent Torrent, replaced on that one instance (webtorrent
 * 3.0.21's lib/torrent.js; neither has an option or event to do it otherwise):
 *
 * - `_verifyPiece(index, cb)`: the check of a stored piece, when a torrent starts (fast resume's
 *   sample, or every piece without resume data). webtorrent reads the piece into the page and
 *   compares its SHA-1; a v2 piece is checked against its file's merkle tree instead, read and
 *   hashed in the storage worker (the page never holds its bytes).
 * - `_onMetadata(metadata)`: metadata from peers. webtorrent parses it with parse-torrent, which
 *   throws on a v2 torrent (no `info.pieces`) and so destroys the torrent; it also takes a parsed
 *   torrent, which is what it is handed here, built from our own parser's reading of the exact
 *   bytes that ut-metadata.ts accepted.
 */
import type { ParsedTorrent } from './parsed-torrent'

/** What the v2 torrent does in their place. */
export interface V2TorrentHooks {
  /** Piece `index` as stored is good (BEP 52). */
  verifyStored(index: number): Promise<boolean>
  /** webtorrent's parsed torrent for the metadata a peer sent; undefined when it is refused (its owner stops the torrent with the reason). */
  parsedFromPeers(): Promise<ParsedTorrent | undefined>
}

interface TorrentInternals {
  _verifyPiece(index: number, cb: (err: Error | null, verified?: boolean) => void): void
  _onMetadata(metadata: unknown): Promise<void>
  readonly destroyed: boolean
  readonly metadata: unknown
}

function hasHooks(torrent: object): torrent is TorrentInternals {
  const t = torrent as Partial<TorrentInternals>
  return typeof t._verifyPiece === 'function' && typeof t._onMetadata === 'function'
}

/** Replaces the two methods on `torrent` (just added, before it parsed anything); false when it has no such methods. */
export function hookV2Torrent(torrent: object, hooks: V2TorrentHooks): boolean {
  if (!hasHooks(torrent)) return false
  const t = torrent
  t._verifyPiece = (index, cb) => {
    if (t.destroyed) return cb(new Error('torrent is destroyed'))
    hooks.verifyStored(index).then((verified) => cb(null, verified), () => cb(null, false))
  }
  const onMetadata = t._onMetadata
  t._onMetadata = async function (this: TorrentInternals, metadata: unknown): Promise<void> {
    // a parsed torrent (the one it was added with, or ours below) is webtorrent's to take
    if (typeof metadata === 'object' && metadata !== null && 'infoHash' in metadata) return onMetadata.call(this, metadata)
    if (this.metadata || this.destroyed) return
    const parsed = await hooks.parsedFromPeers()
    if (parsed && !this.metadata && !this.destroyed) await onMetadata.call(this, parsed)
  }
  return true
}
