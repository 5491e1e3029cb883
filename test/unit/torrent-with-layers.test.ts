// Piece layers fetched from peers kept in the torrent's .torrent (core/torrent-parser/torrent-with-layers.ts): the
// info dictionary byte for byte, the layers our parser then reads and checks.
import { describe, expect, it } from 'vitest'
import { bdecodeWithInfoSpan } from '../../src/core/torrent-parser/bencode'
import { parseTorrent } from '../../src/core/torrent-parser/metainfo'
import { withPieceLayers } from '../../src/core/torrent-parser/torrent-with-layers'
import { v2Torrent, v2TorrentFile } from '../support/v2-torrents'

const PL = 32 * 1024
const fromHex = (text: string) => new Uint8Array(Buffer.from(text, 'hex'))

async function made() {
  const t = await v2Torrent('layers', [{ path: ['a.bin'], length: 5 * PL + 3 }, { path: ['b.bin'], length: 100 }, { path: ['c.bin'], length: 3 * PL }], PL)
  return { t, layers: [...t.pieceLayers].map(([root, layer]) => [fromHex(root), layer] as const) }
}

describe('a v2 .torrent with the piece layers it lacked', () => {
  it('adds them beside the info dictionary, which is kept byte for byte: the parser reads and checks them', async () => {
    const { t, layers } = await made()
    expect(layers).toHaveLength(2)
    const bare = v2TorrentFile(t, null)
    const before = await parseTorrent(bare)
    expect(before.files.some((f) => f.pieceLayer)).toBe(false)
    const whole = withPieceLayers(bare, layers)
    const after = await parseTorrent(whole)
    expect(after.infoHashV2).toBe(before.infoHashV2)
    expect(after.infoBytes).toEqual(before.infoBytes)
    expect(after.announce).toEqual(before.announce)
    for (const [root, layer] of layers) expect(after.files.find((f) => f.piecesRoot && Buffer.from(f.piecesRoot).equals(root))?.pieceLayer).toEqual(layer)
    // what a .torrent made with them all looks like, to the byte
    expect(whole).toEqual(v2TorrentFile(t))
  })

  it('keeps the layers it had when one more comes', async () => {
    const { t, layers } = await made()
    const one = withPieceLayers(v2TorrentFile(t, null), [layers[0]!])
    expect((await parseTorrent(one)).files.filter((f) => f.pieceLayer)).toHaveLength(1)
    const both = withPieceLayers(one, [layers[1]!])
    expect((await parseTorrent(both)).files.filter((f) => f.pieceLayer)).toHaveLength(2)
    expect(bdecodeWithInfoSpan(both).pieceLayersSpan).toBeDefined()
  })

  it('wraps metadata from peers (`d4:info…e`) as well as a whole .torrent', async () => {
    const { t, layers } = await made()
    const bare = v2TorrentFile(t, null)
    const { infoSpan } = bdecodeWithInfoSpan(bare)
    const info = bare.subarray(infoSpan![0], infoSpan![1])
    const wrapped = new Uint8Array([...Buffer.from('d4:info'), ...info, 0x65])
    const meta = await parseTorrent(withPieceLayers(wrapped, layers))
    expect(meta.files.filter((f) => f.pieceLayer)).toHaveLength(2)
  })

  it('throws on bytes that are not a .torrent', () => {
    expect(() => withPieceLayers(new TextEncoder().encode('d3:fooi1ee'), [])).toThrow(/info dictionary/)
    expect(() => withPieceLayers(new TextEncoder().encode('i1e'), [])).toThrow()
  })
})
