/** What the server hands the app at load (`/runtime-config.json`), over the built-in defaults. */
export interface RuntimeConfig {
  type: 'runtime-config'
  /** Trackers announced to for every public torrent: ws/wss by webtorrent in the page, http/https/udp by the bridge. */
  trackers: string[]
  /** ICE servers for WebRTC; empty means host candidates only. */
  iceServers: { urls: string | string[] }[]
  /**
   * The bridge to TCP peers, HTTP/UDP trackers and the DHT, on this server's origin; absent or
   * null when there is none (the app then works over WebRTC only).
   */
  bridge?: { path: string; tokenRequired: boolean } | null
}

export const RUNTIME_CONFIG_PATH = '/runtime-config.json'

/** Public defaults a real user needs; tests always override them with loopback values. */
export const DEFAULT_TRACKERS = [
  'wss://tracker.openwebtorrent.com',
  'wss://tracker.webtorrent.dev',
  'wss://tracker.btorrent.xyz',
]
export const DEFAULT_ICE_SERVERS = [
  { urls: ['stun:stun.l.google.com:19302', 'stun:global.stun.twilio.com:3478'] },
]

export function defaultRuntimeConfig(): RuntimeConfig {
  return { type: 'runtime-config', trackers: [...DEFAULT_TRACKERS], iceServers: structuredClone(DEFAULT_ICE_SERVERS) }
}
