/**
 * Pure encode/decode of bridge frames (layout in src/protocol/bridge-frames.ts), over the byte
 * cursors of frame-writer.ts and frame-reader.ts. Decoding never throws and never trusts a length
 * it reads: a frame is checked against its type's exact shape and the protocol's limits, and
 * anything else is rejected with a reason that ends up in the session's close message.
 */
import {
  BRIDGE_PROTOCOL_VERSION, CloseCode, FrameType, MAX_DATA_PAYLOAD, MAX_FRAME_BYTES, MAX_PEERS_PER_FRAME,
  MAX_REASON_BYTES, MAX_STREAM_CREDIT, MAX_TRACKERS_PER_ANNOUNCE, MAX_URL_BYTES, MAX_WEB_SEED_FETCH_BYTES, MAX_WEB_SEED_URL_BYTES,
  WebSeedOutcome, type AnnounceEvent, type BridgeFrame, type BridgePeerSource, type BridgeToPageFrame, type PageToBridgeFrame,
  MAX_HOST_BYTES, type PeerAddress, type PortMappingProtocol, type PortMappingState, type RouteState, type TrackerState,
} from '../protocol/bridge-frames'
import { FrameReader, Malformed } from './frame-reader'
import { FrameWriter } from './frame-writer'
import { ipToBytes } from './ip-bytes'

export type DecodeResult<F> = { ok: true; frame: F } | { ok: false; reason: string }

const EVENTS: AnnounceEvent[] = ['none', 'started', 'completed', 'stopped']
// new sources go at the end: a source travels as its place in this list
const SOURCES: BridgePeerSource[] = ['tracker', 'dht', 'lsd']
const TRACKER_STATES: TrackerState[] = ['announcing', 'working', 'error', 'refused']
const MAPPING_STATES: PortMappingState[] = ['off', 'mapping', 'mapped', 'failed']
/** On the wire: 0 for none ('') yet, then each protocol. */
const MAPPING_PROTOCOLS: (PortMappingProtocol | '')[] = ['', 'upnp', 'natpmp', 'pcp']
/** STATUS flags: the bits a decoder accepts (any other set is malformed). */
const STATUS_LSD = 1
const STATUS_IPV6 = 2
/** A count that may be unknown (-1) on the wire: u32, all ones for unknown. */
const UNKNOWN_COUNT = 0xffffffff
const PAGE_TYPES = new Set([FrameType.Register, FrameType.Unregister, FrameType.Announce, FrameType.Open, FrameType.WebSeedFetch, FrameType.WebSeedCancel,
  FrameType.Data, FrameType.Credit, FrameType.Close])
const BRIDGE_TYPES = new Set([FrameType.Welcome, FrameType.Peers, FrameType.Opened, FrameType.Incoming, FrameType.Notice, FrameType.Goodbye, FrameType.Tracker,
  FrameType.Status, FrameType.Route, FrameType.WebSeedData, FrameType.WebSeedEnd, FrameType.Data, FrameType.Credit, FrameType.Close])
const ROUTE_STATES: RouteState[] = ['unknown', 'up', 'down']
const MAX_WEB_SEED_OUTCOME = WebSeedOutcome.Busy
const MAX_CLOSE_CODE = CloseCode.ShuttingDown

// ---- encoding ----

function hashBytes(hex: string): Uint8Array {
  if (!/^[0-9a-f]{40}$/.test(hex)) throw new RangeError(`not a lower-case 40-hex id: ${JSON.stringify(hex)}`)
  const out = new Uint8Array(20)
  for (let i = 0; i < 20; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16)
  return out
}

function streamId(w: FrameWriter, id: number): FrameWriter {
  if (!Number.isInteger(id) || id < 1 || id > 0xffffffff) throw new RangeError(`bad stream id ${id}`)
  return w.u32(id)
}

function peer(w: FrameWriter, p: PeerAddress): FrameWriter {
  const ip = ipToBytes(p.host)
  if (!ip) throw new RangeError(`not an IP address: ${JSON.stringify(p.host)}`)
  if (!Number.isInteger(p.port) || p.port < 1 || p.port > 65535) throw new RangeError(`bad port ${p.port}`)
  return w.u8(ip.length === 4 ? 4 : 6).bytes(ip).u16(p.port)
}

/** An IP address that may be absent: family 0 for '' (no bytes), else as a peer's. */
function optionalIp(w: FrameWriter, host: string): FrameWriter {
  if (host === '') return w.u8(0)
  const ip = ipToBytes(host)
  if (!ip) throw new RangeError(`not an IP address: ${JSON.stringify(host)}`)
  return w.u8(ip.length === 4 ? 4 : 6).bytes(ip)
}

