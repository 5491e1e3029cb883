// .torrent files made by mktorrent 1.1 (the Debian package), as real users' torrents are: piece
// length 2^N, the announce URLs given and nothing else (mktorrent adds no public trackers).
import { readFile } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { parseTorrent, type Metainfo } from '../../../src/core/torrent-parser/metainfo'
import { makeTempDir, runCommand } from './process'

export interface MktorrentOptions {
  /** The folder (or single file) to make a torrent of; its base name is the torrent's name. */
  path: string
  /**
   * Trackers. Each entry is one tier (one `-a`); an array entry puts several URLs in one tier.
   * Default: none -- a torrent for DHT-only (trackerless) swarms.
   */
  announce?: (string | string[])[]
  /** Piece length as 2^N bytes (mktorrent's -l). Default 18 (256 KiB). mktorrent accepts 15..28. */
  pieceLengthLog2?: number
  /** Set the private flag (BEP 27). */
  private?: boolean
  /** Web seeds (BEP 19). */
  webSeeds?: string[]
  comment?: string
  /**
   * mktorrent's -s: a `source` string inside the info dictionary, so the same folder gives a
   * different info-hash (one swarm per test: the announce list is outside the info-hash).
   */
  source?: string
  /** Hashing threads. Default: mktorrent's (the number of cores). */
  threads?: number
}

export interface MadeTorrent {
  /** The .torrent file's bytes. */
  torrent: Uint8Array
  /** Parsed by the app's own parser (src/core/torrent-parser/metainfo.ts). */
  meta: Metainfo
  /** 40 lowercase hex. */
  infoHash: string
  /** `magnet:?xt=urn:btih:<infoHash>` and nothing else: no name, no trackers. */
  bareMagnet: string
}

/** Runs `mktorrent` on `opts.path`; the creation date is left out (-d) so the bytes are reproducible. */
export async function makeTorrent(opts: MktorrentOptions): Promise<MadeTorrent> {
  const log2 = opts.pieceLengthLog2 ?? 18
  if (!Number.isInteger(log2) || log2 < 15 || log2 > 28) throw new Error(`mktorrent: piece length 2^${log2} is outside 2^15..2^28`)
  const out = await makeTempDir('mktorrent-')
  try {
    const file = join(out.dir, 'out.torrent')
    const args = ['-d', '-l', String(log2), '-o', file]
    for (const tier of opts.announce ?? []) args.push('-a', Array.isArray(tier) ? tier.join(',') : tier)
    if (opts.private) args.push('-p')
    if (opts.webSeeds?.length) args.push('-w', opts.webSeeds.join(','))
    if (opts.comment !== undefined) args.push('-c', opts.comment)
    if (opts.source !== undefined) args.push('-s', opts.source)
    if (opts.threads !== undefined) args.push('-t', String(opts.threads))
    // Run from the parent folder with a relative target: mktorrent names the torrent after the
    // target's base name either way, but this keeps absolute paths out of its messages.
    args.push(basename(opts.path))
    await runCommand('mktorrent', args, { cwd: dirname(opts.path), timeoutMs: 300_000 })
    const torrent = new Uint8Array(await readFile(file))
    const meta = await parseTorrent(torrent)
    return { torrent, meta, infoHash: meta.infoHash, bareMagnet: `magnet:?xt=urn:btih:${meta.infoHash}` }
  } finally {
    await out.remove()
  }
}
