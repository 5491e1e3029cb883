import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { bencode } from '../../src/core/torrent-parser/bencode'
import { parseTorrent, rawFilePaths } from '../../src/core/torrent-parser/metainfo'
import { blockParts, seedFiles } from '../../src/core/peer-connection/web-seed-ranges'
import { runs } from '../support/property'

const layout = (lengths: number[], pads: number[] = []) => {
  let offset = 0
  return lengths.map((length, i) => {
    const file = { offset, length, pad: pads.includes(i) }
    offset += length
    return file
  })
}

describe('web seed URLs (BEP 19)', () => {
  it('a single-file torrent: the URL itself, or the name appended to a folder URL', () => {
    const files = layout([10])
    expect(seedFiles('http://m.example/pub/film.mkv', [['film.mkv']], files)[0]!.url).toBe('http://m.example/pub/film.mkv')
    expect(seedFiles('http://m.example/pub/', [['my film #1.mkv']], files)[0]!.url).toBe('http://m.example/pub/my%20film%20%231.mkv')
  })

  it('a multi-file torrent: base/name/path, every name percent-encoded', () => {
    const paths = [['Album', 'cover.jpg'], ['Album', 'disc 1', 'a?b%c.flac'], ['Album', 'Ünï/x']]
    const urls = seedFiles('https://m.example/pub', paths, layout([1, 2, 3])).map((f) => f.url)
    expect(urls).toEqual([
      'https://m.example/pub/Album/cover.jpg',
      'https://m.example/pub/Album/disc%201/a%3Fb%25c.flac',
      'https://m.example/pub/Album/%C3%9Cn%C3%AF%2Fx',
    ])
    expect(seedFiles('https://m.example/pub/', paths, layout([1, 2, 3]))[0]!.url).toBe('https://m.example/pub/Album/cover.jpg')
  })

  it('takes the names as the torrent spells them, not as they are sanitised for the disk', async () => {
    const info = { name: 'CON', 'piece length': 16384, pieces: new Uint8Array(20), files: [{ length: 3, path: ['a:b', 'x.'] }] }
    const meta = await parseTorrent(bencode({ info }))
    expect(meta.files[0]!.path).not.toEqual(['a:b', 'x.']) // sanitised for OPFS
    expect(rawFilePaths(meta.infoBytes)).toEqual([['CON', 'a:b', 'x.']])
    const single = await parseTorrent(bencode({ info: { name: 'f?.bin', 'piece length': 16384, pieces: new Uint8Array(20), length: 5 } }))
    expect(rawFilePaths(single.infoBytes)).toEqual([['f?.bin']])
  })
})

describe('blockParts', () => {
  it('cuts a block across files, leaving padding and empty files out, no part over the cap', () => {
    const files = seedFiles('http://m/', [['t', 'a'], ['t', 'empty'], ['t', 'pad'], ['t', 'b']], layout([5, 0, 3, 20], [2]))
    expect(blockParts(files, 3, 14, 4)).toEqual([
      { url: 'http://m/t/a', start: 3, length: 2, at: 0 },
      { url: 'http://m/t/b', start: 0, length: 4, at: 5 },
      { url: 'http://m/t/b', start: 4, length: 4, at: 9 },
      { url: 'http://m/t/b', start: 8, length: 1, at: 13 },
    ])
  })

  it('covers every byte of any block that is not padding exactly once, in order', () => {
    const arb = fc.record({
      lengths: fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 12 }).filter((l) => l.some((n) => n > 0)),
      pads: fc.array(fc.nat(12), { maxLength: 3 }),
      cap: fc.integer({ min: 1, max: 50 }),
    }).chain((g) => {
      const total = g.lengths.reduce((a, b) => a + b, 0)
      return fc.integer({ min: 0, max: total - 1 }).chain((from) => fc.record({ g: fc.constant(g), from: fc.constant(from), n: fc.integer({ min: 1, max: total - from }) }))
    })
    fc.assert(fc.property(arb, ({ g, from, n }) => {
      const files = seedFiles('http://m/', g.lengths.map((_, i) => ['t', String(i)]), layout(g.lengths, g.pads))
      const parts = blockParts(files, from, n, g.cap)
      const covered = new Array<number>(n).fill(0)
      for (const p of parts) {
        expect(p.length).toBeGreaterThan(0)
        expect(p.length).toBeLessThanOrEqual(g.cap)
        const file = files.find((f) => f.url === p.url)!
        expect(file.pad).toBe(false)
        expect(p.start + p.length).toBeLessThanOrEqual(file.length)
        expect(file.offset + p.start - from).toBe(p.at)
        for (let k = 0; k < p.length; k++) covered[p.at + k]!++
      }
      for (let k = 0; k < n; k++) {
        const byte = from + k
        const inPad = files.some((f) => f.pad && byte >= f.offset && byte < f.offset + f.length)
        expect(covered[k], `byte ${byte}`).toBe(inPad ? 0 : 1)
      }
      expect(parts.map((p) => p.at)).toEqual([...parts.map((p) => p.at)].sort((a, b) => a - b))
    }), runs(300))
  })
})