/** Version, type and stream id in front of a DATA frame's payload. */
export const DATA_HEADER_BYTES = 6

/** One frame to bytes. Throws RangeError on values no decoder would accept (a bug in the caller). */
export function encodeFrame(frame: BridgeFrame): Uint8Array {
  return encode(frame)
}

/**
 * A DATA frame whose payload is `parts` (`length` bytes in all), written in `into` when it fits,
 * the result then a view of it (for callers that reuse buffers instead of leaving one to the GC
 * per frame): the bridge gathers several socket reads into one frame this way.
 */
export function encodeDataFrameInto(stream: number, parts: readonly Uint8Array[], length: number, into?: Uint8Array): Uint8Array {
  if (length < 1 || length > MAX_DATA_PAYLOAD) throw new RangeError(`DATA payload of ${length} bytes`)
  const w = new FrameWriter(DATA_HEADER_BYTES + length, into)
  streamId(w.u8(BRIDGE_PROTOCOL_VERSION).u8(FrameType.Data), stream)
  for (const part of parts) w.bytes(part)
  if (w.length !== DATA_HEADER_BYTES + length) throw new RangeError(`DATA parts of ${w.length - DATA_HEADER_BYTES} bytes, not ${length}`)
  return w.done()
}

/** A swarm count for the wire: -1 (or anything not a whole number) is unknown. */
function count(n: number): number {
  return Number.isInteger(n) && n >= 0 ? Math.min(n, UNKNOWN_COUNT - 1) : UNKNOWN_COUNT
}

