// Property-based tests (fast-check) of tracker answers (core/tracker-communication/tracker-response.ts): the bencoded
// answers of HTTP trackers (BEP 3, 23, 7) and the datagrams of UDP trackers (BEP 15), which any
// tracker a torrent names may send. Valid answers are generated with their expected reading.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { bdecode, bencode, type BEncodable, type BValue } from '../../src/core/torrent-parser/bencode'
import { bytesToIp, ipToBytes } from '../../src/core/ip-bytes'
import { canonicalHost, COMPACT_V4, COMPACT_V6, peerKey } from '../../src/core/peer-address'
import {
  MAX_TRACKER_PEERS, MAX_TRACKER_TEXT, MAX_TRACKER_VALUES, MAX_UDP_ANSWER_BYTES, parseHttpAnnounce, parseUdpAnswer, type AnnounceAnswer, type HttpAnswer, type UdpAnswer,
} from '../../src/core/tracker-communication/tracker-response'
import type { PeerAddress } from '../../src/protocol/bridge-frames'
import { dialableModel, ipv4, ipv6, ipv6Spelling, mapped, undialable, unmapped } from '../support/ip-literals'
import { MAX_MESSAGE_CHARS, runs, syntaxBytes } from '../support/property'

const YEAR_S = 365 * 86_400
const te = new TextEncoder()
/** Characters a person must not see in a one-line text: C0, DEL, C1 and the Unicode line and paragraph separators. */
const NOT_ONE_LINE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/

// ---- a model of the answers: every peer entry offered, and what it should become ----

/** One entry of a peer list as offered, and the peer it is (null: no usable peer). */
interface Offered { bytes: BEncodable; peer: PeerAddress | null }
/** A `peers` or `peers6` value and the entries it offers, in order. */
interface PeerField { value: BEncodable | undefined; entries: (PeerAddress | null)[] }

const usable = (ip: Uint8Array, port: number): PeerAddress | null =>
  port >= 1 && port <= 65535 && dialableModel(ip) ? { host: bytesToIp(unmapped(ip)), port } : null

/** BEP 3's reading of the entries: usable ones, each once, in order, at most MAX_TRACKER_PEERS; the rest dropped. */
function expectedPeers(entries: (PeerAddress | null)[]): { peers: PeerAddress[]; dropped: number } {
  const peers: PeerAddress[] = []
  const seen = new Set<string>()
  for (const p of entries) {
    if (!p || peers.length >= MAX_TRACKER_PEERS || seen.has(`${p.host}|${p.port}`)) continue
    seen.add(`${p.host}|${p.port}`)
    peers.push(p)
  }
  return { peers, dropped: entries.length - peers.length }
}

/** Text as a person should see it: controls and line breaks as spaces, about MAX_TRACKER_TEXT characters, trimmed. */
function textModel(text: string): string {
  let out = ''
  // a byte order mark in front is not text (a UTF-8 reader drops it)
  for (const ch of text.replace(/^\ufeff/, '').replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ')) {
    out += ch
    if (out.length >= MAX_TRACKER_TEXT) break
  }
  return out.trim()
}

const port = fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 1, max: 65535 }) }, { weight: 1, arbitrary: fc.constantFrom(0, 1, 65535) })
const compactEntry = (size: number): fc.Arbitrary<Offered> => fc.tuple(
  fc.oneof(
    { weight: 5, arbitrary: size === COMPACT_V4 ? ipv4 : ipv6 },
    { weight: 1, arbitrary: size === COMPACT_V4 ? ipv4 : ipv4.map(mapped) },
    { weight: 1, arbitrary: undialable.filter((ip) => ip.length === size - 2) },
  ),
  port,
).map(([ip, p]) => ({ bytes: Uint8Array.from([...ip, p >> 8, p & 0xff]), peer: usable(ip, p) }))

/** `peers` sent to the same peer twice (often spelled another way): a duplicate of an earlier entry. */
function withRepeats<T extends { peer: PeerAddress | null }>(entries: T[], repeats: number[], respell: (e: T) => T): T[] {
  const out = [...entries]
  for (const r of repeats) if (entries.length) out.splice(r % (out.length + 1), 0, respell(entries[r % entries.length]!))
  return out
}

