/**
 * A per-torrent hook in webtorrent's check of a downloaded piece, added to its prebuilt module at
 * build time (vite.config.ts runs this on `webtorrent/dist/webtorrent.min.js`).
 *
 * webtorrent checks a piece it has just assembled with uint8-util's `hash`, a module-private
 * function over the page's global `crypto.subtle.digest`, and compares the hex with the piece's
 * SHA-1 from the metainfo; it offers no option to check a piece another way. Our pieces are
 * hashed in the storage worker (piece-hashing.ts) and v2 pieces are checked by a Merkle tree, so
 * the only ways in were a patch of the page's global `crypto.subtle.digest` (every digest in the
 * page went through it) or this: one expression of the torrent's piece handler, which becomes
 *
 *     hex = await (torrent.pieceCheck ? torrent.pieceCheck(index, buffer) : hash(buffer, 'hex'))
 *
 * so a torrent we gave a `pieceCheck` is checked our way, and everything else is untouched. It is
 * the hook anacrolix's storage has (a piece committed once verified), written as small as a patch
 * can be. A runtime patch cannot reach it (the piece handler is a closure inside `_request`), and
 * patch-package would keep a diff of the whole one-line minified file; a match of one exact
 * expression, refused loudly when it is not found exactly once, is smaller and says what it does.
 */
import { WEBTORRENT_VERSION } from './version'

/** webtorrent 3.0.21's minified piece handler: flush the piece, hash it, compare (lib/torrent.js `_request`). */
const PIECE_CHECK = 'const p=o.flush(),g=await x(p,"hex");'
const WITH_HOOK = 'const p=o.flush(),g=await(i.pieceCheck?i.pieceCheck(t,p):x(p,"hex"));'

/** The module's code with the hook added; throws when the code is not the version it was written for. */
export function addPieceCheckHook(code: string): string {
  const at = code.indexOf(PIECE_CHECK)
  if (at < 0 || code.indexOf(PIECE_CHECK, at + 1) >= 0) {
    throw new Error(
      `webtorrent's piece check was not found exactly once in its prebuilt module: this app's hook ` +
        `(src/engine/webtorrent/piece-check-hook.ts) was written for webtorrent ${WEBTORRENT_VERSION}; install that version or update the hook.`,
    )
  }
  return code.slice(0, at) + WITH_HOOK + code.slice(at + PIECE_CHECK.length)
}

/** Whether a module id is webtorrent's prebuilt browser module. */
export function isWebtorrentModule(id: string): boolean {
  return /[\\/]node_modules[\\/]webtorrent[\\/]dist[\\/]webtorrent\.min\.js$/.test(id.split('?')[0]!)
}