function encode(frame: BridgeFrame): Uint8Array {
  const w = frame.type === FrameType.Data || frame.type === FrameType.WebSeedData ? new FrameWriter(DATA_HEADER_BYTES + frame.data.length) : new FrameWriter(64)
  w.u8(BRIDGE_PROTOCOL_VERSION).u8(frame.type)
  switch (frame.type) {
    case FrameType.Welcome:
      w.u16(frame.peerPort).u16(frame.maxStreams).u16(frame.dialRate).u8(frame.dht ? 1 : 0)
      break
    case FrameType.Peers:
      if (frame.peers.length > MAX_PEERS_PER_FRAME) throw new RangeError(`more than ${MAX_PEERS_PER_FRAME} peers in one frame`)
      w.bytes(hashBytes(frame.infoHash)).u8(SOURCES.indexOf(frame.source) + 1).u16(frame.peers.length)
      for (const p of frame.peers) peer(w, p)
      break
    case FrameType.Opened:
      streamId(w, frame.stream)
      break
    case FrameType.Incoming:
      streamId(w, frame.stream).bytes(hashBytes(frame.infoHash))
      peer(w, frame.peer)
      break
    case FrameType.Notice:
      if (frame.infoHash) w.u8(1).bytes(hashBytes(frame.infoHash))
      else w.u8(0)
      w.text(frame.message, MAX_REASON_BYTES, true)
      break
    case FrameType.Goodbye:
      w.u8(frame.code).text(frame.reason, MAX_REASON_BYTES, true)
      break
    case FrameType.Tracker:
      w.bytes(hashBytes(frame.infoHash)).u8(TRACKER_STATES.indexOf(frame.state)).text(frame.url, MAX_URL_BYTES, false)
      w.text(frame.message, MAX_REASON_BYTES, true).u16(Math.min(Math.max(0, Math.floor(frame.peers)), 0xffff))
      w.u32(count(frame.seeders)).u32(count(frame.leechers))
      break
    case FrameType.Status: {
      const m = frame.portMapping
      if (!Number.isInteger(m.externalPort) || m.externalPort < 0 || m.externalPort > 65535 || (m.externalHost === '' && m.externalPort !== 0)) {
        throw new RangeError(`bad external port ${m.externalPort}`)
      }
      if (!MAPPING_STATES.includes(m.state) || !MAPPING_PROTOCOLS.includes(m.protocol)) throw new RangeError(`port mapping ${m.state} by ${m.protocol}`)
      w.u8(MAPPING_STATES.indexOf(m.state)).u8(MAPPING_PROTOCOLS.indexOf(m.protocol))
      optionalIp(w, m.gateway)
      optionalIp(w, m.externalHost).u16(m.externalPort)
      w.text(m.message, MAX_REASON_BYTES, true)
      w.u32(frame.dhtNodes === -1 ? UNKNOWN_COUNT : count(frame.dhtNodes))
      w.u8((frame.lsd ? STATUS_LSD : 0) | (frame.ipv6 ? STATUS_IPV6 : 0)).text(frame.proxy, MAX_URL_BYTES, true)
      break
    }
    case FrameType.Route:
      if (!ROUTE_STATES.includes(frame.state)) throw new RangeError(`route state ${String(frame.state)}`)
      w.u8(ROUTE_STATES.indexOf(frame.state)).text(frame.proxy, MAX_URL_BYTES, true).text(frame.outgoingInterface, MAX_HOST_BYTES, true)
      w.text(frame.message, MAX_REASON_BYTES, true)
      break
    case FrameType.Register:
      w.bytes(hashBytes(frame.infoHash)).bytes(hashBytes(frame.peerId))
      break
    case FrameType.Unregister:
      w.bytes(hashBytes(frame.infoHash))
      break
    case FrameType.Announce:
      if (frame.trackers.length > MAX_TRACKERS_PER_ANNOUNCE) throw new RangeError(`more than ${MAX_TRACKERS_PER_ANNOUNCE} trackers`)
      w.bytes(hashBytes(frame.infoHash)).u8(EVENTS.indexOf(frame.event)).u8(frame.dht ? 1 : 0)
      w.f64(frame.uploaded).f64(frame.downloaded).f64(frame.left).u8(frame.trackers.length)
      for (const t of frame.trackers) w.text(t, MAX_URL_BYTES, false)
      break
    case FrameType.Open:
      streamId(w, frame.stream).bytes(hashBytes(frame.infoHash))
      peer(w, frame.peer)
      break
    case FrameType.WebSeedFetch:
      if (!Number.isSafeInteger(frame.start) || frame.start < 0) throw new RangeError(`range start ${frame.start}`)
      if (!Number.isInteger(frame.length) || frame.length < 1 || frame.length > MAX_WEB_SEED_FETCH_BYTES) throw new RangeError(`range of ${frame.length} bytes`)
      streamId(w, frame.fetch).bytes(hashBytes(frame.infoHash)).f64(frame.start).u32(frame.length).text(frame.url, MAX_WEB_SEED_URL_BYTES, false)
      break
    case FrameType.WebSeedCancel:
      streamId(w, frame.fetch)
      break
    case FrameType.WebSeedData:
      if (frame.data.length < 1 || frame.data.length > MAX_DATA_PAYLOAD) throw new RangeError(`WEB_SEED_DATA payload of ${frame.data.length} bytes`)
      streamId(w, frame.fetch).bytes(frame.data)
      break
    case FrameType.WebSeedEnd:
      if (!(frame.outcome >= 0 && frame.outcome <= MAX_WEB_SEED_OUTCOME)) throw new RangeError(`web seed outcome ${frame.outcome}`)
      streamId(w, frame.fetch).u8(frame.outcome).text(frame.reason, MAX_REASON_BYTES, true)
      break
    case FrameType.Data:
      if (frame.data.length < 1 || frame.data.length > MAX_DATA_PAYLOAD) throw new RangeError(`DATA payload of ${frame.data.length} bytes`)
      streamId(w, frame.stream).bytes(frame.data)
      break
    case FrameType.Credit:
      if (!Number.isInteger(frame.bytes) || frame.bytes < 1 || frame.bytes > MAX_STREAM_CREDIT) throw new RangeError(`credit of ${frame.bytes}`)
      streamId(w, frame.stream).u32(frame.bytes)
      break
    case FrameType.Close:
      streamId(w, frame.stream).u8(frame.code).text(frame.reason, MAX_REASON_BYTES, true)
      break
    default:
      throw new RangeError(`unknown frame type ${(frame as { type: unknown }).type}`)
  }
  return w.done()
}

// ---- decoding ----

function finite(n: number, what: string, min: number): number {
  if (!Number.isFinite(n) || n < min || n > Number.MAX_SAFE_INTEGER) throw new Malformed(`${what} ${n}`)
  return n
}

function closeCode(n: number): CloseCode {
  if (n > MAX_CLOSE_CODE) throw new Malformed(`close code ${n}`)
  return n as CloseCode
}

