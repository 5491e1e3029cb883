/**
 * A torrent started with resume data checks a fixed sample of it, not a piece of every file:
 * `torrent._verifyPiecesUsingBitfield(cb)`, replaced on that one instance, calling webtorrent's
 * `torrent._verifyPiecesUsingHash(pieces, cb)` (webtorrent 3.0.21's lib/torrent.js; no option does
 * it: `skipVerify` marks every piece verified, not only the bitfield's).
 *
 * webtorrent's own check of a startup bitfield reads and hashes the first verified piece of every
 * file: for a half-done copy of 10,000 files of 100 GiB in 16 MiB pieces that is some 3,200
 * pieces, 50 GiB read and hashed before the torrent downloads again (1 GiB of 10,000 files: 512
 * pieces, 15 s; docs/BENCHMARKS.md), so a resume grew with the files and the piece size. The
 * engine hands webtorrent a bitfield only after its own check, which costs nothing per piece: the
 * bitfield is what the engine saved after each verified piece, and every file a piece touches must
 * be on disk at its full length or the piece is cleared first (core/file-storage/bitfield.ts trimToFileSizes).
 * So here the last SAMPLE verified pieces are hashed (the last written, in a sequential download),
 * and only if one of them is bad does webtorrent's per-file check run. libtorrent trusts its
 * fast-resume data the same way; a user who doubts the data asks for a re-check, which hashes all.
 */
const SAMPLE = 2

interface TorrentInternals {
  _verifyPiecesUsingBitfield(cb: (err: Error | null) => void): void
  _verifyPiecesUsingHash(pieces: number[], cb: (err: Error | null) => void): void
  readonly bitfield: { get(index: number): boolean }
  readonly pieces: readonly unknown[]
}

function hasCheck(torrent: object): torrent is TorrentInternals {
  const t = torrent as Partial<TorrentInternals>
  return typeof t._verifyPiecesUsingBitfield === 'function' && typeof t._verifyPiecesUsingHash === 'function'
}

/**
 * On `torrent` (just added with a `bitfield`, before its metadata is handled). When this runs,
 * webtorrent has set the bitfield's pieces in its own and left them out of its piece list. False
 * when the methods are not there.
 */
export function trustStartupBitfield(torrent: object): boolean {
  if (!hasCheck(torrent)) return false
  const t = torrent
  const perFile = t._verifyPiecesUsingBitfield.bind(t)
  t._verifyPiecesUsingBitfield = (cb) => {
    const sample: number[] = []
    for (let i = t.pieces.length - 1; i >= 0 && sample.length < SAMPLE; i--) if (t.bitfield.get(i)) sample.push(i)
    t._verifyPiecesUsingHash(sample, (err) => {
      if (err) return cb(err)
      if (sample.every((i) => t.bitfield.get(i))) return cb(null)
      perFile(cb)
    })
  }
  return true
}
