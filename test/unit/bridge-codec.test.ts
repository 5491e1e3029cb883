import { describe, expect, it } from 'vitest'
import { decodeBridgeFrame, decodePageFrame, encodeDataFrameInto, encodeFrame } from '../../src/core/api-gateway/bridge-codec'
import { bytesToIp, ipToBytes } from '../../src/core/ip-bytes'
import {
  BRIDGE_PROTOCOL_VERSION, CloseCode, FrameType, MAX_DATA_PAYLOAD, MAX_FRAME_BYTES, MAX_REASON_BYTES, MAX_STREAM_CREDIT, MAX_URL_BYTES,
  MAX_WEB_SEED_FETCH_BYTES, MAX_WEB_SEED_URL_BYTES, WebSeedOutcome, type BridgeToPageFrame, type PageToBridgeFrame, type StatusFrame,
} from '../../src/protocol/bridge-frames'

const V = BRIDGE_PROTOCOL_VERSION

const H = '0123456789abcdef0123456789abcdef01234567'
const P = 'ffeeddccbbaa99887766554433221100ffeeddcc'

const pageFrames: PageToBridgeFrame[] = [
  { type: FrameType.Register, infoHash: H, peerId: P },
  { type: FrameType.Unregister, infoHash: H },
  { type: FrameType.Announce, infoHash: H, event: 'started', trackers: ['http://t.example/announce', 'udp://u.example:80'], dht: true, uploaded: 1, downloaded: 2 ** 40, left: -1 },
  { type: FrameType.Announce, infoHash: H, event: 'stopped', trackers: [], dht: false, uploaded: 0, downloaded: 0, left: 0 },
  { type: FrameType.Open, stream: 1, infoHash: H, peer: { host: '1.2.3.4', port: 6881 } },
  { type: FrameType.Open, stream: 0xffffffff, infoHash: H, peer: { host: '2001:db8::1', port: 65535 } },
  { type: FrameType.Data, stream: 3, data: new Uint8Array([1, 2, 3]) },
  { type: FrameType.Data, stream: 3, data: new Uint8Array(MAX_DATA_PAYLOAD).fill(7) },
  { type: FrameType.Credit, stream: 5, bytes: MAX_STREAM_CREDIT },
  { type: FrameType.Close, stream: 7, code: CloseCode.Normal, reason: 'bye ✓' },
  { type: FrameType.WebSeedFetch, fetch: 1, infoHash: H, url: 'https://mirror.example/pub/name/a%20b.bin', start: 0, length: 1 },
  { type: FrameType.WebSeedFetch, fetch: 0xffffffff, infoHash: H, url: `http://m.example/${'x'.repeat(MAX_WEB_SEED_URL_BYTES - 20)}`, start: 2 ** 45 + 3, length: MAX_WEB_SEED_FETCH_BYTES },
  { type: FrameType.WebSeedCancel, fetch: 4 },
]
const bridgeFrames: BridgeToPageFrame[] = [
  { type: FrameType.Welcome, peerPort: 6881, maxStreams: 300, dialRate: 20, dht: true, announceRate: 20, announceBurst: 600 },
  { type: FrameType.Peers, infoHash: H, source: 'tracker', peers: [{ host: '1.2.3.4', port: 1 }, { host: '::ffff:1.2.3.4', port: 2 }, { host: 'fe80::1', port: 3 }] },
  { type: FrameType.Peers, infoHash: H, source: 'dht', peers: [] },
  { type: FrameType.Peers, infoHash: H, source: 'lsd', peers: [{ host: '192.168.1.20', port: 51413 }, { host: 'fd00::20', port: 6881 }] },
  { type: FrameType.Opened, stream: 9 },
  { type: FrameType.Incoming, stream: 2, infoHash: H, peer: { host: '9.8.7.6', port: 51413 } },
  { type: FrameType.Notice, infoHash: '', message: 'hello' },
  { type: FrameType.Notice, infoHash: H, message: 'tracker: timed out' },
  { type: FrameType.Goodbye, code: CloseCode.ProtocolError, reason: 'bad frame' },
  { type: FrameType.Tracker, infoHash: H, url: 'udp://tracker.example:1337/announce', state: 'working', message: '', peers: 50, seeders: 0, leechers: 4_000_000 },
  { type: FrameType.Tracker, infoHash: H, url: 'http://t.example/announce', state: 'error', message: 'connect ECONNREFUSED', peers: 0, seeders: -1, leechers: -1 },
  { type: FrameType.Tracker, infoHash: H, url: 'http://10.0.0.1/a', state: 'refused', message: 'a private address', peers: 0, seeders: -1, leechers: -1 },
  ...statusFrames(),
  { type: FrameType.Route, proxy: 'socks5://127.0.0.1:1080', outgoingInterface: 'wg0', state: 'up', message: '' },
  { type: FrameType.Route, proxy: '', outgoingInterface: 'fd00::1', state: 'unknown', message: '' },
  { type: FrameType.Route, proxy: 'socks5://[::1]:9050', outgoingInterface: '', state: 'down', message: 'the proxy socks5://[::1]:9050 cannot be reached (ECONNREFUSED)' },
  { type: FrameType.Data, stream: 2, data: new Uint8Array([9]) },
  { type: FrameType.Credit, stream: 2, bytes: 1 },
  { type: FrameType.Close, stream: 2, code: CloseCode.ConnectFailed, reason: '' },
  { type: FrameType.WebSeedData, fetch: 1, data: new Uint8Array(MAX_DATA_PAYLOAD).fill(3) },
  { type: FrameType.WebSeedEnd, fetch: 1, outcome: WebSeedOutcome.Ok, reason: '' },
  { type: FrameType.WebSeedEnd, fetch: 2, outcome: WebSeedOutcome.Refused, reason: 'a redirect: 10.0.0.1 is a private address' },
]