function decodeBody(type: FrameType, r: FrameReader): BridgeFrame {
  switch (type) {
    case FrameType.Welcome: {
      const peerPort = r.u16('peer port')
      const maxStreams = r.u16('max streams')
      const dialRate = r.u16('dial rate')
      const dhtFlag = r.u8('dht flag')
      if (dhtFlag > 1) throw new Malformed('dht flag')
      return { type, peerPort, maxStreams, dialRate, dht: dhtFlag === 1 }
    }
    case FrameType.Peers: {
      const infoHash = r.hex20('info-hash')
      const source = SOURCES[r.u8('source') - 1]
      if (!source) throw new Malformed('unknown peer source')
      const count = r.u16('peer count')
      if (count > MAX_PEERS_PER_FRAME) throw new Malformed(`${count} peers in one frame`)
      const peers: PeerAddress[] = []
      for (let i = 0; i < count; i++) peers.push(r.peer())
      return { type, infoHash, source, peers }
    }
    case FrameType.Opened:
      return { type, stream: r.stream() }
    case FrameType.Incoming:
      return { type, stream: r.stream(), infoHash: r.hex20('info-hash'), peer: r.peer() }
    case FrameType.Notice: {
      const has = r.u8('info-hash flag')
      if (has > 1) throw new Malformed('info-hash flag')
      const infoHash = has ? r.hex20('info-hash') : ''
      return { type, infoHash, message: r.text(MAX_REASON_BYTES, 'message') }
    }
    case FrameType.Goodbye:
      return { type, code: closeCode(r.u8('code')), reason: r.text(MAX_REASON_BYTES, 'reason') }
    case FrameType.Tracker: {
      const infoHash = r.hex20('info-hash')
      const state = TRACKER_STATES[r.u8('tracker state')]
      if (!state) throw new Malformed('unknown tracker state')
      const url = r.text(MAX_URL_BYTES, 'tracker URL')
      const message = r.text(MAX_REASON_BYTES, 'message')
      const peers = r.u16('peer count')
      const seeders = r.u32('seeders')
      const leechers = r.u32('leechers')
      return { type, infoHash, url, state, message, peers, seeders: seeders === UNKNOWN_COUNT ? -1 : seeders, leechers: leechers === UNKNOWN_COUNT ? -1 : leechers }
    }
    case FrameType.Status: {
      const state = MAPPING_STATES[r.u8('port mapping state')]
      if (!state) throw new Malformed('unknown port mapping state')
      const protocol = MAPPING_PROTOCOLS[r.u8('port mapping protocol')]
      if (protocol === undefined) throw new Malformed('unknown port mapping protocol')
      const gateway = r.optionalIp('gateway address')
      const externalHost = r.optionalIp('external address')
      const externalPort = r.u16('external port')
      if (externalHost === '' && externalPort !== 0) throw new Malformed('an external port without an address')
      const message = r.text(MAX_REASON_BYTES, 'message')
      const nodes = r.u32('DHT nodes')
      const flags = r.u8('flags')
      if (flags & ~(STATUS_LSD | STATUS_IPV6)) throw new Malformed(`flags ${flags}`)
      const proxy = r.text(MAX_URL_BYTES, 'proxy')
      return {
        type, portMapping: { state, protocol, gateway, externalHost, externalPort, message },
        dhtNodes: nodes === UNKNOWN_COUNT ? -1 : nodes, lsd: (flags & STATUS_LSD) !== 0, proxy, ipv6: (flags & STATUS_IPV6) !== 0,
      }
    }
    case FrameType.Route: {
      const state = ROUTE_STATES[r.u8('route state')]
      if (!state) throw new Malformed('unknown route state')
      const proxy = r.text(MAX_URL_BYTES, 'proxy')
      const outgoingInterface = r.text(MAX_HOST_BYTES, 'outgoing interface')
      return { type, proxy, outgoingInterface, state, message: r.text(MAX_REASON_BYTES, 'message') }
    }
    case FrameType.Register:
      return { type, infoHash: r.hex20('info-hash'), peerId: r.hex20('peer id') }
    case FrameType.Unregister:
      return { type, infoHash: r.hex20('info-hash') }
    case FrameType.Announce: {
      const infoHash = r.hex20('info-hash')
      const event = EVENTS[r.u8('event')]
      if (!event) throw new Malformed('unknown announce event')
      const dhtFlag = r.u8('dht flag')
      if (dhtFlag > 1) throw new Malformed('dht flag')
      const uploaded = finite(r.f64('uploaded'), 'uploaded', 0)
      const downloaded = finite(r.f64('downloaded'), 'downloaded', 0)
      const left = finite(r.f64('left'), 'left', -1)
      const count = r.u8('tracker count')
      if (count > MAX_TRACKERS_PER_ANNOUNCE) throw new Malformed(`${count} trackers`)
      const trackers: string[] = []
      for (let i = 0; i < count; i++) trackers.push(r.text(MAX_URL_BYTES, 'tracker URL'))
      return { type, infoHash, event, trackers, dht: dhtFlag === 1, uploaded, downloaded, left }
    }
    case FrameType.Open:
      return { type, stream: r.stream(), infoHash: r.hex20('info-hash'), peer: r.peer() }
    case FrameType.WebSeedFetch: {
      const fetch = r.stream('fetch id')
      const infoHash = r.hex20('info-hash')
      const start = r.f64('range start')
      if (!Number.isSafeInteger(start) || start < 0) throw new Malformed(`range start ${start}`)
      const length = r.u32('range length')
      if (length === 0 || length > MAX_WEB_SEED_FETCH_BYTES) throw new Malformed(`range of ${length} bytes`)
      return { type, fetch, infoHash, start, length, url: r.text(MAX_WEB_SEED_URL_BYTES, 'web seed URL') }
    }
    case FrameType.WebSeedCancel:
      return { type, fetch: r.stream('fetch id') }
    case FrameType.WebSeedData: {
      const fetch = r.stream('fetch id')
      const data = r.rest()
      if (data.length === 0) throw new Malformed('empty WEB_SEED_DATA')
      if (data.length > MAX_DATA_PAYLOAD) throw new Malformed(`WEB_SEED_DATA of ${data.length} bytes`)
      return { type, fetch, data }
    }
    case FrameType.WebSeedEnd: {
      const fetch = r.stream('fetch id')
      const outcome = r.u8('outcome')
      if (outcome > MAX_WEB_SEED_OUTCOME) throw new Malformed(`web seed outcome ${outcome}`)
      return { type, fetch, outcome: outcome as WebSeedOutcome, reason: r.text(MAX_REASON_BYTES, 'reason') }
    }
    case FrameType.Data: {
      const stream = r.stream()
      const data = r.rest()
      if (data.length === 0) throw new Malformed('empty DATA')
      if (data.length > MAX_DATA_PAYLOAD) throw new Malformed(`DATA of ${data.length} bytes`)
      return { type, stream, data }
    }
    case FrameType.Credit: {
      const stream = r.stream()
      const bytes = r.u32('credit')
      if (bytes === 0 || bytes > MAX_STREAM_CREDIT) throw new Malformed(`credit of ${bytes}`)
      return { type, stream, bytes }
    }
    case FrameType.Close:
      return { type, stream: r.stream(), code: closeCode(r.u8('code')), reason: r.text(MAX_REASON_BYTES, 'reason') }
    default:
      throw new Malformed(`unknown frame type ${type as number}`)
  }
}

