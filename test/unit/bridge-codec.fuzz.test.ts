// Property-based tests (fast-check) of the bridge frame codec, both directions. bridge-codec.test.ts
// already throws random bytes at the decoders; here every frame type is generated, and the codec is
// held to a stronger rule: a frame that decodes is the only reading of its bytes (encoding it gives
// those bytes back), so a mutated or lying frame is either refused or means exactly what it says.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeBridgeFrame, decodePageFrame, encodeDataFrameInto, encodeFrame, type DecodeResult } from '../../src/core/api-gateway/bridge-codec'
import { bytesToIp } from '../../src/core/ip-bytes'
import {
  BRIDGE_PROTOCOL_VERSION, CloseCode, FrameType, MAX_DATA_PAYLOAD, MAX_FRAME_BYTES, MAX_PEERS_PER_FRAME, MAX_REASON_BYTES,
  MAX_HOST_BYTES, MAX_STREAM_CREDIT, MAX_TRACKERS_PER_ANNOUNCE, MAX_URL_BYTES, MAX_WEB_SEED_FETCH_BYTES, MAX_WEB_SEED_URL_BYTES, WebSeedOutcome,
  type AnnounceEvent, type AnnounceFrame, type BridgeFrame, type BridgePeerSource, type BridgeToPageFrame, type PageToBridgeFrame, type PeerAddress,
  type PortMappingProtocol, type PortMappingState, type RouteState, type TrackerState,
} from '../../src/protocol/bridge-frames'
import { runs } from '../support/property'

const V = BRIDGE_PROTOCOL_VERSION
const enc = new TextEncoder()
const utf8Length = (s: string): number => enc.encode(s).length

const hex40 = fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => Buffer.from(b).toString('hex'))
const stream = fc.oneof(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 0xffffffff }))
const port = fc.integer({ min: 1, max: 65535 })
const peer: fc.Arbitrary<PeerAddress> = fc.record({
  host: fc.oneof(fc.uint8Array({ minLength: 4, maxLength: 4 }), fc.uint8Array({ minLength: 16, maxLength: 16 })).map(bytesToIp),
  port,
})
/** Any code point, often one that UTF-8 codecs treat specially (a byte order mark, NUL, beyond U+FFFF). */
const char = fc.oneof({ weight: 3, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  { weight: 1, arbitrary: fc.constantFrom('\ufeff', '\u0000', 'é', '𝄞', '\ufffd') })
/** Text within `max` UTF-8 bytes (the codec's limit). */
const text = (max: number) => fc.string({ unit: char, maxLength: Math.min(max, 60) }).filter((s) => utf8Length(s) <= max)
const code = fc.integer({ min: 0, max: CloseCode.ShuttingDown }) as fc.Arbitrary<CloseCode>
const count = fc.oneof(fc.constant(-1), fc.integer({ min: 0, max: 0xfffffffe }))
const amount = fc.oneof(fc.integer({ min: 0, max: 2 ** 40 }), fc.double({ min: 0, max: Number.MAX_SAFE_INTEGER, noNaN: true }))
const smallData = fc.uint8Array({ minLength: 1, maxLength: 64 })
const data = fc.oneof({ weight: 9, arbitrary: smallData },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: MAX_DATA_PAYLOAD }).map((n) => new Uint8Array(n).fill(n & 0xff)) })