/** STATUS frames: mapped by each protocol, mapping, failed with a reason, off; with and without a DHT. */
function statusFrames(): BridgeToPageFrame[] {
  const none = { protocol: '', gateway: '', externalHost: '', externalPort: 0, message: '' } as const
  return [
    { type: FrameType.Status, portMapping: { state: 'mapped', protocol: 'upnp', gateway: '192.168.1.1', externalHost: '5.5.5.1', externalPort: 6881, message: '' },
      dhtNodes: 120, lsd: false, proxy: '', ipv6: false },
    { type: FrameType.Status, portMapping: { state: 'mapped', protocol: 'pcp', gateway: 'fe80::1', externalHost: '2001:db8::5', externalPort: 65535, message: 'UDP port not mapped' },
      dhtNodes: 0, lsd: true, proxy: 'socks5://127.0.0.1:1080', ipv6: true },
    { type: FrameType.Status, portMapping: { state: 'mapped', protocol: 'natpmp', gateway: '10.0.0.1', externalHost: '::ffff:1.2.3.4', externalPort: 1, message: '' },
      dhtNodes: 0xfffffffe, lsd: true, proxy: '', ipv6: false },
    { type: FrameType.Status, portMapping: { ...none, state: 'mapping', gateway: '192.168.1.1' }, dhtNodes: -1, lsd: false, proxy: '', ipv6: true },
    { type: FrameType.Status, portMapping: { ...none, state: 'failed', message: 'no router answered UPnP, NAT-PMP or PCP ✓' }, dhtNodes: 3, lsd: false, proxy: '', ipv6: false },
    { type: FrameType.Status, portMapping: { ...none, state: 'off', message: 'turned off (--port-mapping off)' }, dhtNodes: -1, lsd: false, proxy: '', ipv6: false },
  ]
}

function plain(frame: unknown): unknown {
  return JSON.parse(JSON.stringify(frame, (_k, v) => (v instanceof Uint8Array ? Array.from(v) : v)))
}