/** Many distinct dialable peers, to reach MAX_TRACKER_PEERS: 1.x.y.1 or 2a00::x:y. */
const bulk = (size: number, n: number, from: number): Offered[] => Array.from({ length: n }, (_, k) => {
  const i = from + k
  const ip = size === COMPACT_V4 ? [1, (i >> 8) & 0xff, i & 0xff, 1] : [0x2a, 0, ...new Array(10).fill(0), (i >> 8) & 0xff, i & 0xff, 0, 1]
  return { bytes: Uint8Array.from([...ip, 0x1a, 0xe1]), peer: usable(Uint8Array.from(ip), 0x1ae1) }
})

/** A compact peer list (BEP 23, BEP 7): whole entries, repeats, sometimes hundreds, and a partial entry at the end. */
const compactField = (size: number): fc.Arbitrary<PeerField> => fc.record({
  entries: fc.array(compactEntry(size), { maxLength: 30 }),
  repeats: fc.array(fc.nat(), { maxLength: 6 }),
  many: fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: MAX_TRACKER_PEERS + 40 }) }),
  from: fc.integer({ min: 0, max: 1000 }),
  partial: fc.uint8Array({ maxLength: size - 1 }),
}).map(({ entries, repeats, many, from, partial }) => {
  const all = withRepeats([...entries, ...bulk(size, many, from)], repeats, (e) => e)
  return {
    value: Uint8Array.from([...all.flatMap((e) => [...(e.bytes as Uint8Array)]), ...partial]),
    entries: [...all.map((e) => e.peer), ...(partial.length ? [null] : [])],
  }
})

/** An address as a tracker may write it in a dictionary peer: dotted IPv4, any IPv6 spelling, in brackets or not. */
const spelledAddress = fc.oneof(
  { weight: 3, arbitrary: fc.oneof(ipv4, ipv6, ipv4.map(mapped)) },
  { weight: 1, arbitrary: undialable },
).chain((ip) => fc.tuple(fc.constant(ip), ip.length === 4 ? fc.constant(bytesToIp(ip)) : ipv6Spelling(ip), fc.boolean()))
  .map(([ip, text, bracketed]) => ({ ip, text: bracketed && ip.length === 16 ? `[${text}]` : text }))

/** A dictionary peer (BEP 3): `ip` and `port`, sometimes a `peer id`; or one no one can dial, of any shape. */
const dictEntry: fc.Arbitrary<Offered> = fc.oneof(
  { weight: 5, arbitrary: fc.tuple(spelledAddress, port, fc.option(fc.uint8Array({ minLength: 20, maxLength: 20 }), { nil: undefined }))
    .map(([{ ip, text }, p, id]) => ({ bytes: { ip: text, port: p, 'peer id': id }, peer: usable(ip, p) })) },
  { weight: 1, arbitrary: fc.tuple(spelledAddress, fc.oneof(fc.integer({ min: -70_000, max: 0 }), fc.integer({ min: 65536, max: 2 ** 40 }), fc.constant('6881'), fc.constant([6881])))
    .map(([{ text }, p]) => ({ bytes: { ip: text, port: p }, peer: null })) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom<BEncodable>('tracker.example', '1.2.3', '010.0.0.1', 'fe80::1%eth0', '1.2.3.4:80', ' 1.2.3.4', '', 16909060, ['1.2.3.4'], Uint8Array.from([1, 2, 3, 4])), port)
    .map(([ip, p]) => ({ bytes: { ip, port: p }, peer: null })) },
  { weight: 1, arbitrary: fc.constantFrom<BEncodable>(5, 'x', [], { port: 6881 }, { ip: '1.2.3.4' }).map((bytes) => ({ bytes, peer: null })) },
)
/** A dictionary peer list, with repeats of earlier peers spelled another way. */
const dictField: fc.Arbitrary<PeerField> = fc.tuple(fc.array(dictEntry, { maxLength: 25 }), fc.array(fc.nat(), { maxLength: 5 }), fc.boolean())
  .map(([entries, repeats, upper]) => {
    const respell = (e: Offered): Offered => {
      if (!(e.bytes instanceof Object) || !('ip' in e.bytes) || typeof e.bytes.ip !== 'string') return e
      return { ...e, bytes: { ...e.bytes, ip: upper ? e.bytes.ip.toUpperCase() : e.bytes.ip } }
    }
    const all = withRepeats(entries, repeats, respell)
    return { value: all.map((e) => e.bytes), entries: all.map((e) => e.peer) }
  })

