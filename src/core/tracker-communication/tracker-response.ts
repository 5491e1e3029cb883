/**
 * Tracker answers (BEP 3 and 23 over HTTP, BEP 15 over UDP, BEP 7 for IPv6), parsed once, with
 * limits: every byte a tracker sends is hostile until it has been through here. Peers come out
 * canonical (core/peer-address.ts) and at most MAX_TRACKER_PEERS of them; numbers come out as
 * non-negative safe integers or "none given"; texts are clipped and stripped of control
 * characters. Anything else is a `failure` with a reason a person can read.
 *
 * Pure: the bridge's HTTP and UDP clients (bridge/tracker-communication/tracker-http.ts, bridge/tracker-communication/tracker-udp.ts) do
 * the I/O and hand the bytes over.
 */
import type { PeerAddress } from '../../protocol/bridge-frames'
import { bdecode, type BDict, type BValue } from '../torrent-parser/bencode'
import { ipToBytes } from '../ip-bytes'
import { canonicalPeer, COMPACT_V4, COMPACT_V6, decodeCompactPeers, dialable, peerKey } from '../peer-address'

/** Peers kept from one answer: one PEERS frame's worth; we ask for 80 (numwant). */
export const MAX_TRACKER_PEERS = 500
/**
 * Values decoded from one answer at most: a dictionary peer is 4 (itself, ip, port, peer id), so
 * this is twice MAX_TRACKER_PEERS of them with room for the answer's own fields. A tracker that
 * sends more peers than we asked for (numwant 80) in this form gets its answer refused.
 */
export const MAX_TRACKER_VALUES = 8 * MAX_TRACKER_PEERS + 64
/** Longest text (failure reason, warning) kept from a tracker. */
export const MAX_TRACKER_TEXT = 200
/** Longest `tracker id` echoed back to the tracker. */
const MAX_TRACKER_ID_BYTES = 64

export interface AnnounceAnswer {
  type: 'announce'
  /** Seconds the tracker asks us to wait, and the least it allows; null when it gave none (or nonsense). */
  interval: number | null
  minInterval: number | null
  /** Seeders and leechers it counts; -1 when it gave none. */
  complete: number
  incomplete: number
  peers: PeerAddress[]
  /** Peer entries left out: malformed, undialable, duplicate or past MAX_TRACKER_PEERS. */
  dropped: number
  warning: string | null
  trackerId: Uint8Array | null
}

export interface TrackerFailure {
  type: 'failure'
  reason: string
}

export type HttpAnswer = AnnounceAnswer | TrackerFailure

/** An HTTP tracker's bencoded answer to an announce. */
export function parseHttpAnnounce(body: Uint8Array): HttpAnswer {
  let value: BValue
  try {
    // a few trackers end their answer with a newline: not part of the value
    let end = body.length
    while (end > 0 && (body[end - 1] === 0x0a || body[end - 1] === 0x0d || body[end - 1] === 0x20)) end--
    // peers as dictionaries nest three deep (answer, list, peer); nothing legitimate is deeper, nor
    // has more values than MAX_TRACKER_VALUES (1 MiB of "de" cost 178 ms and 103 MiB without it)
    value = bdecode(body.subarray(0, end), { maxDepth: 4, maxValues: MAX_TRACKER_VALUES })
  } catch {
    return failure(`its answer is not bencode (${describeBody(body)})`)
  }
  if (!(value instanceof Map)) return failure('its answer is not a dictionary')
  const failed = value.get('failure reason')
  if (failed !== undefined) return failure(`it says: ${trackerText(failed) || 'failed, with no reason given'}`)

  const peers = new PeerCollector()
  collectPeers(value.get('peers'), COMPACT_V4, peers)
  collectPeers(value.get('peers6'), COMPACT_V6, peers)
  const id = value.get('tracker id')
  const warning = value.get('warning message')
  return {
    type: 'announce',
    interval: seconds(value.get('interval')),
    minInterval: seconds(value.get('min interval')),
    complete: count(value.get('complete')),
    incomplete: count(value.get('incomplete')),
    peers: peers.list,
    dropped: peers.dropped,
    warning: warning === undefined ? null : trackerText(warning),
    trackerId: id instanceof Uint8Array && id.length > 0 && id.length <= MAX_TRACKER_ID_BYTES ? id.slice() : null,
  }
}

// ---- UDP (BEP 15) ----

export const UDP_ACTION = { connect: 0, announce: 1, scrape: 2, error: 3 } as const
/** Largest UDP answer read: the header and MAX_TRACKER_PEERS IPv6 peers fit many times over. */
export const MAX_UDP_ANSWER_BYTES = 64 * 1024

export type UdpAnswer =
  | { type: 'connect'; connectionId: Uint8Array }
  | AnnounceAnswer
  | TrackerFailure

/**
 * One UDP datagram from the tracker, for the request with `transactionId` and `action`; null when
 * it is not an answer to that request (another transaction, too short, another action): such a
 * datagram is ignored, as BEP 15 says, not taken as the tracker's failure. `peerSize` is 6 for a
 * tracker reached over IPv4 and 18 over IPv6 (BEP 15: the family decides the peer format).
 */
