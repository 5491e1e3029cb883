import { bencode } from '../../src/core/torrent-parser/bencode'

export interface TorrentSpec {
  name: string
  files: { path: string[]; length: number }[]
  pieceLength?: number
  announce?: string
}

/** A syntactically valid .torrent with made-up piece hashes: for tests of adding, not of downloading. */
export function makeTorrent(spec: TorrentSpec): Uint8Array {
  const pieceLength = spec.pieceLength ?? 16 * 1024
  const length = spec.files.reduce((sum, file) => sum + file.length, 0)
  const pieces = new Uint8Array(Math.ceil(length / pieceLength) * 20)
  for (let i = 0; i < pieces.length; i++) pieces[i] = (i * 31 + spec.name.length) & 0xff
  const info = { name: spec.name, 'piece length': pieceLength, files: spec.files, pieces }
  return bencode(spec.announce ? { announce: spec.announce, info } : { info })
}