/** Frames of every type, with DATA payloads up to MAX_DATA_PAYLOAD and peer lists up to MAX_PEERS_PER_FRAME unless `small`. */
function frames(small: boolean): { page: fc.Arbitrary<PageToBridgeFrame>; bridge: fc.Arbitrary<BridgeToPageFrame> } {
  const both = [
    fc.record({ type: fc.constant(FrameType.Data as const), stream, data: small ? smallData : data }),
    fc.record({ type: fc.constant(FrameType.Credit as const), stream, bytes: fc.integer({ min: 1, max: MAX_STREAM_CREDIT }) }),
    fc.record({ type: fc.constant(FrameType.Close as const), stream, code, reason: text(MAX_REASON_BYTES) }),
  ]
  const page: fc.Arbitrary<PageToBridgeFrame> = fc.oneof(
    fc.record({ type: fc.constant(FrameType.Register as const), infoHash: hex40, peerId: hex40 }),
    fc.record({ type: fc.constant(FrameType.Unregister as const), infoHash: hex40 }),
    fc.record({
      type: fc.constant(FrameType.Announce as const), infoHash: hex40, event: fc.constantFrom<AnnounceEvent>('none', 'started', 'completed', 'stopped'),
      trackers: fc.array(text(MAX_URL_BYTES), { maxLength: MAX_TRACKERS_PER_ANNOUNCE }), dht: fc.boolean(),
      uploaded: amount, downloaded: amount, left: fc.oneof(fc.constant(-1), amount),
    }),
    fc.record({ type: fc.constant(FrameType.Open as const), stream, infoHash: hex40, peer }),
    fc.record({ type: fc.constant(FrameType.WebSeedFetch as const), fetch: stream, infoHash: hex40, url: text(small ? 60 : MAX_WEB_SEED_URL_BYTES),
      start: fc.oneof(fc.integer({ min: 0, max: 2 ** 40 }), fc.constant(Number.MAX_SAFE_INTEGER)), length: fc.integer({ min: 1, max: MAX_WEB_SEED_FETCH_BYTES }) }),
    fc.record({ type: fc.constant(FrameType.WebSeedCancel as const), fetch: stream }),
    ...both,
  )
  const bridge: fc.Arbitrary<BridgeToPageFrame> = fc.oneof(
    fc.record({ type: fc.constant(FrameType.Welcome as const), peerPort: fc.integer({ min: 0, max: 65535 }), maxStreams: fc.integer({ min: 0, max: 65535 }),
      dialRate: fc.integer({ min: 0, max: 65535 }), dht: fc.boolean(),
      announceRate: fc.integer({ min: 0, max: 65535 }), announceBurst: fc.integer({ min: 0, max: 65535 }) }),
    fc.record({ type: fc.constant(FrameType.Peers as const), infoHash: hex40, source: fc.constantFrom<BridgePeerSource>('tracker', 'dht', 'lsd'),
      peers: small ? fc.array(peer, { maxLength: 8 }) : fc.oneof({ weight: 19, arbitrary: fc.array(peer, { maxLength: 8 }) },
        { weight: 1, arbitrary: fc.array(peer, { minLength: MAX_PEERS_PER_FRAME - 1, maxLength: MAX_PEERS_PER_FRAME }) }) }),
    fc.record({ type: fc.constant(FrameType.Opened as const), stream }),
    fc.record({ type: fc.constant(FrameType.Incoming as const), stream, infoHash: hex40, peer }),
    fc.record({ type: fc.constant(FrameType.Notice as const), infoHash: fc.oneof(fc.constant(''), hex40), message: text(MAX_REASON_BYTES) }),
    fc.record({ type: fc.constant(FrameType.Goodbye as const), code, reason: text(MAX_REASON_BYTES) }),
    fc.record({ type: fc.constant(FrameType.Tracker as const), infoHash: hex40, url: text(MAX_URL_BYTES), state: fc.constantFrom<TrackerState>('announcing', 'working', 'error', 'refused'),
      message: text(MAX_REASON_BYTES), peers: fc.integer({ min: 0, max: 0xffff }), seeders: count, leechers: count }),
    fc.record({ type: fc.constant(FrameType.Status as const),
      portMapping: fc.record({ state: fc.constantFrom<PortMappingState>('off', 'mapping', 'mapped', 'failed'),
        protocol: fc.constantFrom<PortMappingProtocol | ''>('', 'upnp', 'natpmp', 'pcp'), gateway: fc.oneof(fc.constant(''), peer.map((p) => p.host)),
        external: fc.oneof(fc.constant({ host: '', port: 0 }), peer), message: text(MAX_REASON_BYTES) })
        .map(({ external, ...m }) => ({ ...m, externalHost: external.host, externalPort: external.port })),
      dhtNodes: count, lsd: fc.boolean(), proxy: text(MAX_URL_BYTES), ipv6: fc.boolean() }),
    fc.record({ type: fc.constant(FrameType.Route as const), proxy: text(MAX_URL_BYTES), outgoingInterface: text(MAX_HOST_BYTES),
      state: fc.constantFrom<RouteState>('unknown', 'up', 'down'), message: text(MAX_REASON_BYTES) }),
    fc.record({ type: fc.constant(FrameType.WebSeedData as const), fetch: stream, data: small ? smallData : data }),
    fc.record({ type: fc.constant(FrameType.WebSeedEnd as const), fetch: stream,
      outcome: fc.constantFrom(WebSeedOutcome.Ok, WebSeedOutcome.Failed, WebSeedOutcome.Refused, WebSeedOutcome.Busy), reason: text(MAX_REASON_BYTES) }),
    ...both,
  )
  return { page, bridge }
}
const { page: pageFrame, bridge: bridgeFrame } = frames(false)
const { page: smallPageFrame, bridge: smallBridgeFrame } = frames(true)

/** Frames compared as plain data (DATA payloads as base64). */
const plain = (frame: unknown): unknown => JSON.parse(JSON.stringify(frame, (_k, v) => (v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v)))
const BOTH_WAYS = new Set([FrameType.Data, FrameType.Credit, FrameType.Close])

