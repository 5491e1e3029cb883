import type { Torrent } from 'webtorrent/dist/webtorrent.min.js'
import { withWebSocketTrackerPrototype } from './websocket-tracker-prototype'

/** simple-peer's Peer (@thaunknown/simple-peer 10.1.2, bundled in the prebuilt module): the private members read here. */
interface PeerInternals {
  _destroy(cb: (...args: unknown[]) => void, err?: unknown): void
  _pc: HandlerHolder | null
  _channel: HandlerHolder | null
  destroyed?: boolean
  _destroying?: boolean
}

/** An RTCPeerConnection or RTCDataChannel, as far as its `on*` handler attributes go. */
type HandlerHolder = object & { ondatachannel?: ((event: { channel?: HandlerHolder }) => void) | null }

/** bittorrent-tracker's WebSocketTracker: its private maker of every WebRTC peer. */
interface PeerMaker {
  _createPeer(opts?: object): object
}

const patchedMakers = new WeakSet<object>()
const patchedPeers = new WeakSet<object>()

/**
 * Sets every `on*` event handler attribute of an RTCPeerConnection or RTCDataChannel that holds a
 * function to null. Enumerated, not listed: in Chromium they are enumerable accessors on the
 * prototype, in wrtc own properties, and a handler simple-peer adds later is released too.
 */
export function releaseHandlers(target: object): void {
  const holder = target as Record<string, unknown>
  for (const key in holder) {
    if (key.startsWith('on') && typeof holder[key] === 'function') holder[key] = null
  }
}

/**
 * simple-peer's `_destroy` closes the RTCPeerConnection and its data channel and then sets most of
 * their handlers to null, but not the connection's `onconnectionstatechange` nor the channel's
 * `onbufferedamountlow` (simple-peer 10.1.2, the version the prebuilt module bundles). Chromium
 * keeps a closed RTCPeerConnection alive on its native side for a while, and through those two
 * closures the Peer, its wire and the destroyed torrent with its piece buffers: a heap snapshot of
 * the page (1,000 torrents) found them. `_destroy` now releases every handler of both once
 * simple-peer has run its own clean-up (it keeps handlers for one timer tick so that events
 * concurrent with the destroy are handled, simple-peer #692; that stays). Releasing means setting
 * to null: no handler runs after that, so none can throw on the nulled `_pc`/`_channel`.
 * `peerProto` is the Peer prototype; patched once.
 */
export function releaseHandlersAtDestroy(peerProto: object): void {
  const proto = peerProto as PeerInternals
  if (patchedPeers.has(proto) || typeof proto._destroy !== 'function') return
  patchedPeers.add(proto)
  const original = proto._destroy
  proto._destroy = function (this: PeerInternals, cb, err) {
    if (this.destroyed || this._destroying) return original.call(this, cb, err)
    // Read now: simple-peer drops both references before it calls back.
    const pc = this._pc
    let channel = this._channel
    // The answering side gets its channel from `ondatachannel`, which simple-peer still handles
    // until its clean-up: a channel arriving in between is set up and closed by it, and released here.
    if (pc && !channel && typeof pc.ondatachannel === 'function') {
      const take = pc.ondatachannel
      pc.ondatachannel = function (this: unknown, event) {
        channel = event.channel ?? null
        take.call(this, event)
      }
    }
    original.call(this, (...args: unknown[]) => {
      if (pc) releaseHandlers(pc)
      if (channel) releaseHandlers(channel)
      cb(...args)
    }, err)
  }
}

/**
 * Every WebRTC peer of the page is made by bittorrent-tracker's WebSocketTracker `_createPeer`
 * (webtorrent makes none of its own in the browser), and the prebuilt module exports neither it
 * nor simple-peer's Peer: the Peer prototype is reached through the first peer a tracker makes,
 * before that peer can be destroyed. The tracker prototype is reached as in
 * websocket-tracker-prototype.ts and patched once.
 */
export function releaseDestroyedPeerHandlers(torrent: Torrent): void {
  withWebSocketTrackerPrototype(torrent, (proto) => {
    const maker = proto as PeerMaker
    if (patchedMakers.has(proto) || typeof maker._createPeer !== 'function') return
    patchedMakers.add(proto)
    const original = maker._createPeer
    maker._createPeer = function (this: PeerMaker, opts) {
      const peer = original.call(this, opts)
      releaseHandlersAtDestroy(Object.getPrototypeOf(peer) as object)
      return peer
    }
  })
}
