import { describe, it, expect } from 'vitest'
import { isV2OnlyMagnet, magnetUri, parseInfoHash, parseMagnet, MAX_MAGNET_TRACKERS } from '../../src/core/torrent-parser/magnet'
import { AppError } from '../../src/protocol/errors'

const HEX = 'c12fe1c06bba254a9dc9f519b335aa7c1367a88a'
const B32 = 'YEX6DQDLXISUVHOJ6UM3GNNKPQJWPKEK' // the same 20 bytes in RFC 4648 base32

function magnetError(uri: string): AppError {
  try {
    parseMagnet(uri)
  } catch (err) {
    expect(err).toBeInstanceOf(AppError)
    expect((err as AppError).code).toBe('BAD_MAGNET')
    return err as AppError
  }
  throw new Error(`expected ${uri} to fail`)
}

describe('parseInfoHash', () => {
  it('accepts hex in any case', () => {
    expect(parseInfoHash(HEX)).toBe(HEX)
    expect(parseInfoHash(HEX.toUpperCase())).toBe(HEX)
    expect(parseInfoHash(`  ${HEX}\n`)).toBe(HEX)
  })

  it('accepts base32 in any case', () => {
    expect(parseInfoHash(B32)).toBe(HEX)
    expect(parseInfoHash(B32.toLowerCase())).toBe(HEX)
    expect(parseInfoHash('A'.repeat(32))).toBe('0'.repeat(40))
    expect(parseInfoHash('7'.repeat(32))).toBe('f'.repeat(40))
  })

  it('rejects everything else', () => {
    for (const bad of ['', HEX.slice(1), HEX + '0', 'g'.repeat(40), B32.slice(1), B32.replace('Y', '1'), 'z'.repeat(33)]) {
      expect(parseInfoHash(bad)).toBeNull()
    }
  })
})

