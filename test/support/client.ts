// A webtorrent (Node) client that stays on loopback: no DHT, LSD, PEX, uTP, UPnP/NAT-PMP, web
// seeds, public trackers or STUN; TCP bound to 127.0.0.1 or closed; WebRTC limited to loopback
// candidates (see loopback-webrtc.ts).
import net from 'node:net'
// @ts-ignore -- webtorrent 3 ships no types; the parts used are typed in webtorrent-types.ts.
import WebTorrentModule from 'webtorrent'
import { restrictWebRTCToLoopback } from './loopback-webrtc'
import type { WebTorrent, WebTorrentConstructor, WebTorrentOptions } from './webtorrent-types'

restrictWebRTCToLoopback()

export const WebTorrentCtor = WebTorrentModule as unknown as WebTorrentConstructor

export interface LoopbackClientOptions {
  /** TCP listen port on 127.0.0.1 (0 = ephemeral), or `false`: no TCP listener. Default false. */
  tcpPort?: number | false
  /** WebRTC peers through ws:// trackers. Default true. */
  webrtc?: boolean
  /** Bytes/s, -1 = unlimited (default). */
  uploadLimit?: number
  downloadLimit?: number
  maxConns?: number
  /**
   * How many peers to ask trackers for (and, over ws://, how many WebRTC offers to send: at most
   * 5). Default: bittorrent-tracker's (50). 0 makes the client a pure acceptor (see seeder.ts).
   */
  numwant?: number
  /** Anything else passed to `new WebTorrent()` (applied last: use with care). */
  extra?: WebTorrentOptions
}

export async function createLoopbackClient(opts: LoopbackClientOptions = {}): Promise<WebTorrent> {
  const tcpPort = opts.tcpPort ?? false
  const webrtc = opts.webrtc ?? true
  if (webrtc && !WebTorrentCtor.WEBRTC_SUPPORT) {
    throw new Error('webtorrent reports no WebRTC support: is the webrtc-polyfill override (@roamhq/wrtc) installed?')
  }
  if (Array.isArray((globalThis as { WEBTORRENT_ANNOUNCE?: unknown }).WEBTORRENT_ANNOUNCE)) {
    // webtorrent and create-torrent append this global to every torrent's trackers.
    throw new Error('globalThis.WEBTORRENT_ANNOUNCE is set: it would add trackers to every torrent')
  }
  const options: WebTorrentOptions = {
    torrentPort: tcpPort === false ? 0 : tcpPort,
    dht: false,
    lsd: false,
    utPex: false, // PEX could hand a WebRTC-only peer TCP addresses to dial
    utp: false, // uTP would bind a UDP socket on 0.0.0.0
    natUpnp: false,
    natPmp: false,
    webSeeds: false,
    // No `announce` here: a client-level tracker list is added to every torrent.
    tracker: {
      rtcConfig: { iceServers: [] },
      ...(webrtc ? {} : { wrtc: false }),
      ...(opts.numwant !== undefined ? { getAnnounceOpts: () => ({ numwant: opts.numwant }) } : {}),
    },
    uploadLimit: opts.uploadLimit ?? -1,
    downloadLimit: opts.downloadLimit ?? -1,
    ...(opts.maxConns !== undefined ? { maxConns: opts.maxConns } : {}),
    ...opts.extra,
  }

  // TRAP: webtorrent's Node ConnPool always creates a TCP server and calls
  // `tcpServer.listen(port, cb)` synchronously inside `new WebTorrent()`: all interfaces, and there
  // is no option for the host or for "no TCP". Workaround: for the duration of that synchronous
  // constructor call only, make `net.Server#listen(port, cb)` bind 127.0.0.1; for `tcpPort: false`
  // close the listener once it is up (see destroyClient for the matching close error).
  const originalListen = net.Server.prototype.listen
  const listen = originalListen as (this: net.Server, ...a: unknown[]) => net.Server
  let client: WebTorrent
  net.Server.prototype.listen = function (this: net.Server, ...args: unknown[]) {
    if (typeof args[0] === 'number' && typeof args[1] === 'function') return listen.call(this, args[0], '127.0.0.1', args[1])
    return listen.apply(this, args)
  } as typeof originalListen
  try {
    client = new WebTorrentCtor(options)
  } finally {
    net.Server.prototype.listen = originalListen
  }

  // Errors that are not ours to crash on (tracker hiccups at teardown etc.): keep them visible.
  client.on('error', (err: Error) => {
    if (!client.destroyed) console.error('[webtorrent client error]', err.message)
  })
  await new Promise<void>((resolve, reject) => {
    if (client.listening) return resolve()
    const onError = (err: Error) => reject(err)
    client.once('error', onError)
    client.once('listening', () => {
      client.removeListener('error', onError)
      resolve()
    })
  })
  const server = client._connPool?.tcpServer
  const address = server?.address()
  if (address && typeof address === 'object' && address.address !== '127.0.0.1') {
    throw new Error(`webtorrent TCP listener is on ${address.address}, expected 127.0.0.1`)
  }
  if (tcpPort === false && server) {
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }
  return client
}

/** Destroys a client; never rejects because the TCP listener was closed on purpose. */
export function destroyClient(client: WebTorrent): Promise<void> {
  return new Promise((resolve, reject) => {
    if (client.destroyed) return resolve()
    client.destroy((err) => {
      if (err && (err as NodeJS.ErrnoException).code !== 'ERR_SERVER_NOT_RUNNING') reject(err)
      else resolve()
    })
  })
}