/** `peers` or `peers6` in either form, missing, or of the wrong type (one entry, dropped). */
const peerField = (size: number): fc.Arbitrary<PeerField> => fc.oneof(
  { weight: 4, arbitrary: compactField(size) },
  { weight: 3, arbitrary: dictField },
  { weight: 1, arbitrary: fc.constant({ value: undefined, entries: [] }) },
  { weight: 1, arbitrary: fc.constantFrom<BEncodable>(5, {}, { ip: '1.2.3.4', port: 1 }).map((value) => ({ value, entries: [null] })) },
)

/** A number field: in range, out of range, or not a number. */
const numberField = (max: number) => fc.option(fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max }) },
  { weight: 1, arbitrary: fc.constantFrom(-1, Math.min(max + 1, Number.MAX_SAFE_INTEGER), Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER) },
  { weight: 1, arbitrary: fc.constantFrom<BEncodable>('1800', [1800]) },
), { nil: undefined })
/** A tracker's text: letters, controls, line breaks, accents, astral characters; sometimes long. */
const trackerTextArb = fc.string({ unit: fc.constantFrom(...'ab yz', '\u0000', '\n', '\r', '\t', '\u001b', '\u007f', '\u0085', '\u2028', '\u2029', '\ufeff', 'é', '€', '😀', '\u202e'), maxLength: 260 })
const textField = fc.option(fc.oneof({ weight: 4, arbitrary: trackerTextArb }, { weight: 1, arbitrary: fc.constantFrom<BEncodable>(7, [], {}) }), { nil: undefined })

interface GeneratedAnswer { dict: { [key: string]: BEncodable | undefined }; peers: PeerField; peers6: PeerField; suffix: string }
const answer: fc.Arbitrary<GeneratedAnswer> = fc.record({
  peers: peerField(COMPACT_V4),
  peers6: peerField(COMPACT_V6),
  interval: numberField(YEAR_S),
  minInterval: numberField(YEAR_S),
  complete: numberField(Number.MAX_SAFE_INTEGER),
  incomplete: numberField(Number.MAX_SAFE_INTEGER),
  warning: textField,
  failure: fc.oneof({ weight: 6, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: textField }),
  trackerId: fc.option(fc.oneof(fc.uint8Array({ maxLength: 80 }), fc.constant<BEncodable>(3)), { nil: undefined }),
  extra: fc.option(fc.constantFrom<BEncodable>(Uint8Array.from([1, 2, 3, 4]), [[1]], { a: [1] }), { nil: undefined }),
  suffix: fc.constantFrom('', '', '\n', '\r\n', '  \n'),
}).map((a) => ({
  dict: {
    peers: a.peers.value, peers6: a.peers6.value, interval: a.interval, 'min interval': a.minInterval, complete: a.complete, incomplete: a.incomplete,
    'warning message': a.warning, 'failure reason': a.failure, 'tracker id': a.trackerId, 'external ip': a.extra,
  },
  peers: a.peers,
  peers6: a.peers6,
  suffix: a.suffix,
}))
const encode = (a: GeneratedAnswer): Uint8Array => Uint8Array.from([...bencode(a.dict), ...te.encode(a.suffix)])

/** What parseHttpAnnounce should give for a generated answer. */
function expectedAnswer(a: GeneratedAnswer): HttpAnswer {
  const { dict } = a
  const text = (v: BEncodable | undefined): string => (typeof v === 'string' ? textModel(v) : '')
  if (dict['failure reason'] !== undefined) return { type: 'failure', reason: `it says: ${text(dict['failure reason']) || 'failed, with no reason given'}` }
  const seconds = (v: BEncodable | undefined) => (typeof v === 'number' && v >= 0 && v <= YEAR_S ? v : null)
  const count = (v: BEncodable | undefined) => (typeof v === 'number' && v >= 0 ? v : -1)
  const id = dict['tracker id']
  return {
    type: 'announce',
    interval: seconds(dict['interval']),
    minInterval: seconds(dict['min interval']),
    complete: count(dict['complete']),
    incomplete: count(dict['incomplete']),
    ...expectedPeers([...a.peers.entries, ...a.peers6.entries]),
    warning: dict['warning message'] === undefined ? null : text(dict['warning message']),
    trackerId: id instanceof Uint8Array && id.length >= 1 && id.length <= 64 ? id : null,
  }
}