describe('parseMagnet', () => {
  it('parses a full magnet link', () => {
    const link = parseMagnet(
      `magnet:?xt=urn:btih:${HEX}&dn=Big+Buck%20Bunny&tr=udp%3A%2F%2Ftracker.example%3A1337%2Fannounce` +
        '&tr=wss%3A%2F%2Ftracker.webtorrent.dev&tr=https://t.example/announce' +
        '&ws=https%3A%2F%2Fseed.example%2Ffile&x.pe=1.2.3.4:6881&x.pe=[::1]:51413',
    )
    expect(link).toEqual({
      infoHash: HEX,
      name: 'Big Buck Bunny',
      trackers: ['udp://tracker.example:1337/announce', 'wss://tracker.webtorrent.dev', 'https://t.example/announce'],
      webSeeds: ['https://seed.example/file'],
      peers: ['1.2.3.4:6881', '[::1]:51413'],
    })
  })

  it('accepts base32 and uppercase hashes and keys', () => {
    expect(parseMagnet(`magnet:?xt=urn:btih:${B32}`).infoHash).toBe(HEX)
    expect(parseMagnet(`MAGNET:?XT=URN:BTIH:${HEX.toUpperCase()}`).infoHash).toBe(HEX)
    expect(parseMagnet(`  magnet:?xt=urn:btih:${HEX}  `).infoHash).toBe(HEX)
  })

  it('keeps only usable, distinct tracker and web-seed URLs', () => {
    const link = parseMagnet(
      `magnet:?xt=urn:btih:${HEX}&tr=http://a.example/ann&tr=http://a.example/ann&tr=ftp://b.example` +
        '&tr=javascript:alert(1)&tr=not a url&tr=ws://c.example&tr.1=udp://d.example:80&ws=udp://x.example',
    )
    expect(link.trackers).toEqual(['http://a.example/ann', 'ws://c.example', 'udp://d.example:80'])
    expect(link.webSeeds).toEqual([])
    expect(link.name).toBeUndefined()
  })

  it('caps the number of trackers', () => {
    const trs = Array.from({ length: 500 }, (_, i) => `&tr=udp://t${i}.example:80`).join('')
    expect(parseMagnet(`magnet:?xt=urn:btih:${HEX}${trs}`).trackers).toHaveLength(MAX_MAGNET_TRACKERS)
  })

  it('ignores malformed peers', () => {
    const link = parseMagnet(`magnet:?xt=urn:btih:${HEX}&x.pe=host:0&x.pe=host:70000&x.pe=nohost&x.pe=ok.example:1`)
    expect(link.peers).toEqual(['ok.example:1'])
  })

  it('uses the first btih and ignores other xt kinds', () => {
    const other = 'a'.repeat(40)
    expect(parseMagnet(`magnet:?xt=urn:sha1:xyz&xt=urn:btih:${HEX}&xt=urn:btih:${other}`).infoHash).toBe(HEX)
    expect(parseMagnet(`magnet:?xt.1=urn:btih:${HEX}&xt.2=urn:btmh:1220${'0'.repeat(64)}`).infoHash).toBe(HEX)
  })

  it('explains what is wrong with bad links', () => {
    expect(magnetError('http://example.com').message).toMatch(/should start with "magnet:\?"/)
    expect(magnetError('magnet:?dn=foo').message).toMatch(/no info hash/)
    expect(magnetError('magnet:?xt=urn:btih:abc').message).toMatch(/40 hexadecimal or 32 base32 characters, but it has 3/)
    expect(magnetError(`magnet:?xt=urn:btih:${HEX}0`).message).toMatch(/it has 41/)
    expect(magnetError(`magnet:?xt=urn:btmh:1220${'0'.repeat(63)}`).message).toMatch(/v2 info hash in this magnet link is not valid.*1220 and 64 hexadecimal/)
    expect(magnetError(`magnet:?xt=urn:btmh:1114${'0'.repeat(64)}`).message).toMatch(/does not start with 1220/)
    expect(magnetError(`magnet:?xt=urn:btih:${HEX}&dn=${'x'.repeat(70_000)}`).message).toMatch(/over 64 KiB/)
    expect(magnetError('magnet:').message).toMatch(/magnet:\?/)
  })

  it('reads BEP 52 v2 info-hashes (urn:btmh, a SHA-256 multihash), alone or beside a btih', () => {
    const V2 = 'ab'.repeat(32)
    const alone = parseMagnet(`magnet:?xt=urn:btmh:1220${V2.toUpperCase()}&dn=x`)
    expect(alone).toMatchObject({ infoHash: V2.slice(0, 40), infoHashV2: V2, name: 'x' })
    expect(isV2OnlyMagnet(alone)).toBe(true)
    const hybrid = parseMagnet(`magnet:?xt=urn:btmh:1220${V2}&xt=urn:btih:${HEX}`)
    expect(hybrid).toMatchObject({ infoHash: HEX, infoHashV2: V2 })
    expect(isV2OnlyMagnet(hybrid)).toBe(false)
    // a bad btmh beside a good btih is dropped; the first good btmh wins
    expect(parseMagnet(`magnet:?xt=urn:btih:${HEX}&xt=urn:btmh:12${V2}`).infoHashV2).toBeUndefined()
    expect(parseMagnet(`magnet:?xt=urn:btmh:1220${'cd'.repeat(32)}&xt=urn:btmh:1220${V2}`).infoHashV2).toBe('cd'.repeat(32))
  })

  it('survives broken percent-encoding', () => {
    expect(parseMagnet(`magnet:?xt=urn:btih:${HEX}&dn=%E0%A4%A&tr=%ZZ`).infoHash).toBe(HEX)
  })
})

describe('magnetUri', () => {
  it('round-trips through parseMagnet', () => {
    const link = {
      infoHash: HEX,
      name: 'Ünïcødé & 日本 + more',
      trackers: ['udp://t.example:80/announce?x=1&y=2', 'wss://w.example'],
      webSeeds: ['https://s.example/a b'],
      peers: ['[::1]:6881'],
    }
    const uri = magnetUri(link)
    expect(uri.startsWith(`magnet:?xt=urn:btih:${HEX}&dn=`)).toBe(true)
    expect(parseMagnet(uri)).toEqual(link)
  })

  it('writes btmh for v2 links and no btih for a v2-only one', () => {
    const V2 = 'ef'.repeat(32)
    expect(magnetUri({ infoHash: V2.slice(0, 40), infoHashV2: V2, trackers: [], webSeeds: [], peers: [] })).toBe(`magnet:?xt=urn:btmh:1220${V2}`)
    expect(magnetUri({ infoHash: HEX, infoHashV2: V2, trackers: [], webSeeds: [], peers: [] })).toBe(`magnet:?xt=urn:btih:${HEX}&xt=urn:btmh:1220${V2}`)
  })

  it('omits empty parts', () => {
    expect(magnetUri({ infoHash: HEX, trackers: [], webSeeds: [], peers: [] })).toBe(`magnet:?xt=urn:btih:${HEX}`)
  })
})
