// A webtorrent (Node) seeder of a folder, announcing only to the trackers it is given.
import { createLoopbackClient, destroyClient } from './client'
import type { Torrent, WebTorrent } from './webtorrent-types'

export interface SeederOptions {
  /** The folder written by writeFixture (`dir/name`); its base name becomes the torrent name. */
  root: string
  /** Loopback tracker URLs (ws://, http://, udp://). May be empty (peers added by hand). */
  announce: string[]
  /** Default 256 KiB. */
  pieceLength?: number
  /** WebRTC peers via ws:// trackers. Default true. */
  webrtc?: boolean
  /** TCP listen port on 127.0.0.1 (0 = ephemeral) or false (default): no TCP. */
  tcpPort?: number | false
  /** Bytes/s, -1 (default) = unlimited. */
  uploadLimit?: number
  /**
   * Also reach out to peers the trackers know of: WebRTC offers over ws://, TCP dials from
   * http/udp peer lists. Default false: the seeder announces with numwant 0 and only accepts.
   * TRAP (seen here: 7 of 10 runs with a leecher added right after the seeder was ready): webtorrent
   * seeds announce `completed` at once (no offers, but the tracker adds the peer to the swarm) and
   * `started` with 5 offers some 200 ms later, once ICE gathering is done. A leecher whose own
   * offers reach the tracker in that window gets an offer from the seeder while the seeder gets
   * one from it; each side answers the incoming offer, then drops the connection it initiated as a
   * "duplicate" peer id, and each drops the one the other kept: no connection at all until the
   * next announce (minutes). With numwant 0 only the leecher offers, so there is one connection.
   */
  initiate?: boolean
  /** How long to wait for hashing plus the first tracker announce. Default 120 s. */
  timeoutMs?: number
  /** webtorrent's protocol encryption (MSE): 0 = none, 1 = MSE or plaintext (its default), 2 = RC4 only. */
  secure?: 0 | 1 | 2
}

export interface Seeder {
  infoHash: string
  magnetURI: string
  torrentFile: Uint8Array
  name: string
  pieceLength: number
  length: number
  /** The TCP port on 127.0.0.1, or null when TCP is off. */
  tcpPort: number | null
  client: WebTorrent
  torrent: Torrent
  destroy(): Promise<void>
}

export const DEFAULT_PIECE_LENGTH = 256 * 1024

/** Throws unless `url` points at 127.0.0.0/8, ::1 or localhost. */
export function assertLoopbackUrl(url: string): void {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '')
  if (!(host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host))) {
    throw new Error(`not a loopback tracker: ${url}`)
  }
}

function isWebSocketUrl(url: string): boolean {
  return url.startsWith('ws:') || url.startsWith('wss:')
}

export async function startSeeder(opts: SeederOptions): Promise<Seeder> {
  const webrtc = opts.webrtc ?? true
  const tcpPort = opts.tcpPort ?? false
  const pieceLength = opts.pieceLength ?? DEFAULT_PIECE_LENGTH
  const timeoutMs = opts.timeoutMs ?? 120_000
  const announce = [...new Set(opts.announce)]
  announce.forEach(assertLoopbackUrl)

  const client = await createLoopbackClient({
    tcpPort,
    webrtc,
    uploadLimit: opts.uploadLimit ?? -1,
    ...(opts.initiate ? {} : { numwant: 0 }),
    ...(opts.secure !== undefined ? { extra: { secure: opts.secure } } : {}),
  })
  try {
    // TRAP: create-torrent adds its list of public trackers unless `announce` or `announceList`
    // is given (an empty array counts as given). Pass both; the result is checked below.
    const torrent = client.seed(opts.root, {
      announce,
      announceList: announce.map((u) => [u]),
      pieceLength,
      createdBy: 'torrent-web test harness',
    })
    // Trackers this client will really talk to (ws:// ones are skipped without WebRTC).
    const usable = announce.filter((u) => webrtc || !isWebSocketUrl(u))
    // Listen before anything can fire: the first announce may come before the 'seed' callback.
    // Any announce response means the tracker has this peer in its swarm (`completed` from a peer
    // it does not know counts as `started`); with `initiate` the offers may still be on their way.
    const announced = new Promise<void>((resolve) => {
      if (usable.length === 0) resolve()
      else torrent.once('trackerAnnounce', () => resolve())
    })
    const seeded = new Promise<void>((resolve, reject) => {
      torrent.once('error', reject)
      torrent.once('seed', () => {
        torrent.removeListener('error', reject)
        resolve()
      })
    })
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`seeder not ready after ${timeoutMs} ms (hash + first announce)`)), timeoutMs)
    })
    try {
      await Promise.race([Promise.all([seeded, announced]), timeout])
    } finally {
      clearTimeout(timer)
    }
    torrent.on('warning', () => {}) // tracker reconnects etc.
    torrent.on('error', (err: Error) => console.error('[seeder torrent error]', err.message))

    if (!torrent.done) throw new Error('seeded torrent is not done')
    const allowed = new Set(announce)
    const extra = torrent.announce.filter((u) => !allowed.has(u))
    if (extra.length > 0) throw new Error(`unexpected trackers in the torrent: ${extra.join(' ')}`)
    const magnetTrackers = new URL(torrent.magnetURI).searchParams.getAll('tr')
    const extraInMagnet = magnetTrackers.filter((u) => !allowed.has(u))
    if (extraInMagnet.length > 0) throw new Error(`unexpected trackers in the magnet: ${extraInMagnet.join(' ')}`)
    if (torrent.urlList.length > 0) throw new Error(`unexpected web seeds: ${torrent.urlList.join(' ')}`)

    return {
      infoHash: torrent.infoHash,
      magnetURI: torrent.magnetURI,
      torrentFile: new Uint8Array(torrent.torrentFile),
      name: torrent.name,
      pieceLength: torrent.pieceLength,
      length: torrent.length,
      tcpPort: tcpPort === false ? null : client.torrentPort,
      client,
      torrent,
      destroy: () => destroyClient(client),
    }
  } catch (err) {
    await destroyClient(client).catch(() => {})
    throw err
  }
}