/** A decoded frame re-encodes to exactly the bytes it came from; a refusal has a short reason. */
function expectCanonical(bytes: Uint8Array, r: DecodeResult<BridgeFrame>): void {
  if (r.ok) expect(encodeFrame(r.frame), JSON.stringify(plain(r.frame))).toEqual(bytes)
  else {
    expect(r.reason.length).toBeGreaterThan(0)
    expect(utf8Length(r.reason)).toBeLessThanOrEqual(MAX_REASON_BYTES)
  }
}

describe('bridge codec properties', () => {
  it('every page frame round-trips, and the bridge\'s decoder refuses those only a page sends', () => {
    fc.assert(fc.property(pageFrame, (frame) => {
      const bytes = encodeFrame(frame)
      expect(bytes.length).toBeLessThanOrEqual(MAX_FRAME_BYTES)
      const r = decodePageFrame(bytes)
      expect(r.ok && plain(r.frame)).toEqual(plain(frame))
      expect(decodeBridgeFrame(bytes).ok).toBe(BOTH_WAYS.has(frame.type))
    }), runs(300))
  })

  it('every bridge frame round-trips, and the page\'s decoder refuses those only a bridge sends', () => {
    fc.assert(fc.property(bridgeFrame, (frame) => {
      const bytes = encodeFrame(frame)
      expect(bytes.length).toBeLessThanOrEqual(MAX_FRAME_BYTES)
      const r = decodeBridgeFrame(bytes)
      expect(r.ok && plain(r.frame)).toEqual(plain(frame))
      expect(decodePageFrame(bytes).ok).toBe(BOTH_WAYS.has(frame.type))
    }), runs(300))
  })

  it('text over its limit is cut to its longest prefix that fits, at a character boundary', () => {
    const long = fc.string({ unit: 'binary', minLength: 50, maxLength: 400 })
    fc.assert(fc.property(long, stream, code, (reason, id, c) => {
      const r = decodeBridgeFrame(encodeFrame({ type: FrameType.Close, stream: id, code: c, reason }))
      if (!r.ok || r.frame.type !== FrameType.Close) throw new Error('a cut reason must decode')
      const got = r.frame.reason
      expect(reason.startsWith(got)).toBe(true)
      expect(utf8Length(got)).toBeLessThanOrEqual(MAX_REASON_BYTES)
      if (got.length < reason.length) expect(utf8Length(reason.slice(0, got.length + ([...reason.slice(got.length)][0]!.length)))).toBeGreaterThan(MAX_REASON_BYTES)
    }), runs(200))
  })

  it('arbitrary bytes never throw; what decodes is the only reading of its bytes', () => {
    const header = fc.constantFrom(...Object.values(FrameType).filter((t): t is FrameType => typeof t === 'number'))
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 80 }),
      fc.tuple(header, fc.uint8Array({ maxLength: 80 })).map(([t, body]) => Uint8Array.from([V, t, ...body])),
    )
    fc.assert(fc.property(bytes, (b) => {
      expectCanonical(b, decodePageFrame(b))
      expectCanonical(b, decodeBridgeFrame(b))
    }), runs(1000))
  })

  it('mutated frames (bytes overwritten, inserted, removed) are refused or mean exactly what their bytes say', () => {
    const edit = fc.tuple(fc.nat(), fc.constantFrom('set', 'insert', 'delete'), fc.integer({ min: 0, max: 255 }))
    fc.assert(fc.property(fc.oneof(smallPageFrame, smallBridgeFrame), fc.array(edit, { minLength: 1, maxLength: 3 }), (frame, edits) => {
      const bytes = [...encodeFrame(frame)]
      for (const [at, op, value] of edits) {
        const i = 2 + (at % Math.max(1, bytes.length - 1)) // past version and type, which have their own tests
        if (op === 'set' && i < bytes.length) bytes[i] = value
        else if (op === 'insert') bytes.splice(i, 0, value)
        else bytes.splice(i, 1)
      }
      const input = Uint8Array.from(bytes)
      expectCanonical(input, decodePageFrame(input))
      expectCanonical(input, decodeBridgeFrame(input))
    }), runs(1000))
  })

  it('length and count fields that lie (longer or shorter than what follows) are refused', () => {
    // [frame, offset of a u16 length or u8/u16 count inside its encoding, its width]
    const liar = fc.oneof(
      fc.record({ type: fc.constant(FrameType.Close as const), stream: fc.constant(1), code, reason: text(MAX_REASON_BYTES) }).map((f) => [f, 7, 2] as const),
      fc.record({ type: fc.constant(FrameType.Goodbye as const), code, reason: text(MAX_REASON_BYTES) }).map((f) => [f, 3, 2] as const),
      fc.record({ type: fc.constant(FrameType.Peers as const), infoHash: hex40, source: fc.constant('dht' as const), peers: fc.array(peer, { maxLength: 5 }) })
        .map((f) => [f, 23, 2] as const),
      fc.record({ type: fc.constant(FrameType.Announce as const), infoHash: hex40, event: fc.constant('none' as const), trackers: fc.array(text(40), { maxLength: 4 }),
        dht: fc.boolean(), uploaded: fc.constant(0), downloaded: fc.constant(0), left: fc.constant(0) }).map((f) => [f, 48, 1] as const),
    )
    fc.assert(fc.property(liar, fc.integer({ min: 0, max: 0xffff }), ([frame, at, width], lie) => {
      const bytes = encodeFrame(frame)
      const truth = width === 2 ? (bytes[at]! << 8) | bytes[at + 1]! : bytes[at]!
      const value = width === 2 ? lie : lie & 0xff
      fc.pre(value !== truth)
      if (width === 2) bytes.set([value >> 8, value & 0xff], at)
      else bytes[at] = value
      const decode = frame.type === FrameType.Announce ? decodePageFrame : decodeBridgeFrame
      const r = decode(bytes)
      // a smaller count can still frame whole items only if what is left over is refused as trailing
      expect(r.ok).toBe(false)
    }), runs(300))
  })

  it('every strict prefix of a frame, and a frame with bytes after it, is refused (DATA and WEB_SEED_DATA aside: their payload is the rest)', () => {
    fc.assert(fc.property(fc.oneof(smallPageFrame, smallBridgeFrame).filter((f) => f.type !== FrameType.Data && f.type !== FrameType.WebSeedData), fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 4 }), (frame, cut, extra) => {
      const bytes = encodeFrame(frame)
      const prefix = bytes.subarray(0, cut % bytes.length)
      const longer = Uint8Array.from([...bytes, ...extra])
      for (const decode of [decodePageFrame, decodeBridgeFrame]) {
        expect(decode(prefix).ok).toBe(false)
        expect(decode(longer).ok).toBe(false)
      }
    }), runs(300))
  })

  it('a DATA frame gathered from parts, into a buffer or not, is the same bytes as one payload', () => {
    const split = fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 300 }), fc.array(fc.nat(), { maxLength: 5 }))
      .map(([payload, cuts]) => {
        const at = [...new Set(cuts.map((c) => c % (payload.length + 1)))].sort((a, b) => a - b)
        const parts = [0, ...at].map((from, i, all) => payload.subarray(from, all[i + 1] ?? payload.length))
        return { payload, parts }
      })
    const into = fc.option(fc.tuple(fc.integer({ min: 0, max: 400 }), fc.integer({ min: 0, max: 16 })))
    fc.assert(fc.property(split, stream, into, ({ payload, parts }, id, buffer) => {
      const want = encodeFrame({ type: FrameType.Data, stream: id, data: payload })
      // the caller's buffer may be a view at an offset into a larger one
      const target = buffer ? new Uint8Array(buffer[0] + buffer[1]).subarray(buffer[1]) : undefined
      const got = encodeDataFrameInto(id, parts, payload.length, target)
      expect(got).toEqual(want)
      if (target && target.length >= want.length) expect(got.buffer).toBe(target.buffer)
    }), runs(300))
  })
})

