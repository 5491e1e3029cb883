/**
 * Bridge frames to bytes (layout in src/protocol/bridge-frames.ts), over frame-writer.ts. A value no
 * decoder would accept throws a RangeError: that is a bug in the caller, never a stranger's input.
 */
import {
  BRIDGE_PROTOCOL_VERSION, FrameType, MAX_DATA_PAYLOAD, MAX_HOST_BYTES, MAX_PEERS_PER_FRAME, MAX_REASON_BYTES, MAX_STREAM_CREDIT,
  MAX_TRACKERS_PER_ANNOUNCE, MAX_URL_BYTES, MAX_WEB_SEED_FETCH_BYTES, MAX_WEB_SEED_URL_BYTES, type BridgeFrame, type PeerAddress,
} from '../../protocol/bridge-frames'
import {
  EVENTS, MAPPING_PROTOCOLS, MAPPING_STATES, MAX_WEB_SEED_OUTCOME, ROUTE_STATES, SOURCES, STATUS_IPV6, STATUS_LSD, TRACKER_STATES, UNKNOWN_COUNT,
} from './bridge-wire-values'
import { FrameWriter } from './frame-writer'
import { ipToBytes } from '../ip-bytes'

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
      w.u16(frame.peerPort).u16(frame.maxStreams).u16(frame.dialRate).u8(frame.dht ? 1 : 0).u16(frame.announceRate).u16(frame.announceBurst)
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