// ---- invariants of any answer, whatever came in ----

function checkText(text: string): void {
  expect(text).not.toMatch(NOT_ONE_LINE)
  expect(text).toBe(text.trim())
}

function checkAnnounce(got: AnnounceAnswer, peerEntriesOffered: number | null): void {
  expect(got.peers.length).toBeLessThanOrEqual(MAX_TRACKER_PEERS)
  const keys = new Set<string>()
  for (const p of got.peers) {
    expect(canonicalHost(p.host)).toBe(p.host)
    expect(dialableModel(ipToBytes(p.host)!)).toBe(true)
    expect(Number.isInteger(p.port) && p.port >= 1 && p.port <= 65535).toBe(true)
    keys.add(peerKey(p))
  }
  expect(keys.size).toBe(got.peers.length)
  for (const s of [got.interval, got.minInterval]) if (s !== null) expect(Number.isInteger(s) && s >= 0 && s <= YEAR_S).toBe(true)
  for (const n of [got.complete, got.incomplete]) expect(n === -1 || (Number.isSafeInteger(n) && n >= 0)).toBe(true)
  expect(Number.isSafeInteger(got.dropped) && got.dropped >= 0).toBe(true)
  if (peerEntriesOffered !== null) expect(got.peers.length + got.dropped).toBe(peerEntriesOffered)
  if (got.warning !== null) {
    checkText(got.warning)
    expect(got.warning.length).toBeLessThanOrEqual(MAX_TRACKER_TEXT + 1) // one astral character may straddle the limit
  }
  if (got.trackerId !== null) expect(got.trackerId.length >= 1 && got.trackerId.length <= 64).toBe(true)
}

function checkAnswer(got: HttpAnswer | UdpAnswer, peerEntriesOffered: number | null): void {
  if (got.type === 'failure') {
    expect(got.reason.length).toBeGreaterThan(0)
    expect(got.reason.length).toBeLessThanOrEqual(MAX_MESSAGE_CHARS)
    checkText(got.reason)
  } else if (got.type === 'announce') {
    checkAnnounce(got, peerEntriesOffered)
  } else {
    expect(got.connectionId.length).toBe(8)
  }
}

/** Peer entries a decoded answer offers, counted independently: compact whole entries and a partial one, list items, one for any other type. */
function offeredEntries(body: Uint8Array): number | null {
  let end = body.length
  while (end > 0 && [0x0a, 0x0d, 0x20].includes(body[end - 1]!)) end--
  let value: BValue
  try {
    value = bdecode(body.subarray(0, end), { maxDepth: 4 })
  } catch {
    return null
  }
  if (!(value instanceof Map) || value.has('failure reason')) return null
  const count = (v: BValue | undefined, size: number): number =>
    v === undefined ? 0 : v instanceof Uint8Array ? Math.ceil(v.length / size) : Array.isArray(v) ? v.length : 1
  return count(value.get('peers'), COMPACT_V4) + count(value.get('peers6'), COMPACT_V6)
}

