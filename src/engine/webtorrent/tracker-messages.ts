import type { Torrent } from 'webtorrent/dist/webtorrent.min.js'
import { readWebSocketTrackerMessage, type WebSocketTrackerMessage } from '../../core/peer-discovery/websocket-tracker-message'
import { routeTrackerSocket } from './tracker-socket-router'
import { withWebSocketTrackerPrototype } from './websocket-tracker-prototype'

/**
 * bittorrent-tracker's WebSocketTracker, as webtorrent keeps one per WebSocket tracker of a
 * torrent (`torrent.discovery.tracker._trackers`): its private message handler, and what it
 * reads to tell its own messages from the others' on a shared socket.
 */
interface WebSocketTrackerProto {
  _onSocketData(data: unknown): void
  _onAnnounceResponse(data: { info_hash?: unknown }): void
}
interface WebSocketTrackerInternals extends WebSocketTrackerProto {
  destroyed?: boolean
  expectingResponse?: boolean
  client: { _infoHashBinary: string; emit(event: 'warning', err: Error): void }
}

const patched = new WeakSet<object>()
/** The last raw message and what it was read as. */
let lastRaw: unknown = null
let lastRead: WebSocketTrackerMessage = { kind: 'dropped', reason: 'not JSON' }

/**
 * bittorrent-tracker shares one socket per tracker URL among all torrents, and each torrent's
 * tracker JSON.parses every message on it before dropping those of another info hash: with 1,000
 * torrents each announce answer was parsed 1,000 times, the top of the page's profile (issue 17).
 * One socket 'data' emit hands the same value to every listener in turn, so the last raw
 * message's parse is kept and reused, and a tracker skips at once an announce message that is
 * not its torrent's. What it does with its own (offers, answers, intervals, failures, warnings)
 * is its own `_onAnnounceResponse`, unchanged. The read (core/peer-discovery/websocket-tracker-message.ts)
 * also tells the router what else a message is: a scrape answer for some torrents, or one to drop. No public API: the handler and the socket are private to bittorrent-tracker.
 * The prototype is patched once, reached through the first torrent whose trackers exist
 * (websocket-tracker-prototype.ts). And the message is not even handed to the other torrents:
 * the socket's one router (tracker-socket-router.ts) calls only its torrent's handler, and
 * handles scrape answers and drops itself.
 */
export function parseTrackerMessagesOnce(torrent: Torrent): void {
  withWebSocketTrackerPrototype(torrent, (proto, tracker) => {
    const handler = proto as WebSocketTrackerProto
    if (typeof handler._onSocketData !== 'function' || typeof handler._onAnnounceResponse !== 'function') return
    if (!patched.has(proto)) patchPrototype(handler)
    routeTrackerSocket(proto, tracker, readOnce)
  })
}

/** The socket's message read, once per message (the last one is kept: see above). */
function readOnce(data: unknown): WebSocketTrackerMessage {
  if (data !== lastRaw) {
    lastRaw = data
    lastRead = readWebSocketTrackerMessage(data)
  }
  return lastRead
}

function patchPrototype(proto: WebSocketTrackerProto): void {
  patched.add(proto)
  const original = proto._onSocketData
  proto._onSocketData = function (this: WebSocketTrackerInternals, data: unknown) {
    if (this.destroyed) return
    const read = readOnce(data)
    if (read.kind === 'dropped' && read.reason === 'too large') {
      // never parsed (MAX_TRACKER_MESSAGE_BYTES); the original's word for what it cannot read
      this.expectingResponse = false
      this.client.emit('warning', new Error('Invalid tracker response'))
      return
    }
    if (read.kind !== 'announce') {
      // a tracker the router does not call (it has the rest): not JSON, a scrape answer (whose
      // handler changes what it parsed) or an unknown action take the original path, with a
      // parse of their own
      original.call(this, data)
      return
    }
    this.expectingResponse = false
    // another torrent's message on the shared socket: the original drops it in _onAnnounceResponse
    if (read.infoHash !== this.client._infoHashBinary) return
    this._onAnnounceResponse(read.message)
  }
}
