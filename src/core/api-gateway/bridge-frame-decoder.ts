/**
 * Bytes to bridge frames (layout in src/protocol/bridge-frames.ts), over frame-reader.ts. Decoding
 * never throws and never trusts a length it reads: a frame is checked against its type's exact shape
 * and the protocol's limits, and anything else is rejected with a reason that ends up in the
 * session's close message.
 */
import {
  BRIDGE_PROTOCOL_VERSION, CloseCode, FrameType, MAX_DATA_PAYLOAD, MAX_FRAME_BYTES, MAX_HOST_BYTES, MAX_PEERS_PER_FRAME, MAX_REASON_BYTES,
  MAX_STREAM_CREDIT, MAX_TRACKERS_PER_ANNOUNCE, MAX_URL_BYTES, MAX_WEB_SEED_FETCH_BYTES, MAX_WEB_SEED_URL_BYTES, WebSeedOutcome,
  type BridgeFrame, type BridgeToPageFrame, type PageToBridgeFrame, type PeerAddress,
} from '../../protocol/bridge-frames'
import {
  BRIDGE_TYPES, EVENTS, MAPPING_PROTOCOLS, MAPPING_STATES, MAX_CLOSE_CODE, MAX_WEB_SEED_OUTCOME, PAGE_TYPES, ROUTE_STATES, SOURCES,
  STATUS_IPV6, STATUS_LSD, TRACKER_STATES, UNKNOWN_COUNT,
} from './bridge-wire-values'
import { FrameReader, Malformed } from './frame-reader'

export type DecodeResult<F> = { ok: true; frame: F } | { ok: false; reason: string }

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
      const announceRate = r.u16('announce rate')
      const announceBurst = r.u16('announce burst')
      return { type, peerPort, maxStreams, dialRate, dht: dhtFlag === 1, announceRate, announceBurst }
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
