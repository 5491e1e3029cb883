// Property-based tests (fast-check) of what a person pastes or a link names: magnet links, the
// "add" box, a magnet's own peers (x.pe) and the IP literals under them (also the bridge codec's).
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseAddInput } from '../../src/core/torrent-parser/add-input'
import { bytesToIp, ipToBytes } from '../../src/core/ip-bytes'
import { MAX_MAGNET_LENGTH, MAX_MAGNET_PEERS, MAX_MAGNET_TRACKERS, magnetUri, parseInfoHash, parseMagnet, type MagnetLink } from '../../src/core/torrent-parser/magnet'
import { magnetPeerAddress, magnetPeers } from '../../src/core/peer-discovery/magnet-peers'
import { trackerUrlProblem } from '../../src/core/torrent-parser/urls'
import { ipv4, ipv6, ipv6Spelling } from '../support/ip-literals'
import { parsesOrRefuses, runs } from '../support/property'

const LONE_SURROGATE = /[\ud800-\udfff]/u
const hex40 = fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => Buffer.from(b).toString('hex'))
const hex64 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('hex'))
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
/** 20 bytes as 32 base32 characters (RFC 4648, no padding), in the case asked for. */
function base32(hex: string, lower: boolean): string {
  let bits = ''
  for (const c of hex) bits += parseInt(c, 16).toString(2).padStart(4, '0')
  let out = ''
  for (let i = 0; i < 160; i += 5) out += BASE32[parseInt(bits.slice(i, i + 5), 2)]
  return lower ? out.toLowerCase() : out
}

// ---- IP literals: every spelling of one address reads as its bytes, and prints one way ----

