/**
 * webtorrent's `torrentFile` (and `metadata`, what its ut_metadata serves) as the exact .torrent
 * the user added, not a re-encoding of it.
 *
 * webtorrent 3.0.21's `Torrent._processParsedTorrent(parsed)` ends with
 * `this.torrentFile = toTorrentFile(parsed)`: parse-torrent's bencode of the whole torrent, the
 * info dictionary included, one TextEncoder call per key, number and length. It runs twice per
 * start (when the torrent is parsed, and again from `_onMetadata`), so a resume of a 10,000-file
 * torrent spent some 0.5 s a time encoding back bytes the engine holds already. No option or public
 * method hands webtorrent the bytes: `torrentFile` is only ever computed. So that one method is
 * replaced on the one instance (as trusted-resume.ts does): it runs webtorrent's own code with an
 * empty `info` (so the encode costs nothing), then puts the real `info` back and sets `torrentFile`
 * to the exact bytes. What else the method sets (announce and url lists merged with the options,
 * `magnetURI`) is webtorrent's own doing, unchanged.
 *
 * Needs: the method's name and its single argument, and `this.info`/`this.torrentFile` as plain
 * fields (test/unit/webtorrent-door.test.ts checks them on the real package). Only for a torrent
 * whose `info` and exact bytes are both known: `torrentFile` must decode to the same info.
 */

interface ProcessInternals {
  _processParsedTorrent(parsed: { info?: unknown }): void
  info?: unknown
  torrentFile?: Uint8Array
}

function hasProcess(torrent: object): torrent is ProcessInternals {
  return typeof (torrent as Partial<ProcessInternals>)._processParsedTorrent === 'function'
}

/**
 * On `torrent` just returned by `client.add` (its parsing runs after a microtask), given the exact
 * .torrent it was added from. False when the method is not there (webtorrent then encodes, as before).
 */
export function keepExactTorrentFile(torrent: object, torrentFile: Uint8Array): boolean {
  if (!hasProcess(torrent)) return false
  const t = torrent
  const process = t._processParsedTorrent.bind(t)
  t._processParsedTorrent = (parsed) => {
    const info = parsed.info
    if (!info) return process(parsed)
    parsed.info = new Map() // encodes as "de": webtorrent's re-encoding of the torrent costs nothing
    try {
      process(parsed)
    } finally {
      parsed.info = info
      t.info = info
    }
    t.torrentFile = torrentFile
  }
  return true
}
