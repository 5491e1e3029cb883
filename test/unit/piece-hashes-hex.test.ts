import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { hexOf, pieceHashesHex } from '../../src/core/torrent-parser/piece-hashes-hex'

/** Real SHA-1 piece hashes of `count` distinct pieces, as a .torrent's `pieces` holds them. */
function sha1Pieces(count: number): { bytes: Uint8Array; hashes: string[] } {
  const hashes = Array.from({ length: count }, (_, i) => createHash('sha1').update(`piece ${i}`).digest('hex'))
  return { bytes: new Uint8Array(Buffer.from(hashes.join(''), 'hex')), hashes }
}

describe('pieceHashesHex', () => {
  it('gives each 20-byte hash as the lowercase hex SHA-1 it is, in order', () => {
    const { bytes, hashes } = sha1Pieces(1000)
    expect(pieceHashesHex(bytes)).toEqual(hashes)
  })

  it('covers every byte value, leading zeros kept', () => {
    const bytes = new Uint8Array(260).map((_, i) => i % 256)
    const pieces = pieceHashesHex(bytes)
    expect(pieces).toHaveLength(13)
    expect(pieces.join('')).toBe(Buffer.from(bytes).toString('hex'))
    expect(pieces[0]!.startsWith('000102')).toBe(true)
  })

  it('reads only its own view of a larger buffer', () => {
    const { bytes, hashes } = sha1Pieces(3)
    const padded = new Uint8Array(bytes.length + 10).fill(0xaa)
    padded.set(bytes, 5)
    expect(pieceHashesHex(padded.subarray(5, 5 + bytes.length))).toEqual(hashes)
  })

  it('gives none for no hashes and refuses a partial hash', () => {
    expect(pieceHashesHex(new Uint8Array(0))).toEqual([])
    expect(() => pieceHashesHex(new Uint8Array(21))).toThrow(/20-byte/)
  })
})

describe('hexOf', () => {
  it('is the lowercase hex of every byte value', () => {
    const bytes = new Uint8Array(256).map((_, i) => 255 - i)
    expect(hexOf(bytes)).toBe(Buffer.from(bytes).toString('hex'))
    expect(hexOf(new Uint8Array(0))).toBe('')
  })
})