describe('parseHttpAnnounce properties', () => {
  it('a generated answer (compact and dictionary peers in both families, repeats, partial entries, any numbers and texts) reads as BEP 3, 23 and 7 say', () => {
    fc.assert(fc.property(answer, (a) => {
      const got = parseHttpAnnounce(encode(a))
      expect(got).toEqual(expectedAnswer(a))
      checkAnswer(got, offeredEntries(encode(a)))
    }), runs(400))
  })

  it('arbitrary bytes and mutations of valid answers: never an exception; a failure with a short one-line reason, or an announce whose invariants hold', () => {
    const edit = fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('set', 'insert', 'delete', 'cut'))
    const mutated = fc.tuple(answer, fc.array(edit, { minLength: 1, maxLength: 4 })).map(([a, edits]) => {
      const bytes = [...encode(a)]
      for (const [at, b, how] of edits) {
        const i = bytes.length ? at % bytes.length : 0
        if (how === 'set') bytes[i] = b
        else if (how === 'insert') bytes.splice(i, 0, b)
        else if (how === 'delete') bytes.splice(i, 1)
        else bytes.length = i
      }
      return Uint8Array.from(bytes)
    })
    const bodies = fc.oneof(mutated, syntaxBytes('0123456789:idle-', { maxLength: 120 }), fc.uint8Array({ maxLength: 120 }),
      fc.constantFrom('', '<html>', '\n', 'de', 'le', 'd8:intervali-1ee').map((t) => te.encode(t)))
    fc.assert(fc.property(bodies, (body) => {
      checkAnswer(parseHttpAnnounce(body), offeredEntries(body))
    }), runs(1000))
  })
})

describe('parseHttpAnnounce on hostile sizes (linear: each within the test timeout)', () => {
  const ascii = (s: string) => te.encode(s)
  it('a 1 MiB compact peer list, and one of IPv6 peers', () => {
    fc.assert(fc.property(fc.integer({ min: (1 << 20) - 20, max: 1 << 20 }), fc.nat(255), (n, seed) => {
      // xorshift32: distinct peers, nearly all dialable
      const list = new Uint8Array(n)
      let x = seed + 1
      for (let i = 0; i < n; i++) {
        x ^= x << 13; x ^= x >>> 17; x ^= x << 5
        list[i] = x & 0xff
      }
      for (const [key, size] of [['peers', COMPACT_V4], ['peers6', COMPACT_V6]] as const) {
        const got = parseHttpAnnounce(bencode({ [key]: list }))
        expect(got.type === 'announce' && got.peers.length).toBe(MAX_TRACKER_PEERS)
        checkAnswer(got, Math.ceil(n / size))
      }
    }), runs(3))
    // one peer over and over: every entry is read (a repeat takes no room), still once each
    const same = new Uint8Array(1 << 20).map((_, i) => [1, 2, 3, 4, 0x1a, 0xe1][i % 6]!)
    checkAnswer(parseHttpAnnounce(bencode({ peers: same })), Math.ceil(same.length / COMPACT_V4))
  }, 10_000)
  it('100,000 dictionary peers, the same one or all different: past MAX_TRACKER_VALUES the answer is refused, cheaply', () => {
    const same = 'd2:ip7:1.2.3.44:porti6881ee'.repeat(100_000)
    let different = ''
    for (let i = 0; i < 100_000; i++) {
      const ip = `2.${(i >> 16) & 0xff}.${(i >> 8) & 0xff}.${i & 0xff}`
      different += `d2:ip${ip.length}:${ip}4:porti6881ee`
    }
    for (const list of [same, different]) {
      const got = parseHttpAnnounce(ascii(`d5:peersl${list}ee`))
      expect(got).toEqual({ type: 'failure', reason: expect.stringMatching(/not bencode/) })
      checkAnswer(got, 100_000)
    }
    // as many dictionary peers as the value budget holds (each is 3: itself, ip, port; the answer
    // and its list 2 more) are read, the first MAX_TRACKER_PEERS kept
    let fitting = ''
    for (let i = 0; i < Math.floor((MAX_TRACKER_VALUES - 2) / 3); i++) fitting += `d2:ip7:3.3.${(i >> 8) & 0xff}.${i & 0xff}`.replace(/ip7:(\S+)$/, (_m, ip: string) => `ip${ip.length}:${ip}`) + '4:porti6881ee'
    const got = parseHttpAnnounce(ascii(`d5:peersl${fitting}ee`))
    expect(got.type === 'announce' && got.peers.length).toBe(MAX_TRACKER_PEERS)
  }, 10_000)
  it('100,000-deep nesting, a megabyte of digits, of text, of whitespace', () => {
    const deep = 100_000
    for (const body of [
      'l'.repeat(deep) + 'e'.repeat(deep), 'd5:peers' + 'l'.repeat(deep) + 'e'.repeat(deep) + 'e', 'd1:a'.repeat(deep) + 'i1e' + 'e'.repeat(deep),
      'd8:intervali' + '9'.repeat(1 << 20) + 'ee', `d14:failure reason${1 << 20}:${'\u0007x'.repeat(1 << 19)}e`,
      `d15:warning message${1 << 20}:${'\n'.repeat(1 << 20)}e`, 'de' + ' '.repeat(1 << 20), ' '.repeat(1 << 20),
    ]) checkAnswer(parseHttpAnnounce(ascii(body)), null)
  }, 10_000)
})