describe('IP literal properties', () => {
  it('bytes -> text -> bytes is the identity, and the text is a fixpoint', () => {
    fc.assert(fc.property(fc.oneof(ipv4, ipv6), (bytes) => {
      const text = bytesToIp(bytes)
      expect(ipToBytes(text)).toEqual(bytes)
      expect(bytesToIp(ipToBytes(text)!)).toBe(text)
      expect(ipToBytes(`[${text}]`)).toEqual(bytes) // brackets are taken off, an IPv4 literal's too
    }), runs(500))
  })

  it('every spelling of an IPv6 address reads as its bytes and prints canonically', () => {
    fc.assert(fc.property(ipv6.chain((b) => fc.tuple(fc.constant(b), ipv6Spelling(b))), ([bytes, text]) => {
      expect(ipToBytes(text), text).toEqual(bytes)
      expect(bytesToIp(ipToBytes(text)!)).toBe(bytesToIp(bytes))
    }), runs(500))
  })

  it('arbitrary text is an address or null, never an exception', () => {
    const text = fc.oneof(fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF:.[]%x '), maxLength: 50 }), fc.string({ unit: 'binary', maxLength: 20 }))
    fc.assert(fc.property(text, (t) => {
      const bytes = ipToBytes(t)
      if (bytes) {
        expect([4, 16]).toContain(bytes.length)
        expect(ipToBytes(bytesToIp(bytes))).toEqual(bytes)
      }
    }), runs(500))
  })
})

// ---- magnets ----

const trackerUrl = fc.oneof(
  fc.webUrl({ validSchemes: ['http', 'https', 'udp', 'ws', 'wss'], withQueryParameters: true, withFragments: true }),
  fc.constantFrom('udp://t.example:1337/announce', 'wss://tracker.webtorrent.dev', 'http://[::1]:8000/announce?a=1&b=2'),
).filter((u) => trackerUrlProblem(u) === null && u === u.trim())
const webSeed = fc.webUrl({ withQueryParameters: true }).filter((u) => trackerUrlProblem(u) === null)
const peerText = fc.oneof(
  fc.tuple(ipv4, fc.integer({ min: 1, max: 65535 })).map(([b, port]) => `${bytesToIp(b)}:${port}`),
  fc.tuple(ipv6, fc.integer({ min: 1, max: 65535 })).map(([b, port]) => `[${bytesToIp(b)}]:${port}`),
  fc.tuple(fc.domain(), fc.integer({ min: 1, max: 65535 })).map(([host, port]) => `${host}:${port}`),
)
const name = fc.string({ unit: 'binary', minLength: 1, maxLength: 30 }).map((s) => s.trim()).filter((s) => s !== '')

/** A link magnetUri can write: v1, hybrid or v2-only; distinct usable URLs, distinct peers, a name with no blank ends. */
const magnetLink: fc.Arbitrary<MagnetLink> = fc.record({
  infoHash: hex40,
  v2: fc.constantFrom('none', 'hybrid', 'v2-only'),
  infoHashV2: hex64,
  name: fc.option(name, { nil: undefined }),
  trackers: fc.uniqueArray(trackerUrl, { maxLength: 4 }),
  webSeeds: fc.uniqueArray(webSeed, { maxLength: 2 }),
  peers: fc.uniqueArray(peerText, { maxLength: 4 }),
}).map((l) => {
  const link: MagnetLink = { infoHash: l.v2 === 'v2-only' ? l.infoHashV2.slice(0, 40) : l.infoHash, trackers: l.trackers, webSeeds: l.webSeeds, peers: l.peers }
  if (l.v2 !== 'none') link.infoHashV2 = l.infoHashV2
  if (l.name !== undefined) link.name = l.name
  return link
})

const KEYS = ['xt', 'XT', 'xt.1', 'xt.2', 'dn', 'DN', 'tr', 'tr.1', 'ws', 'x.pe', 'X.PE', 'as', 'xs', 'kt', '', 'xt.', 'xt.x']
/** Values of every kind a key may get: hashes good and bad, v2 hashes, URLs, peers, percent-encoding broken or not. */
const value = fc.oneof(
  hex40.map((h) => `urn:btih:${h}`),
  hex40.map((h) => `URN:BTIH:${h.toUpperCase()}`),
  fc.tuple(hex40, fc.boolean()).map(([h, lower]) => `urn:btih:${base32(h, lower)}`),
  fc.string({ unit: fc.constantFrom(...'0123456789abcdefxyz'), maxLength: 45 }).map((h) => `urn:btih:${h}`),
  fc.constant(`urn:btmh:1220${'0'.repeat(64)}`),
  hex64.map((h) => `urn:btmh:1220${h}`),
  hex64.map((h) => `URN:BTMH:1220${h.toUpperCase()}`),
  fc.tuple(fc.constantFrom('1220', '1114', '12', ''), fc.string({ unit: fc.constantFrom(...'0123456789abcdefx'), maxLength: 70 })).map(([p, h]) => `urn:btmh:${p}${h}`),
  trackerUrl.map(encodeURIComponent),
  trackerUrl,
  peerText,
  fc.string({ unit: fc.constantFrom('%', 'E', '0', 'A', 'z', '+', '&', '=', '#', ' ', '[', ']', ':', '.'), maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
)
const query = fc.array(fc.tuple(fc.constantFrom(...KEYS), value), { maxLength: 10 })
const magnetText = fc.tuple(fc.constantFrom('magnet:?', 'MAGNET:?', ' magnet:?', 'magnet:', 'magnet:?&', 'magnet://?'), query)
  .map(([head, pairs]) => head + pairs.map(([k, v]) => `${k}=${v}`).join('&'))

/** What every parsed link satisfies, whatever it was made from. */
function expectMagnetInvariants(link: MagnetLink): void {
  expect(link.infoHash).toMatch(/^[0-9a-f]{40}$/)
  if (link.infoHashV2 !== undefined) expect(link.infoHashV2).toMatch(/^[0-9a-f]{64}$/)
  expect(link.trackers.length).toBeLessThanOrEqual(MAX_MAGNET_TRACKERS)
  expect(new Set(link.trackers).size).toBe(link.trackers.length)
  for (const t of link.trackers) expect(trackerUrlProblem(t)).toBeNull()
  expect(new Set(link.webSeeds).size).toBe(link.webSeeds.length)
  for (const w of link.webSeeds) expect(new URL(w).protocol).toMatch(/^https?:$/)
  expect(link.peers.length).toBeLessThanOrEqual(MAX_MAGNET_PEERS)
  expect(new Set(link.peers).size).toBe(link.peers.length)
  for (const p of link.peers) {
    const port = Number(/:(\d{1,5})$/.exec(p)?.[1])
    expect(port).toBeGreaterThanOrEqual(1)
    expect(port).toBeLessThanOrEqual(65535)
  }
  if (link.name !== undefined) {
    expect(link.name).not.toBe('')
    expect(link.name).toBe(link.name.trim())
    expect(link.name).not.toMatch(LONE_SURROGATE)
  }
  // what was read can be written and read again, as itself
  expect(parseMagnet(magnetUri(link))).toEqual(link)
}

/** The first xt=urn:btih that holds a valid hash, else the first valid xt=urn:btmh cut to 20 bytes, as the parser should find it. */
function modelInfoHash(pairs: [string, string][]): string | null {
  let v2: string | null = null
  for (const [k, v] of pairs) {
    if (!/^xt(\.\d+)?$/i.test(k)) continue
    const text = decodeURIComponent(v.replace(/\+/g, ' ')).trim()
    const m = /^urn:btih:(.*)$/i.exec(text)
    const hash = m ? parseInfoHash(m[1]!) : null
    if (hash) return hash
    const m2 = /^urn:btmh:1220([0-9a-f]{64})$/i.exec(text)
    if (m2 && v2 === null) v2 = m2[1]!.toLowerCase().slice(0, 40)
  }
  return v2
}

describe('magnet properties', () => {
  it('arbitrary text parses into a link that keeps every invariant, or gives BAD_MAGNET', () => {
    fc.assert(fc.property(fc.oneof(magnetText, fc.string({ unit: 'binary', maxLength: 40 })), (text) => {
      const link = parsesOrRefuses(() => parseMagnet(text), ['BAD_MAGNET'])
      if (link) expectMagnetInvariants(link)
    }), runs(500))
  })

  it('the info-hash is the first valid btih, in hex or base32, else the first valid btmh cut to 20 bytes, whatever comes around it', () => {
    // values without '%' so that the model can decode them the way URLSearchParams does
    fc.assert(fc.property(query.map((q) => q.filter(([, v]) => !v.includes('%') && !v.includes('&') && !v.includes('#'))), (pairs) => {
      const text = 'magnet:?' + pairs.map(([k, v]) => `${k}=${v}`).join('&')
      const want = modelInfoHash(pairs)
      const link = parsesOrRefuses(() => parseMagnet(text), ['BAD_MAGNET'])
      expect(link?.infoHash ?? null).toBe(want)
    }), runs(300))
  })

  it('parseMagnet(magnetUri(link)) is link', () => {
    fc.assert(fc.property(magnetLink, (link) => {
      expect(parseMagnet(magnetUri(link))).toEqual(link)
    }), runs(300))
  })

  it(`links over ${MAX_MAGNET_LENGTH / 1024} KiB are refused before they are read`, () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 3 * MAX_MAGNET_LENGTH }), fc.constantFrom('x', 'é', '&tr=udp://a:1'), (n, unit) => {
      const text = `magnet:?xt=urn:btih:${'a'.repeat(40)}&dn=` + unit.repeat(Math.ceil(n / unit.length))
      const link = parsesOrRefuses(() => parseMagnet(text), ['BAD_MAGNET'])
      expect(link !== undefined).toBe(text.trim().length <= MAX_MAGNET_LENGTH)
    }), runs(50))
  })
})

