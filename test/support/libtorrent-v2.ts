/**
 * libtorrent's own view of BitTorrent v2 torrents (test/support/libtorrent-v2.py, Debian's
 * python3-libtorrent 2.0): torrents made by its creator, what it reads in ours, and its check of
 * the files on disk. Debian's /usr/bin/python3, since a pyenv python3 lacks Debian's modules.
 */
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const SCRIPT = fileURLToPath(new URL('./libtorrent-v2.py', import.meta.url))
export const DEBIAN_PYTHON = '/usr/bin/python3'

export type LibtorrentMode = 'hybrid' | 'hybrid-no-tail-padding' | 'v2' | 'v1'

export interface LibtorrentFile {
  /** With the torrent's name first for a multi-file torrent, as libtorrent lists them. */
  path: string
  size: number
  offset: number
  pad: boolean
  /** 64 hex, or null (padding, empty files, v1). */
  root: string | null
}

export interface LibtorrentView {
  v1: string | null
  v2: string | null
  name: string
  numPieces: number
  pieceLength: number
  totalSize: number
  files: LibtorrentFile[]
  /** Root (hex) → piece layer (hex), as written in the .torrent. */
  pieceLayers: Record<string, string>
  magnet: string
}

export interface LibtorrentCheck {
  checked: boolean
  error: string | null
  numPieces: number
  havePieces: number
  seeding: boolean
}

function run<T>(args: string[]): T {
  return JSON.parse(execFileSync(DEBIAN_PYTHON, [SCRIPT, ...args], { encoding: 'utf8', timeout: 120_000 })) as T
}

/** Makes `out` from the file or folder `source` with libtorrent's creator (announcing to `tracker`, when given). */
export function libtorrentMake(source: string, out: string, mode: LibtorrentMode, pieceLength: number, tracker?: string): LibtorrentView {
  return run(['make', source, out, mode, String(pieceLength), ...(tracker ? [tracker] : [])])
}

/** What libtorrent reads in a .torrent; throws when it refuses it. */
export function libtorrentInspect(torrent: string): LibtorrentView {
  return run(['inspect', torrent])
}

/** libtorrent's check of the files of `torrent` under `savePath` (a session on loopback, no DHT). */
export function libtorrentCheck(torrent: string, savePath: string): LibtorrentCheck {
  return run(['check', torrent, savePath])
}