export function parseUdpAnswer(msg: Uint8Array, transactionId: number, action: 'connect' | 'announce', peerSize: typeof COMPACT_V4 | typeof COMPACT_V6): UdpAnswer | null {
  if (msg.length < 8 || msg.length > MAX_UDP_ANSWER_BYTES) return null
  const view = new DataView(msg.buffer, msg.byteOffset, msg.byteLength)
  if (view.getUint32(4) !== transactionId) return null
  const got = view.getUint32(0)
  if (got === UDP_ACTION.error) return failure(`it says: ${trackerText(msg.subarray(8)) || 'failed, with no reason given'}`)
  if (action === 'connect') {
    if (got !== UDP_ACTION.connect || msg.length < 16) return null
    return { type: 'connect', connectionId: msg.slice(8, 16) }
  }
  if (got !== UDP_ACTION.announce || msg.length < 20) return null
  const peers = new PeerCollector()
  peers.addCompact(msg.subarray(20), peerSize)
  return {
    type: 'announce',
    interval: seconds(view.getUint32(8)),
    minInterval: null,
    incomplete: view.getUint32(12),
    complete: view.getUint32(16),
    peers: peers.list,
    dropped: peers.dropped,
    warning: null,
    trackerId: null,
  }
}

// ---- parts ----

class PeerCollector {
  readonly list: PeerAddress[] = []
  dropped = 0
  private readonly seen = new Set<string>()

  add(peer: PeerAddress | null): void {
    if (!peer || this.list.length >= MAX_TRACKER_PEERS) {
      this.dropped++
      return
    }
    const key = peerKey(peer)
    if (this.seen.has(key)) {
      this.dropped++
      return
    }
    this.seen.add(key)
    this.list.push(peer)
  }

  /** A compact list, decoded a room's worth at a time: a repeated entry takes no room from the peers after it. */
  addCompact(bytes: Uint8Array, size: typeof COMPACT_V4 | typeof COMPACT_V6): void {
    let rest = bytes
    while (rest.length >= size && this.list.length < MAX_TRACKER_PEERS) {
      const room = MAX_TRACKER_PEERS - this.list.length
      const part = rest.subarray(0, room * size)
      const compact = decodeCompactPeers(part, size, room)
      this.dropped += compact.dropped
      for (const { peer } of compact.peers) this.add(peer)
      rest = rest.subarray(part.length)
    }
    // whole entries past MAX_TRACKER_PEERS, and a partial one
    this.dropped += Math.ceil(rest.length / size)
  }
}

/** `peers` or `peers6`: a compact string, or a list of dictionaries with `ip` and `port`. */
function collectPeers(value: BValue | undefined, size: typeof COMPACT_V4 | typeof COMPACT_V6, into: PeerCollector): void {
  if (value === undefined) return
  if (value instanceof Uint8Array) return into.addCompact(value, size)
  if (!Array.isArray(value)) {
    into.dropped++
    return
  }
  for (let i = 0; i < value.length; i++) {
    if (into.list.length >= MAX_TRACKER_PEERS) {
      into.dropped += value.length - i
      return
    }
    const entry = value[i]
    const peer = entry instanceof Map ? canonicalPeer(entry.get('ip'), entry.get('port')) : null
    // what a compact entry drops (0.0.0.0, multicast, broadcast), a dictionary one drops too
    into.add(peer && dialable(ipToBytes(peer.host)!) ? peer : null)
  }
}

/** Whole seconds, 0 to a year; null for anything else (a tracker's "interval -1" is no interval). */
function seconds(v: BValue | number | undefined): number | null {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 && v <= 365 * 86_400 ? v : null
}

function count(v: BValue | undefined): number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : -1
}

/** A tracker's text for a person, on one line: UTF-8, control characters and line separators out, at most MAX_TRACKER_TEXT characters. */
export function trackerText(v: BValue | BDict | undefined): string {
  if (!(v instanceof Uint8Array)) return ''
  const clipped = new TextDecoder().decode(v.subarray(0, MAX_TRACKER_TEXT * 4))
  let out = ''
  for (const ch of clipped) {
    const c = ch.codePointAt(0)!
    out += c < 0x20 || (c >= 0x7f && c < 0xa0) || c === 0x2028 || c === 0x2029 ? ' ' : ch
    if (out.length >= MAX_TRACKER_TEXT) break
  }
  return out.trim()
}

function failure(reason: string): TrackerFailure {
  return { type: 'failure', reason }
}

/** What a non-bencode answer looks like, for the message: HTML, empty, or binary. */
function describeBody(body: Uint8Array): string {
  if (body.length === 0) return 'it was empty'
  const head = trackerText(body.subarray(0, 64)).toLowerCase()
  if (head.startsWith('<')) return 'it looks like a web page'
  return `${body.length} bytes`
}
