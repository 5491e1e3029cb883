/**
 * Piece hashes as lowercase hex text, the form webtorrent keeps them in (parse-torrent's
 * `pieces`). A .torrent may hold 3,000,000 pieces, so this is on the path of starting one: the
 * per-byte `toString(16).padStart(2, '0')` it replaced made 60 million small strings for them
 * (over a second of the main thread, and seconds of garbage collection; docs/BENCHMARKS.md).
 * Uint8Array.prototype.toHex is what parse-torrent's uint8-util uses in the browser; where it is
 * missing (Node 20, older browsers), a byte-to-text table does one lookup per byte.
 */

/** Hash bytes per v1 piece (SHA-1). */
const PIECE_HASH_BYTES = 20

const BYTE_HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'))

type WithToHex = Uint8Array & { toHex?: () => string }

/** `bytes[start, end)` as hex, by table. */
function tableHex(bytes: Uint8Array, start: number, end: number): string {
  let out = ''
  for (let i = start; i < end; i++) out += BYTE_HEX[bytes[i]!]
  return out
}

/** `bytes` as lowercase hex. */
export function hexOf(bytes: Uint8Array): string {
  const native = (bytes as WithToHex).toHex
  return native ? native.call(bytes) : tableHex(bytes, 0, bytes.length)
}

/** One hex string per 20 bytes of `hashes` (a v1 info dictionary's `pieces`, already checked to be a multiple of 20). */
export function pieceHashesHex(hashes: Uint8Array): string[] {
  if (hashes.length % PIECE_HASH_BYTES !== 0) throw new Error(`piece hashes of ${hashes.length} bytes are not whole 20-byte hashes`)
  const count = hashes.length / PIECE_HASH_BYTES
  const out: string[] = []
  if ((hashes as WithToHex).toHex) {
    for (let i = 0; i < count; i++) out.push(hexOf(hashes.subarray(i * PIECE_HASH_BYTES, (i + 1) * PIECE_HASH_BYTES)))
  } else {
    for (let i = 0; i < count; i++) out.push(tableHex(hashes, i * PIECE_HASH_BYTES, (i + 1) * PIECE_HASH_BYTES))
  }
  return out
}
