/**
 * Stands in for simple-peer in the compiled server (scripts/build-server.mjs): bittorrent-tracker's
 * client imports it for WebRTC offers over ws:// trackers, which the bridge never announces to (it
 * passes `wrtc: false`), and the real one would load a native WebRTC library for nothing.
 */
export default class NoWebRtcPeer {
  static WEBRTC_SUPPORT = false

  constructor() {
    throw new Error('the bridge does not do WebRTC')
  }
}