describe('bridge frame codec', () => {
  it('round-trips every page frame', () => {
    for (const f of pageFrames) {
      const r = decodePageFrame(encodeFrame(f))
      expect(r.ok, JSON.stringify(r)).toBe(true)
      if (r.ok) expect(plain(r.frame)).toEqual(plain(f))
    }
  })

  it('round-trips every bridge frame', () => {
    for (const f of bridgeFrames) {
      const r = decodeBridgeFrame(encodeFrame(f))
      expect(r.ok, JSON.stringify(r)).toBe(true)
      if (r.ok) expect(plain(r.frame)).toEqual(plain(f))
    }
  })

  it('keeps each peer source\'s number on the wire (tracker 1, DHT 2, LSD 3): a new source goes at the end', () => {
    for (const [source, n] of [['tracker', 1], ['dht', 2], ['lsd', 3]] as const) {
      expect(encodeFrame({ type: FrameType.Peers, infoHash: H, source, peers: [] })[22]).toBe(n)
    }
  })

  it('gathers a DATA frame from parts, into the buffer it is given, the same bytes as one payload', () => {
    const parts = [new Uint8Array([1, 2, 3]), new Uint8Array(0), new Uint8Array(MAX_DATA_PAYLOAD - 4).fill(9), new Uint8Array([4])]
    const whole = new Uint8Array(MAX_DATA_PAYLOAD)
    let at = 0
    for (const p of parts) { whole.set(p, at); at += p.length }
    const frame = { type: FrameType.Data, stream: 6, data: whole } as const
    const into = new Uint8Array(MAX_DATA_PAYLOAD + 64)
    const bytes = encodeDataFrameInto(6, parts, at, into)
    expect(bytes.buffer).toBe(into.buffer)
    expect(bytes).toEqual(encodeFrame(frame))
    expect(encodeDataFrameInto(6, parts, at)).toEqual(bytes)
    // too small a buffer: one of its own, the caller's bytes untouched
    const small = new Uint8Array(8).fill(0xee)
    expect(encodeDataFrameInto(6, parts, at, small).buffer).not.toBe(small.buffer)
    expect([...small]).toEqual(new Array(8).fill(0xee))
    // a length that is not the parts' own, or beyond a frame's payload, is a caller's bug
    expect(() => encodeDataFrameInto(6, parts, at + 1)).toThrow(RangeError)
    expect(() => encodeDataFrameInto(6, [new Uint8Array(MAX_DATA_PAYLOAD + 1)], MAX_DATA_PAYLOAD + 1)).toThrow(RangeError)
    expect(() => encodeDataFrameInto(6, [], 0)).toThrow(RangeError)
  })

  it('STATUS: a message or proxy over its limit is cut; an unknown state, protocol, family or flag, or a port without an address, is refused', () => {
    const long = 'x'.repeat(MAX_URL_BYTES + 10)
    const base = statusFrames()[0]! as StatusFrame
    const cut = decodeBridgeFrame(encodeFrame({ ...base, proxy: long, portMapping: { ...base.portMapping, message: long } }))
    expect(cut.ok && cut.frame.type === FrameType.Status && [cut.frame.portMapping.message.length, cut.frame.proxy.length]).toEqual([MAX_REASON_BYTES, MAX_URL_BYTES])
    expect(() => encodeFrame({ ...base, portMapping: { ...base.portMapping, externalHost: '', externalPort: 5 } })).toThrow(RangeError)
    expect(() => encodeFrame({ ...base, portMapping: { ...base.portMapping, gateway: 'router.local' } })).toThrow(RangeError)
    const bytes = encodeFrame(base)
    // version, type, state, protocol, gateway (family + 4), external (family + 4 + port), message (2 + 0), nodes (4), flags, proxy (2 + 0)
    const at = { state: 2, protocol: 3, gatewayFamily: 4, externalFamily: 9, port: 14, flags: 22 }
    const refused = (offset: number, value: number, why: RegExp) => {
      const b = bytes.slice()
      b[offset] = value
      expect(decodeBridgeFrame(b)).toEqual({ ok: false, reason: expect.stringMatching(why) })
    }
    refused(at.state, 4, /port mapping state/)
    refused(at.protocol, 4, /port mapping protocol/)
    refused(at.gatewayFamily, 5, /gateway address family/)
    refused(at.flags, 4, /flags/)
    const noAddress = encodeFrame({ ...base, portMapping: { ...base.portMapping, externalHost: '', externalPort: 0 } })
    const withPort = noAddress.slice()
    withPort[at.externalFamily + 2] = 1 // the port's low byte, right after family 0
    expect(decodeBridgeFrame(withPort)).toEqual({ ok: false, reason: expect.stringMatching(/external port without an address/) })
    for (let n = 2; n < bytes.length; n++) expect(decodeBridgeFrame(bytes.subarray(0, n)).ok, `cut at ${n}`).toBe(false)
    expect(bytes[at.port]).toBe(6881 >> 8)
  })

  it('puts the version and the type first', () => {
    const bytes = encodeFrame({ type: FrameType.Opened, stream: 1 })
    expect(bytes[0]).toBe(BRIDGE_PROTOCOL_VERSION)
    expect(bytes[1]).toBe(FrameType.Opened)
  })

  it('rejects frames sent the wrong way', () => {
    const r = decodePageFrame(encodeFrame(bridgeFrames[0]!))
    expect(r).toEqual({ ok: false, reason: expect.stringMatching(/may not be sent by the page/) })
    expect(decodeBridgeFrame(encodeFrame(pageFrames[0]!)).ok).toBe(false)
  })

  it('rejects another version, unknown types, short and oversized frames, with reasons', () => {
    const good = encodeFrame(pageFrames[0]!)
    const other = good.slice()
    other[0] = V + 1
    expect(decodePageFrame(other)).toEqual({ ok: false, reason: expect.stringMatching(new RegExp(`version ${V + 1}`)) })
    expect(decodePageFrame(new Uint8Array([V, 99]))).toEqual({ ok: false, reason: expect.stringMatching(/type 99/) })
    expect(decodePageFrame(new Uint8Array([V]))).toEqual({ ok: false, reason: expect.stringMatching(/shorter/) })
    const big = new Uint8Array(MAX_FRAME_BYTES + 1)
    big.set([V, FrameType.Data, 0, 0, 0, 1])
    expect(decodePageFrame(big)).toEqual({ ok: false, reason: expect.stringMatching(/over the limit/) })
  })

  it('rejects every truncation and any trailing byte', () => {
    for (const f of [...pageFrames.filter((f) => f.type !== FrameType.Data)]) {
      const bytes = encodeFrame(f)
      for (let n = 0; n < bytes.length; n++) expect(decodePageFrame(bytes.subarray(0, n)).ok, `${FrameType[f.type]} cut at ${n}`).toBe(false)
      const longer = new Uint8Array(bytes.length + 1)
      longer.set(bytes)
      expect(decodePageFrame(longer).ok).toBe(false)
    }
  })

  it('rejects out-of-range values', () => {
    const bad = [
      [V, FrameType.Credit, 0, 0, 0, 1, 0, 0, 0, 0], // zero credit
      [V, FrameType.Credit, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff], // credit beyond the max
      [V, FrameType.Credit, 0, 0, 0, 0, 0, 0, 0, 1], // stream 0
      [V, FrameType.Data, 0, 0, 0, 1], // empty DATA
      [V, FrameType.Close, 0, 0, 0, 1, 200, 0, 0], // unknown close code
      [V, FrameType.Close, 0, 0, 0, 1, 0, 0, 2, 0xc3, 0x28], // invalid UTF-8
      [V, FrameType.Close, 0, 0, 0, 1, 0, 0xff, 0xff], // reason length beyond the limit
    ]
    for (const b of bad) expect(decodePageFrame(new Uint8Array(b)).ok, b.join(',')).toBe(false)
    const tracker = encodeFrame(bridgeFrames.find((f) => f.type === FrameType.Tracker)!)
    const state = tracker.slice()
    state[22] = 4 // after the version, the type and the info-hash
    expect(decodeBridgeFrame(state)).toEqual({ ok: false, reason: expect.stringMatching(/tracker state/) })
    const route = encodeFrame(bridgeFrames.find((f) => f.type === FrameType.Route)!).slice()
    route[2] = 3 // the state, after the version and the type
    expect(decodeBridgeFrame(route)).toEqual({ ok: false, reason: expect.stringMatching(/route state/) })
    const open = encodeFrame(pageFrames[4]!)
    const zeroPort = open.slice()
    zeroPort.set([0, 0], zeroPort.length - 2)
    expect(decodePageFrame(zeroPort)).toEqual({ ok: false, reason: expect.stringMatching(/port 0/) })
    const family = open.slice()
    family[26] = 5
    expect(decodePageFrame(family)).toEqual({ ok: false, reason: expect.stringMatching(/family/) })
  })

  it('rejects web seed fetches out of range: no bytes, more than a fetch may ask for, a start that is not a whole number, an unknown outcome', () => {
    const fetch = (patch: Partial<{ start: number; length: number }>) => {
      const bytes = encodeFrame({ type: FrameType.WebSeedFetch, fetch: 1, infoHash: H, url: 'http://m.example/f', start: 5, length: 10 })
      const view = new DataView(bytes.buffer, bytes.byteOffset)
      if (patch.start !== undefined) view.setFloat64(26, patch.start)
      if (patch.length !== undefined) view.setUint32(34, patch.length)
      return decodePageFrame(bytes)
    }
    expect(fetch({}).ok).toBe(true)
    expect(fetch({ length: 0 })).toEqual({ ok: false, reason: expect.stringMatching(/range of 0 bytes/) })
    expect(fetch({ length: MAX_WEB_SEED_FETCH_BYTES + 1 })).toEqual({ ok: false, reason: expect.stringMatching(/range of/) })
    for (const start of [-1, 0.5, NaN, Infinity, 2 ** 53]) expect(fetch({ start }).ok, String(start)).toBe(false)
    const end = encodeFrame({ type: FrameType.WebSeedEnd, fetch: 1, outcome: WebSeedOutcome.Busy, reason: '' })
    end[6] = WebSeedOutcome.Busy + 1
    expect(decodeBridgeFrame(end)).toEqual({ ok: false, reason: expect.stringMatching(/outcome/) })
    expect(decodeBridgeFrame(new Uint8Array([V, FrameType.WebSeedData, 0, 0, 0, 1])).ok).toBe(false) // no bytes
    expect(decodePageFrame(new Uint8Array([V, FrameType.WebSeedCancel, 0, 0, 0, 0]))).toEqual({ ok: false, reason: expect.stringMatching(/fetch id 0/) })
    expect(() => encodeFrame({ type: FrameType.WebSeedFetch, fetch: 1, infoHash: H, url: 'x'.repeat(MAX_WEB_SEED_URL_BYTES + 1), start: 0, length: 1 })).toThrow(RangeError)
  })

  it('refuses to encode what no decoder would accept', () => {
    expect(() => encodeFrame({ type: FrameType.Open, stream: 1, infoHash: 'XYZ', peer: { host: '1.2.3.4', port: 1 } })).toThrow(RangeError)
    expect(() => encodeFrame({ type: FrameType.Open, stream: 1, infoHash: H, peer: { host: 'example.com', port: 1 } })).toThrow(RangeError)
    expect(() => encodeFrame({ type: FrameType.Data, stream: 1, data: new Uint8Array(MAX_DATA_PAYLOAD + 1) })).toThrow(RangeError)
    expect(() => encodeFrame({ type: FrameType.Credit, stream: 1, bytes: 0 })).toThrow(RangeError)
  })

  it('cuts long reasons at a character boundary instead of failing', () => {
    const r = decodeBridgeFrame(encodeFrame({ type: FrameType.Goodbye, code: CloseCode.Idle, reason: '✓'.repeat(1000) }))
    expect(r.ok).toBe(true)
    if (r.ok && r.frame.type === FrameType.Goodbye) expect(r.frame.reason).toMatch(/^✓+$/)
  })

  it('never throws on random or mutated input (fuzz)', () => {
    let seed = 12345
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32)
    const samples = [...pageFrames, ...bridgeFrames].map(encodeFrame)
    for (let i = 0; i < 20_000; i++) {
      let bytes: Uint8Array
      if (i % 2 === 0) {
        bytes = new Uint8Array(Math.floor(rnd() * 80))
        for (let j = 0; j < bytes.length; j++) bytes[j] = Math.floor(rnd() * 256)
        if (bytes.length > 1 && rnd() < 0.7) bytes[0] = 1
      } else {
        bytes = samples[Math.floor(rnd() * samples.length)]!.slice(0, 200)
        const flips = 1 + Math.floor(rnd() * 4)
        for (let f = 0; f < flips; f++) bytes[Math.floor(rnd() * bytes.length)] = Math.floor(rnd() * 256)
      }
      for (const decode of [decodePageFrame, decodeBridgeFrame]) {
        const r = decode(bytes)
        if (!r.ok) expect(r.reason.length).toBeGreaterThan(0)
        else expect(() => encodeFrame(r.frame)).not.toThrow() // what decodes re-encodes
      }
    }
  })
})

describe('IP bytes', () => {
  it('parses and prints canonical forms', () => {
    const cases: [string, string][] = [
      ['1.2.3.4', '1.2.3.4'], ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'], ['::', '::'], ['::1', '::1'],
      ['1::', '1::'], ['[fe80::1]', 'fe80::1'], ['::ffff:10.0.0.1', '::ffff:10.0.0.1'], ['1:0:0:1:0:0:0:1', '1:0:0:1::1'],
    ]
    for (const [text, canon] of cases) expect(bytesToIp(ipToBytes(text)!)).toBe(canon)
  })
  it('rejects non-addresses', () => {
    for (const t of ['', '1.2.3', '1.2.3.256', '01.2.3.4', 'a::b::c', '1:2:3:4:5:6:7:8:9', 'example.com', 'fe80::1%eth0', '::g']) {
      expect(ipToBytes(t), t).toBeNull()
    }
  })
})
