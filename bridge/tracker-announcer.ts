/**
 * HTTP and UDP tracker announces (BEP 3, 15, 23) for one page's torrent, with bittorrent-tracker's
 * client: it parses compact and dictionary peer lists and re-announces at each tracker's own
 * `interval`. Each tracker's address is resolved and checked against the destination policy first,
 * so a page cannot make the bridge send requests into the user's network.
 */
import { lookup } from 'node:dns/promises'
// @ts-ignore -- bittorrent-tracker ships no types; the part used is typed below.
import TrackerClientModule from 'bittorrent-tracker/client'
import type { AnnounceEvent, TrackerFrame } from '../src/protocol/bridge-frames'
import { checkTrackerAddress, type Cidr } from './policy'

interface TrackerClient {
  start(opts?: object): void
  update(opts?: object): void
  complete(opts?: object): void
  stop(opts?: object): void
  destroy(cb?: () => void): void
  on(event: 'peer', fn: (addr: string) => void): void
  on(event: 'warning' | 'error', fn: (err: Error) => void): void
  on(event: 'update', fn: (data: { announce: string; complete?: number; incomplete?: number }) => void): void
}
type TrackerClientCtor = new (opts: {
  infoHash: string; peerId: string; announce: string[]; port: number
  getAnnounceOpts: () => object; wrtc?: false
}) => TrackerClient
const TrackerClient = TrackerClientModule as unknown as TrackerClientCtor

export interface AnnounceStats { uploaded: number; downloaded: number; left: number }

/** One tracker's state for the page's tracker list: a TRACKER frame's body. */
export type TrackerStatus = Omit<TrackerFrame, 'type' | 'infoHash'>

export interface TrackerAnnouncerOptions {
  infoHash: string
  peerId: string
  peerPort: number
  allowNet: readonly Cidr[]
  stats: () => AnnounceStats
  onPeer(addr: string): void
  onNotice(message: string): void
  /** A tracker's state changed. */
  onTracker(status: TrackerStatus): void
}

/** Only http(s):// and udp:// URLs whose host resolves to allowed addresses; the rest with reasons. */
export async function allowedTrackers(urls: readonly string[], allowNet: readonly Cidr[]): Promise<{ ok: string[]; refused: { url: string; reason: string }[] }> {
  const ok: string[] = []
  const refused: { url: string; reason: string }[] = []
  await Promise.all(urls.map(async (url) => {
    let parsed: URL
    try {
      parsed = new URL(url)
    } catch {
      refused.push({ url, reason: 'not a URL' })
      return
    }
    if (!['http:', 'https:', 'udp:'].includes(parsed.protocol)) {
      refused.push({ url, reason: 'the bridge announces to http, https and udp trackers only' })
      return
    }
    try {
      const addrs = await lookup(parsed.hostname.replace(/^\[|\]$/g, ''), { all: true })
      const bad = addrs.map((a) => checkTrackerAddress(a.address, allowNet)).find((v) => !v.ok)
      if (bad && !bad.ok) refused.push({ url, reason: bad.reason })
      else ok.push(url)
    } catch (err) {
      refused.push({ url, reason: `cannot resolve (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})` })
    }
  }))
  return { ok, refused }
}

/**
 * One bittorrent-tracker client per tracker URL, not one for all: the client's events do not say
 * which tracker a peer list or an error came from, and the tracker list shows each one's state.
 */
export class TrackerAnnouncer {
  private clients: TrackerClient[] = []
  private urls: string[] = []
  private destroyed = false

  constructor(private readonly opts: TrackerAnnouncerOptions) {}

  private chain: Promise<void> = Promise.resolve()

  /** Announces `event` to `urls` (a new list replaces the old one and starts over); in order. */
  announce(urls: readonly string[], event: AnnounceEvent): Promise<void> {
    this.chain = this.chain.then(() => this.run(urls, event)).catch((err) => this.opts.onNotice(`tracker: ${(err as Error).message}`))
    return this.chain
  }

  private async run(urls: readonly string[], event: AnnounceEvent): Promise<void> {
    if (this.destroyed) return
    const sameList = urls.length === this.urls.length && urls.every((u, i) => u === this.urls[i])
    if (this.clients.length && sameList) {
      // 'none' and a repeated 'started' only refresh the stats (read at the next announce):
      // announcing now would ignore the interval the tracker asked for
      if (event === 'completed') for (const client of this.clients) client.complete()
      else if (event === 'stopped') this.stop()
      return
    }
    if (event === 'stopped') {
      this.stop()
      return
    }
    this.stop()
    this.urls = [...urls]
    const { ok, refused } = await allowedTrackers(urls, this.opts.allowNet)
    for (const { url, reason } of refused) {
      this.opts.onNotice(`tracker refused: ${url}: ${reason}`)
      this.opts.onTracker({ url, state: 'refused', message: reason, peers: 0, seeders: -1, leechers: -1 })
    }
    if (this.destroyed) return
    for (const url of ok) {
      const client = this.start(url)
      if (event === 'completed') client.complete()
    }
  }

  private start(url: string): TrackerClient {
    const status: TrackerStatus = { url, state: 'announcing', message: '', peers: 0, seeders: -1, leechers: -1 }
    const report = () => this.opts.onTracker({ ...status })
    // an answer's peers come as events right after its 'update': one report once they are in
    let pending = false
    const reportSoon = () => {
      if (pending) return
      pending = true
      setImmediate(() => {
        pending = false
        if (this.clients.includes(client)) report()
      })
    }
    const client = new TrackerClient({
      infoHash: this.opts.infoHash,
      peerId: this.opts.peerId,
      announce: [url],
      port: this.opts.peerPort,
      getAnnounceOpts: () => {
        const s = this.opts.stats()
        return { uploaded: s.uploaded, downloaded: s.downloaded, ...(s.left >= 0 ? { left: s.left } : {}), numwant: 80 }
      },
      wrtc: false,
    })
    client.on('update', (data) => {
      Object.assign(status, { state: 'working', message: '', peers: 0, seeders: count(data.complete), leechers: count(data.incomplete) })
      reportSoon()
    })
    client.on('peer', (addr) => {
      status.peers++
      reportSoon()
      this.opts.onPeer(addr)
    })
    const failed = (err: Error) => {
      const message = describeError(err)
      Object.assign(status, { state: 'error', message, peers: 0 })
      reportSoon()
      this.opts.onNotice(`tracker: ${message}`)
    }
    client.on('warning', failed)
    client.on('error', failed)
    this.clients.push(client)
    report()
    client.start()
    return client
  }

  private stop(): void {
    const clients = this.clients
    this.clients = []
    this.urls = []
    for (const client of clients) {
      try {
        client.stop()
      } catch {}
      client.destroy()
    }
  }

  destroy(): void {
    this.destroyed = true
    this.stop()
  }
}

/** An announce's error in words: Node's fetch says only "fetch failed", its cause says why (ECONNREFUSED, ENOTFOUND…). */
function describeError(err: Error): string {
  const cause = (err as { cause?: { code?: unknown; message?: unknown } }).cause
  const why = typeof cause?.code === 'string' ? cause.code : typeof cause?.message === 'string' ? cause.message : ''
  return why && !err.message.includes(why) ? `${err.message} (${why})` : err.message
}

/** A tracker's count of seeders or leechers: -1 when it gave none. */
function count(n: unknown): number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 ? n : -1
}
