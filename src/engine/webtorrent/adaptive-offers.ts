import type { Torrent } from 'webtorrent/dist/webtorrent.min.js'
import { WebRtcOfferCount } from '../../core/peer-discovery/webrtc-offer-count'
import { withWebSocketTrackerPrototype } from './websocket-tracker-prototype'

/**
 * bittorrent-tracker's WebSocketTracker, one per WebSocket tracker of a torrent: what this patch
 * wraps (private: the announce's offer maker, its sender and its handler of the torrent's own
 * announce messages) and what it reads (the offers still waiting, by offer id in hex).
 */
interface OfferingTracker {
  _generateOffers(count: number, done: (offers: unknown[]) => void): void
  _send(params: { offers?: unknown; numwant?: unknown }): void
  _onAnnounceResponse(data: AnnounceMessage): void
  peers?: Record<string, unknown> | null
  client?: { _infoHashBinary?: string; _peerIdBinary?: string }
}
/** A tracker's announce message, unparsed beyond JSON: every field is a stranger's. */
interface AnnounceMessage {
  info_hash?: unknown
  peer_id?: unknown
  offer?: unknown
  answer?: unknown
  offer_id?: unknown
  complete?: unknown
  incomplete?: unknown
}

const patched = new WeakSet<object>()
/** Each tracker's (so each torrent's, per tracker URL) offer count. */
const counts = new WeakMap<object, WebRtcOfferCount>()

function countOf(tracker: object): WebRtcOfferCount {
  let count = counts.get(tracker)
  if (!count) counts.set(tracker, (count = new WebRtcOfferCount()))
  return count
}

/** The offer count of one of the torrent's trackers (`torrent.discovery.tracker._trackers`), for tests and diagnostics. */
export function offerCountOf(tracker: object): WebRtcOfferCount {
  return countOf(tracker)
}

/**
 * Every announce of a downloading torrent to a WebSocket tracker makes 5 WebRTC offers (5
 * RTCPeerConnections, each held up to 50 s), answered or not: with 50 torrents downloading from
 * TCP peers only, ~3 % of the page's main thread for offers nobody can answer (issue 17). The
 * offer maker now makes as many as core/peer-discovery/webrtc-offer-count.ts decides for that
 * torrent and tracker (fewer after unanswered announces, all 5 again at any sign of a WebRTC
 * peer), and the announce says `numwant` = the offers it carries (bittorrent-tracker's server
 * counts the offers; another server may read numwant). The signs are read from the torrent's own
 * announce messages before bittorrent-tracker's handler sees them: an answer to one of its
 * waiting offers, an offer from a peer, the swarm's counts. No public API: webtorrent has no hook
 * into its tracker client's announces. The prototype is patched once
 * (websocket-tracker-prototype.ts); it composes with tracker-offers.ts's pacing whatever the order.
 */
export function adaptTrackerOffers(torrent: Torrent): void {
  withWebSocketTrackerPrototype(torrent, (proto) => {
    const tracker = proto as OfferingTracker
    if (patched.has(proto)) return
    if (typeof tracker._generateOffers !== 'function' || typeof tracker._send !== 'function' || typeof tracker._onAnnounceResponse !== 'function') return
    patched.add(proto)
    const generate = tracker._generateOffers
    tracker._generateOffers = function (this: OfferingTracker, count, done) {
      generate.call(this, countOf(this).take(count), done)
    }
    const send = tracker._send
    tracker._send = function (this: OfferingTracker, params) {
      if (Array.isArray(params.offers)) params.numwant = params.offers.length
      send.call(this, params)
    }
    const onAnnounce = tracker._onAnnounceResponse
    tracker._onAnnounceResponse = function (this: OfferingTracker, data) {
      if (data.info_hash === this.client?._infoHashBinary && data.peer_id !== this.client?._peerIdBinary) observe(this, data)
      onAnnounce.call(this, data)
    }
  })
}

/** Read before the original handler, which drops an answered offer from `peers`. */
function observe(tracker: OfferingTracker, data: AnnounceMessage): void {
  const count = countOf(tracker)
  if (data.complete != null) count.swarmReported(data.complete, data.incomplete)
  if (typeof data.peer_id !== 'string') return
  if (data.offer) return count.webRtcPeerSeen()
  // an answer counts only for one of this torrent's waiting offers: anyone can send "an answer".
  // An offer id is 20 bytes; anything else is no offer of ours, and is not converted (a tracker's
  // string may be megabytes long).
  if (data.answer && isOfferId(data.offer_id) && tracker.peers && Object.hasOwn(tracker.peers, binaryToHex(data.offer_id))) count.webRtcPeerSeen()
}

/** bittorrent-tracker's offer ids: 20 random bytes as a "binary" string (one char a byte). */
function isOfferId(value: unknown): value is string {
  return typeof value === 'string' && value.length === 20
}

/** bittorrent-tracker's ids travel as "binary" strings (one char a byte); its `peers` are keyed by hex. */
function binaryToHex(binary: string): string {
  let hex = ''
  for (let i = 0; i < binary.length; i++) hex += (binary.charCodeAt(i) & 0xff).toString(16).padStart(2, '0')
  return hex
}
