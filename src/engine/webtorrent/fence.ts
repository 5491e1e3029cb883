/**
 * The fence around webtorrent's internals that BitTorrent v2 (BEP 52, issue 16) needs. webtorrent
 * 3 speaks v1 only: it reads a torrent with parse-torrent (which wants `info.pieces`), checks
 * every piece by comparing a SHA-1, and checks metadata from peers (BEP 9) by its SHA-1. Each file
 * in this folder reaches into one of those places, says what it needs and why no public API gives
 * it; nothing outside this folder does so for v2:
 *
 *   parsed-torrent.ts  what webtorrent is handed for a v2 torrent (its parsed-torrent shape)
 *   torrent-hooks.ts   Torrent#_verifyPiece (re-checks) and Torrent#_onMetadata (metadata from peers)
 *   ut-metadata.ts     the ut_metadata extension of each wire: v2 metadata checked by SHA-256, served exactly
 *   piece-claims.ts    which torrent and piece a just-assembled Piece is (its `sources`, Torrent#pieces)
 *   wire-messages.ts   Wire#_message, to send BEP 52's hash messages
 *
 * They were written against webtorrent 3.0.21's prebuilt browser module. The alternative was a
 * fork of webtorrent built in this repository; see v2-torrents.ts for why it is not one.
 * A webtorrent of another version may have moved what these reach: v2 torrents are then refused
 * with a message that says so (v1 and hybrid torrents run as before), until someone checks these
 * hooks against it and adds it to HOOKED_VERSIONS. test/unit/webtorrent-fence.test.ts fails when
 * the installed webtorrent is not one of them.
 */
import { AppError } from '../../protocol/errors'

/** webtorrent versions these hooks were checked against. */
export const HOOKED_VERSIONS: readonly string[] = ['3.0.21']

/** Throws AppError when the running webtorrent is not one the v2 hooks were checked against. */
export function assertHooksFit(version: string | undefined): void {
  if (version !== undefined && HOOKED_VERSIONS.includes(version)) return
  throw new AppError('BAD_TORRENT', `BitTorrent v2-only torrents need this app's hooks into webtorrent, which were written for webtorrent ${HOOKED_VERSIONS.join(', ')}; this build has ${version ?? 'an unknown version'}.`)
}