describe('x.pe peers', () => {
  it('any spelling of an IP literal and port gives the canonical address, a host name or a bad port none', () => {
    const spelled = fc.oneof(
      fc.tuple(ipv4, fc.integer({ min: 0, max: 70_000 })).map(([b, port]) => ({ bytes: b as Uint8Array | null, text: `${bytesToIp(b)}:${port}`, port })),
      ipv6.chain((b) => fc.tuple(ipv6Spelling(b), fc.integer({ min: 0, max: 70_000 }))
        .map(([t, port]) => ({ bytes: b as Uint8Array | null, text: `[${t}]:${port}`, port }))),
      fc.tuple(fc.domain(), fc.integer({ min: 1, max: 65535 })).map(([host, port]) => ({ bytes: null, text: `${host}:${port}`, port })),
    )
    fc.assert(fc.property(spelled, ({ bytes, text, port }) => {
      const got = magnetPeerAddress(text)
      if (!bytes || port < 1 || port > 65535) expect(got).toBeNull()
      // an IPv4-mapped IPv6 address (printed '::ffff:a.b.c.d') is its IPv4 peer (core/peer-address.ts)
      else expect(got).toEqual({ host: bytesToIp(bytes).replace(/^::ffff:(?=\d+\.)/, ''), port })
    }), runs(500))
  })

  it('magnetPeers of any magnet text gives only canonical, dialable addresses, and never throws', () => {
    fc.assert(fc.property(fc.oneof(magnetText, fc.string({ maxLength: 30 })), (text) => {
      for (const peer of magnetPeers(text)) {
        const bytes = ipToBytes(peer.host)
        expect(bytes).not.toBeNull()
        expect(bytesToIp(bytes!)).toBe(peer.host)
        expect(Number.isInteger(peer.port) && peer.port >= 1 && peer.port <= 65535).toBe(true)
      }
    }), runs(300))
  })
})

describe('the add box', () => {
  it('any text is a magnet, a torrent URL, or BAD_INPUT / BAD_MAGNET, as its shape says', () => {
    const text = fc.oneof(
      magnetText,
      hex40.map((h) => ` ${h.toUpperCase()} `),
      fc.tuple(hex40, fc.boolean()).map(([h, lower]) => base32(h, lower)),
      fc.webUrl({ validSchemes: ['http', 'https', 'ftp', 'file'], withQueryParameters: true }),
      fc.constantFrom('http://', 'https:///x', 'HTTP://Example.com/x y.torrent', 'javascript:alert(1)', 'magnet'),
      fc.string({ unit: 'binary', maxLength: 50 }),
    )
    fc.assert(fc.property(text, (t) => {
      const got = parsesOrRefuses(() => parseAddInput(t), ['BAD_INPUT', 'BAD_MAGNET'])
      const trimmed = t.trim()
      if (!got) return
      if (got.kind === 'magnet') {
        expect(got.magnet.infoHash).toMatch(/^[0-9a-f]{40}$/)
        if (!/^magnet:/i.test(trimmed)) expect(got.magnet.infoHash).toBe(parseInfoHash(trimmed))
      } else {
        const url = new URL(got.url)
        expect(['http:', 'https:']).toContain(url.protocol)
        expect(url.hostname).not.toBe('')
        expect(got.url).toBe(url.href)
      }
    }), runs(500))
  })
})
