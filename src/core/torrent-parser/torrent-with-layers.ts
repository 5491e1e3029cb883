/**
 * A v2 .torrent with the piece layers it lacked (BEP 52 `piece layers`): the layers a torrent
 * added by magnet link (or a .torrent without them) fetched from peers are kept in its .torrent,
 * so after a reload its pieces are checked, and hash requests answered, without asking again.
 * The info dictionary is copied byte for byte (its SHA-256 names the torrent); the other
 * top-level values are written again, in sorted key order.
 */
import { bdecode, bdecodeWithInfoSpan, bencode, type BEncodable } from './bencode'
import { concatBytes } from '../bytes'
import { isDict } from './fields'
import { hex } from './metainfo-v2'

const utf8 = new TextEncoder()

/**
 * `torrent` (a whole .torrent, or `d4:info…e` around metadata from peers) with `layers` (pieces
 * root → piece layer) beside the piece layers it has. Throws on bytes that are not a .torrent.
 */
export function withPieceLayers(torrent: Uint8Array, layers: Iterable<readonly [Uint8Array, Uint8Array]>): Uint8Array {
  const { value, infoSpan, pieceLayersSpan } = bdecodeWithInfoSpan(torrent)
  if (!isDict(value) || !infoSpan) throw new RangeError('not a .torrent with an info dictionary')
  // roots as hex: a Map keyed by bytes would keep two copies of one root
  const merged = new Map<string, Uint8Array>()
  if (pieceLayersSpan) {
    // read again with binary keys, as metainfo.ts reads them
    const old = bdecode(torrent.subarray(...pieceLayersSpan), { binaryKeys: true, maxDepth: 4 })
    if (isDict(old)) for (const [root, layer] of old) if (layer instanceof Uint8Array) merged.set(root, layer)
  }
  for (const [root, layer] of layers) merged.set(hex(root), layer)

  const entries: [Uint8Array, Uint8Array][] = []
  for (const [key, v] of value) {
    if (key === 'piece layers') continue
    entries.push([utf8.encode(key), key === 'info' ? torrent.subarray(infoSpan[0], infoSpan[1]) : bencode(v as BEncodable)])
  }
  const layerMap = new Map<Uint8Array, BEncodable>([...merged].map(([root, layer]) => [fromHex(root), layer]))
  if (layerMap.size > 0) entries.push([utf8.encode('piece layers'), bencode(layerMap)])
  entries.sort((a, b) => compareBytes(a[0], b[0]))
  return concatBytes([utf8.encode('d'), ...entries.flatMap(([key, encoded]) => [bencode(key), encoded]), utf8.encode('e')])
}

function fromHex(text: string): Uint8Array {
  const out = new Uint8Array(text.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16)
  return out
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number)
  return a.length - b.length
}
