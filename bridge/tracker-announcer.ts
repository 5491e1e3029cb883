/**
 * HTTP and UDP tracker announces (BEP 3, 15, 23) for one page's torrent, with bittorrent-tracker's
 * client: it parses compact and dictionary peer lists and re-announces at each tracker's own
 * `interval`. Each tracker's address is resolved and checked against the destination policy first,
 * so a page cannot make the bridge send requests into the user's network.
 */
import { lookup } from 'node:dns/promises'
// @ts-ignore -- bittorrent-tracker ships no types; the part used is typed below.
import TrackerClientModule from 'bittorrent-tracker/client'
import type { AnnounceEvent } from '../src/protocol/bridge-frames'
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

export interface TrackerAnnouncerOptions {
  infoHash: string
  peerId: string
  peerPort: number
  allowNet: readonly Cidr[]
  stats: () => AnnounceStats
  onPeer(addr: string): void
  onNotice(message: string): void
}

/** Only http(s):// and udp:// URLs whose host resolves to allowed addresses; the rest with reasons. */
export async function allowedTrackers(urls: readonly string[], allowNet: readonly Cidr[]): Promise<{ ok: string[]; refused: string[] }> {
  const ok: string[] = []
  const refused: string[] = []
  await Promise.all(urls.map(async (url) => {
    let parsed: URL
    try {
      parsed = new URL(url)
    } catch {
      refused.push(`${url}: not a URL`)
      return
    }
    if (!['http:', 'https:', 'udp:'].includes(parsed.protocol)) {
      refused.push(`${url}: the bridge announces to http, https and udp trackers only`)
      return
    }
    try {
      const addrs = await lookup(parsed.hostname.replace(/^\[|\]$/g, ''), { all: true })
      const bad = addrs.map((a) => checkTrackerAddress(a.address, allowNet)).find((v) => !v.ok)
      if (bad && !bad.ok) refused.push(`${url}: ${bad.reason}`)
      else ok.push(url)
    } catch (err) {
      refused.push(`${url}: cannot resolve (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`)
    }
  }))
  return { ok, refused }
}

export class TrackerAnnouncer {
  private client: TrackerClient | null = null
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
    if (this.client && sameList) {
      // 'none' and a repeated 'started' only refresh the stats (read at the next announce):
      // announcing now would ignore the interval the tracker asked for
      if (event === 'completed') this.client.complete()
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
    for (const reason of refused) this.opts.onNotice(`tracker refused: ${reason}`)
    if (this.destroyed || ok.length === 0) return
    const client = new TrackerClient({
      infoHash: this.opts.infoHash,
      peerId: this.opts.peerId,
      announce: ok,
      port: this.opts.peerPort,
      getAnnounceOpts: () => {
        const s = this.opts.stats()
        return { uploaded: s.uploaded, downloaded: s.downloaded, ...(s.left >= 0 ? { left: s.left } : {}), numwant: 80 }
      },
      wrtc: false,
    })
    client.on('peer', (addr) => this.opts.onPeer(addr))
    client.on('warning', (err) => this.opts.onNotice(`tracker: ${err.message}`))
    client.on('error', (err) => this.opts.onNotice(`tracker: ${err.message}`))
    this.client = client
    client.start()
    if (event === 'completed') client.complete()
  }

  private stop(): void {
    if (!this.client) return
    const client = this.client
    this.client = null
    this.urls = []
    try {
      client.stop()
    } catch {}
    client.destroy()
  }

  destroy(): void {
    this.destroyed = true
    this.stop()
  }
}
