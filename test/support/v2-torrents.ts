/**
 * BitTorrent v2 and hybrid .torrent files built in the tests, with real pieces roots and piece
 * layers computed from made-up contents (our merkle code, itself checked against libtorrent in
 * test/unit/v2-libtorrent.test.ts), to be broken one field at a time.
 */
import { createHash } from 'node:crypto'
import { bencode, type BEncodable } from '../../src/core/torrent-parser/bencode'
import { hashBlocks, pieceLayerFromBlocks, rootFromBlocks } from '../../src/core/file-storage/merkle'

type Obj = { [key: string]: BEncodable | undefined }

export interface V2File {
  path: string[]
  length: number
  /** The bytes hashed; made up from `length` when absent. */
  data?: Uint8Array
}

export interface V2Torrent {
  info: Obj
  /** Root (hex) → piece layer, for the files longer than a piece. */
  pieceLayers: Map<string, Uint8Array>
  roots: Uint8Array[]
}

export function contentOf(file: V2File, seed = 0): Uint8Array {
  if (file.data) return file.data
  const out = new Uint8Array(file.length)
  for (let i = 0; i < out.length; i++) out[i] = (i * 7 + file.path.join('/').length * 13 + seed + (i >> 10)) & 0xff
  return out
}

/** The info dict of a v2 torrent (v1 fields added with `hybrid`), with every file's real pieces root, and its piece layers. */
export async function v2Torrent(name: string, files: V2File[], pieceLength: number, opts: { hybrid?: boolean; single?: boolean } = {}): Promise<V2Torrent> {
  const tree: Obj = {}
  const pieceLayers = new Map<string, Uint8Array>()
  const roots: Uint8Array[] = []
  const v1Files: Obj[] = []
  const v1Data: Uint8Array[] = []
  for (const [i, file] of files.entries()) {
    const data = contentOf(file)
    let node = tree
    for (const part of file.path.slice(0, -1)) node = (node[part] ??= {}) as Obj
    const entry: Obj = { length: file.length }
    if (file.length > 0) {
      const blocks = await hashBlocks(data)
      const root = rootFromBlocks(blocks, file.length)
      entry['pieces root'] = root
      roots.push(root)
      if (file.length > pieceLength) pieceLayers.set(Buffer.from(root).toString('hex'), pieceLayerFromBlocks(blocks, pieceLength))
    }
    node[file.path[file.path.length - 1] as string] = { '': entry }
    v1Files.push({ length: file.length, path: file.path })
    v1Data.push(data)
    const gap = file.length % pieceLength
    if (file.length > 0 && gap !== 0 && i < files.length - 1) {
      v1Files.push({ length: pieceLength - gap, path: ['.pad', String(pieceLength - gap)], attr: 'p' })
      v1Data.push(new Uint8Array(pieceLength - gap))
    }
  }
  const info: Obj = { name, 'piece length': pieceLength, 'meta version': 2, 'file tree': tree }
  if (opts.hybrid) {
    const all = Buffer.concat(v1Data)
    const hashes: Buffer[] = []
    for (let at = 0; at < all.length; at += pieceLength) hashes.push(createHash('sha1').update(all.subarray(at, at + pieceLength)).digest())
    info.pieces = Buffer.concat(hashes)
    if (opts.single) info.length = files[0]!.length
    else info.files = v1Files
  }
  return { info, pieceLayers, roots }
}

/** The .torrent: `info`, and `piece layers` keyed by raw root bytes (unless `layers` is null). */
export function v2TorrentFile(torrent: Pick<V2Torrent, 'info' | 'pieceLayers'>, layers: Map<string, Uint8Array> | null = torrent.pieceLayers, top: Obj = {}): Uint8Array {
  const body = bencode({ announce: 'udp://tracker.example:1337/announce', info: torrent.info, ...top })
  if (layers === null) return body
  // bencode() takes keys as text; piece layers are keyed by 32 raw bytes, so that dictionary is written here
  const entries = [...layers].map(([hexRoot, layer]) => [Buffer.from(hexRoot, 'hex'), layer] as const).sort((a, b) => Buffer.compare(a[0], b[0]))
  const encoded = Buffer.concat([Buffer.from('d'), ...entries.flatMap(([root, layer]) => [Buffer.from(`32:`), root, Buffer.from(`${layer.length}:`), layer]), Buffer.from('e')])
  // insert "12:piece layers<dict>" in sorted place: after "info", before any later key
  const text = Buffer.from(body)
  const withoutEnd = text.subarray(0, text.length - 1)
  return new Uint8Array(Buffer.concat([withoutEnd, Buffer.from('12:piece layers'), encoded, Buffer.from('e')]))
}