describe('bridge codec regressions', () => {
  it('regression: bridge codec read a welcome frame\'s dht byte 2..255 as false instead of refusing it, two readings of one frame (found by fast-check)', () => {
    const welcome = (dht: number) => Uint8Array.from([V, FrameType.Welcome, 0x1a, 0xe1, 0, 40, 0, 20, dht, 0, 20, 2, 88])
    expect(decodeBridgeFrame(welcome(1))).toMatchObject({ ok: true, frame: { dht: true } })
    expect(decodeBridgeFrame(welcome(0))).toMatchObject({ ok: true, frame: { dht: false } })
    expect(decodeBridgeFrame(welcome(2))).toEqual({ ok: false, reason: 'Welcome frame: dht flag' })
  })

  it('regression: bridge codec dropped a leading U+FEFF from every text (reasons, messages, tracker URLs) as if it were a byte order mark (found by fast-check)', () => {
    for (const reason of ['\ufeff', '\ufeffa', '\ufeff\ufeff']) {
      const r = decodeBridgeFrame(encodeFrame({ type: FrameType.Goodbye, code: CloseCode.Normal, reason }))
      expect(r).toEqual({ ok: true, frame: { type: FrameType.Goodbye, code: CloseCode.Normal, reason } })
    }
    const announce: AnnounceFrame = { type: FrameType.Announce, infoHash: 'a'.repeat(40), event: 'none', trackers: ['\ufeffhttp://t.example/a'], dht: false, uploaded: 0, downloaded: 0, left: 0 }
    expect(decodePageFrame(encodeFrame(announce))).toEqual({ ok: true, frame: announce })
  })
})