// ---- UDP (BEP 15) ----

const u32 = (n: number) => [n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]

interface GeneratedDatagram { bytes: Uint8Array; expected: UdpAnswer | null | undefined; entries: number | null }
const datagram = (transactionId: number, action: 'connect' | 'announce', peerSize: 6 | 18): fc.Arbitrary<GeneratedDatagram> => fc.record({
  sameTransaction: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  otherTransaction: fc.nat({ max: 0xffffffff }),
  answered: fc.oneof({ weight: 5, arbitrary: fc.constantFrom(0, 1, 3) }, { weight: 1, arbitrary: fc.constantFrom(2, 4, 0xffffffff) }),
  connectionId: fc.uint8Array({ minLength: 8, maxLength: 8 }),
  numbers: fc.tuple(fc.nat({ max: 0xffffffff }), fc.nat({ max: 0xffffffff }), fc.nat({ max: 0xffffffff })),
  smallInterval: fc.integer({ min: 0, max: 7200 }),
  peers: compactField(peerSize),
  message: trackerTextArb,
  cut: fc.option(fc.nat({ max: 40 }), { nil: undefined }),
}).map((d) => {
  const tid = d.sameTransaction ? transactionId : d.otherTransaction
  const [interval, leechers, seeders] = d.numbers
  const intervalField = interval % 2 ? d.smallInterval : interval
  const body = d.answered === 0 ? [...d.connectionId]
    : d.answered === 1 ? [...u32(intervalField), ...u32(leechers), ...u32(seeders), ...(d.peers.value as Uint8Array)]
      : d.answered === 3 ? [...te.encode(d.message)] : [...d.connectionId]
  const full = [...u32(d.answered), ...u32(tid), ...body]
  const bytes = Uint8Array.from(d.cut === undefined ? full : full.slice(0, d.cut))
  // undefined: an announce cut inside its peers, checked by the invariants only
  let expected: UdpAnswer | null | undefined = null
  if (bytes.length >= 8 && tid === transactionId) {
    if (d.answered === 3) expected = { type: 'failure', reason: `it says: ${textModel(new TextDecoder().decode(bytes.subarray(8))) || 'failed, with no reason given'}` }
    else if (action === 'connect' && d.answered === 0 && bytes.length >= 16) expected = { type: 'connect', connectionId: Uint8Array.from(d.connectionId) }
    else if (action === 'announce' && d.answered === 1 && bytes.length >= 20) {
      expected = bytes.length < full.length ? undefined : {
        type: 'announce', interval: intervalField <= YEAR_S ? intervalField : null, minInterval: null, incomplete: leechers, complete: seeders,
        ...expectedPeers(d.peers.entries), warning: null, trackerId: null,
      }
    }
  }
  return { bytes, expected, entries: action === 'announce' && bytes.length >= 20 ? Math.ceil((bytes.length - 20) / peerSize) : null }
})