function decode(bytes: Uint8Array, allowed: Set<FrameType>, sender: string): DecodeResult<BridgeFrame> {
  if (bytes.length > MAX_FRAME_BYTES) return { ok: false, reason: `frame of ${bytes.length} bytes is over the limit of ${MAX_FRAME_BYTES}` }
  if (bytes.length < 2) return { ok: false, reason: 'frame shorter than its header' }
  if (bytes[0] !== BRIDGE_PROTOCOL_VERSION) {
    return { ok: false, reason: `protocol version ${bytes[0]}, expected ${BRIDGE_PROTOCOL_VERSION}: reload the page or update the bridge` }
  }
  const type = bytes[1]! as FrameType
  if (!allowed.has(type)) return { ok: false, reason: `frame type ${type} may not be sent by the ${sender}` }
  try {
    const r = new FrameReader(bytes)
    const frame = decodeBody(type, r)
    r.end()
    return { ok: true, frame }
  } catch (err) {
    if (err instanceof Malformed) return { ok: false, reason: `${FrameType[type]} frame: ${err.message}` }
    throw err
  }
}

/** Decodes what a page sent (the bridge's side). DATA payloads are views into `bytes`. */
export function decodePageFrame(bytes: Uint8Array): DecodeResult<PageToBridgeFrame> {
  return decode(bytes, PAGE_TYPES, 'page') as DecodeResult<PageToBridgeFrame>
}

/** Decodes what the bridge sent (the page's side). DATA payloads are views into `bytes`. */
export function decodeBridgeFrame(bytes: Uint8Array): DecodeResult<BridgeToPageFrame> {
  return decode(bytes, BRIDGE_TYPES, 'bridge') as DecodeResult<BridgeToPageFrame>
}