describe('parseUdpAnswer properties', () => {
  const request = fc.tuple(fc.nat({ max: 0xffffffff }), fc.constantFrom('connect' as const, 'announce' as const), fc.constantFrom<typeof COMPACT_V4 | typeof COMPACT_V6>(COMPACT_V4, COMPACT_V6))

  it('a generated datagram (connect, announce with 6- or 18-byte peers, error, another transaction, cut short) reads as BEP 15 says', () => {
    fc.assert(fc.property(request.chain(([tid, action, size]) => fc.tuple(fc.constant([tid, action, size] as const), datagram(tid, action, size))),
      ([[tid, action, size], d]) => {
        const got = parseUdpAnswer(d.bytes, tid, action, size)
        if (d.expected !== undefined) expect(got).toEqual(d.expected)
        if (got) checkAnswer(got, d.entries)
      }), runs(400))
  })

  it('any datagram for any transaction: null or a well-formed answer, and an answer only for that transaction', () => {
    const bytes = fc.tuple(fc.uint8Array({ maxLength: 200 }), fc.boolean(), fc.nat({ max: 0xffffffff }), fc.constantFrom(0, 1, 3))
    fc.assert(fc.property(request, bytes, ([tid, action, size], [raw, patch, other, act]) => {
      const msg = raw.slice()
      if (patch && msg.length >= 8) msg.set([...u32(act), ...u32(other % 3 ? tid : other)], 0)
      const got = parseUdpAnswer(msg, tid, action, size)
      if (msg.length < 8 || new DataView(msg.buffer).getUint32(4) !== tid) expect(got).toBeNull()
      if (got) checkAnswer(got, got.type === 'announce' ? Math.ceil((msg.length - 20) / size) : null)
    }), runs(1000))
  })

  it('datagrams of the largest size and one byte over it', () => {
    for (const size of [COMPACT_V4, COMPACT_V6] as const) {
      const msg = new Uint8Array(MAX_UDP_ANSWER_BYTES + 1).map((_, i) => (i * 7 + 1) & 0xff)
      msg.set([...u32(1), ...u32(42)], 0)
      expect(parseUdpAnswer(msg, 42, 'announce', size)).toBeNull()
      const got = parseUdpAnswer(msg.subarray(0, MAX_UDP_ANSWER_BYTES), 42, 'announce', size)
      expect(got?.type).toBe('announce')
      checkAnswer(got!, Math.ceil((MAX_UDP_ANSWER_BYTES - 20) / size))
    }
  })
})

describe('regressions found by fast-check', () => {
  it('regression: a dictionary peer no one can dial (0.0.0.0, multicast, broadcast, ::, ff02::1) is dropped, as its compact form is (found by fast-check)', () => {
    // peers6 [{ ip: '0.0.0.0', port: 1 }] came out as the peer 0.0.0.0:1; in compact form it was dropped
    const hosts = ['0.0.0.0', '224.0.0.251', '255.255.255.255', '::', 'ff02::1', '::ffff:0.0.0.0']
    for (const key of ['peers', 'peers6']) {
      expect(parseHttpAnnounce(bencode({ [key]: [...hosts.map((ip) => ({ ip, port: 1 })), { ip: '1.2.3.4', port: 1 }] })))
        .toMatchObject({ type: 'announce', peers: [{ host: '1.2.3.4', port: 1 }], dropped: hosts.length })
    }
  })
  it('regression: repeated compact entries take no room from the distinct peers after them (found by fast-check)', () => {
    // 2 copies of one peer, then MAX_TRACKER_PEERS distinct ones: 498 were kept and 2 dropped as over the limit
    const entry = (i: number) => [1, (i >> 8) & 0xff, i & 0xff, 1, 0x1a, 0xe1]
    const list = Uint8Array.from([...entry(0), ...entry(0), ...Array.from({ length: MAX_TRACKER_PEERS }, (_, i) => entry(i)).flat()])
    expect(parseHttpAnnounce(bencode({ peers: list }))).toMatchObject({ peers: { length: MAX_TRACKER_PEERS }, dropped: 2 })
    expect(parseUdpAnswer(Uint8Array.from([...u32(1), ...u32(7), ...u32(60), ...u32(0), ...u32(0), ...list]), 7, 'announce', COMPACT_V4))
      .toMatchObject({ peers: { length: MAX_TRACKER_PEERS }, dropped: 2 })
  })
  it('regression: a line or paragraph separator in a tracker\'s text is a space, so the reason stays on one line (found by fast-check)', () => {
    // the error datagram 'a\u2029a' gave the reason 'it says: a\u2029a', shown on two lines
    const error = Uint8Array.from([...u32(3), ...u32(7), ...te.encode('a\u2029b\u2028c')])
    expect(parseUdpAnswer(error, 7, 'announce', COMPACT_V4)).toEqual({ type: 'failure', reason: 'it says: a b c' })
    expect(parseHttpAnnounce(bencode({ 'warning message': 'a\u2028b', peers: '' }))).toMatchObject({ warning: 'a b' })
  })
})
