/**
 * The peer connection service: dials TCP peers through the bridge and hands each stream to
 * webtorrent (`torrent.addPeer(stream)`), within a connection budget per torrent and in total,
 * with backoff for peers that fail and never two connections to one address. Inbound peers the
 * bridge routes to this page go to their torrent the same way. Counts connected peers by where
 * they were learnt, for the UI.
 *
 * Usage (engine):
 *   const peers = new PeerService(bridgeClient)
 *   peers.attach(torrent)                       // once webtorrent knows the info-hash
 *   discovery feeds peers.addCandidates(...)    // see discovery.ts
 *   peers.counts(infoHash)                      // { tracker, dht, pex, magnet, incoming, lsd }
 *   peers.direction(infoHash, { host, port })   // 'outbound' | 'inbound' | undefined (for PEX)
 *   peers.detach(infoHash)                      // on remove
 */
import { backoffDelay, type BackoffOptions } from '../../core/peer-connection/backoff'
import { busyRetryDelayMs } from '../../core/peer-connection/dial-refusal'
import { dialOutcome } from '../../core/peer-connection/dial-outcome'
import type { BridgeClient } from '../../bridge-client/bridge-client'
import type { BridgeStream } from '../../bridge-client/bridge-stream'
import { Emitter } from '../../bridge-client/emitter'
import type { PeerAddress, PeerSource } from '../../protocol/bridge-frames'
import { AppError } from '../../protocol/errors'

/** The part of a webtorrent torrent this service uses. */
export interface PeerTorrent {
  readonly infoHash: string
  addPeer(peer: unknown): boolean
  readonly paused?: boolean
  /** Complete: not dialing for it any more. The engine's own completeness (bridge-link.ts), not webtorrent's. */
  readonly done?: boolean
  readonly destroyed?: boolean
}

export type PeerCounts = Record<PeerSource, number>

export interface PeerServiceOptions {
  /** Bridged connections per torrent (dialed plus inbound). Default 40. */
  maxPerTorrent?: number
  /** Bridged connections for all torrents; also capped by the bridge's own limit. Default 150. */
  maxTotal?: number
  /** Dials in flight (not yet OPENED) at once. Default 12. */
  maxPendingDials?: number
  /** Delay before re-dialing a peer that failed, growing with each failure. */
  backoff?: BackoffOptions
  /** Failures after which a candidate is forgotten. Default 5. */
  maxFailures?: number
  /** After a working connection (the peer's handshake and a message received) ends, wait this long before dialing that peer again. Default 60 s. */
  redialAfterMs?: number
  /** Candidates kept per torrent (oldest dropped beyond it). Default 1000. */
  maxCandidates?: number
  now?: () => number
}

interface Candidate {
  peer: PeerAddress
  source: Exclude<PeerSource, 'incoming'>
  failures: number
  /** Not before this time (ms). */
  next: number
  /** Its connection is being closed as a second one to a peer the page is connected to already. */
  duplicate?: boolean
}

interface Entry {
  torrent: PeerTorrent
  candidates: Map<string, Candidate>
  /** Hosts that lied to this torrent: never dialed, nor let in. */
  banned: Set<string>
  /** Live streams by address key, with the source they count under. */
  active: Map<string, { stream: BridgeStream; source: PeerSource }>
}

export type PeerServiceEvents = {
  /** Connected-peer counts of a torrent changed. */
  counts: [infoHash: string, counts: PeerCounts]
}

/** A peer whose dialed connection was closed as a duplicate is dialed again no sooner than this. */
const DUPLICATE_REDIAL_MS = 10 * 60_000

const DEFAULT_BACKOFF: BackoffOptions = { minMs: 15_000, maxMs: 10 * 60_000, jitter: 0.2 }

function hostKey(host: string): string {
  return host.toLowerCase()
}

export function addressKey(peer: PeerAddress): string {
  return peer.host.includes(':') ? `[${peer.host.toLowerCase()}]:${peer.port}` : `${peer.host}:${peer.port}`
}

export class PeerService extends Emitter<PeerServiceEvents> {
  private readonly torrents = new Map<string, Entry>()
  /** Banned hosts by torrent, kept across a torrent's stop and start in this page. */
  private readonly banned = new Map<string, Set<string>>()
  private readonly opts: Required<Omit<PeerServiceOptions, 'now'>> & { now: () => number }
  private pendingDials = 0
  private timer: ReturnType<typeof setInterval> | null = null
  private readonly unsubscribe: (() => void)[]

  constructor(private readonly client: BridgeClient, options: PeerServiceOptions = {}) {
    super()
    this.opts = {
      maxPerTorrent: options.maxPerTorrent ?? 40,
      maxTotal: options.maxTotal ?? 150,
      maxPendingDials: options.maxPendingDials ?? 12,
      backoff: options.backoff ?? DEFAULT_BACKOFF,
      maxFailures: options.maxFailures ?? 5,
      redialAfterMs: options.redialAfterMs ?? 60_000,
      maxCandidates: options.maxCandidates ?? 1000,
      now: options.now ?? Date.now,
    }
    this.unsubscribe = [
      client.on('incoming', (stream) => this.incoming(stream)),
      client.on('state', (state) => { if (state === 'connected') this.pump() }),
    ]
    // retries come due with time, not only with events
    this.timer = setInterval(() => this.pump(), 1000)
  }

  attach(torrent: PeerTorrent): void {
    if (this.torrents.has(torrent.infoHash)) return
    this.torrents.set(torrent.infoHash, { torrent, candidates: new Map(), active: new Map(), banned: this.banned.get(torrent.infoHash) ?? new Set() })
  }

  /** Forgets the torrent and closes its bridged connections. */
  detach(infoHash: string): void {
    const entry = this.torrents.get(infoHash)
    if (!entry) return
    this.torrents.delete(infoHash)
    for (const { stream } of entry.active.values()) stream.destroy()
  }

  /** Peers learnt from a tracker, the DHT, PEX, the magnet link or LSD; dialed as the budget allows. */
  addCandidates(infoHash: string, source: Exclude<PeerSource, 'incoming'>, peers: readonly PeerAddress[]): void {
    const entry = this.torrents.get(infoHash)
    if (!entry) return
    for (const peer of peers) {
      const key = addressKey(peer)
      if (entry.candidates.has(key) || entry.banned.has(hostKey(peer.host))) continue
      if (entry.candidates.size >= this.opts.maxCandidates) {
        // drop the candidate that has failed most (Map keeps insertion order: oldest first on ties)
        let worst: string | null = null
        let worstFailures = -1
        for (const [k, c] of entry.candidates) if (!entry.active.has(k) && c.failures > worstFailures) { worst = k; worstFailures = c.failures }
        if (worst === null) return
        entry.candidates.delete(worst)
      }
      entry.candidates.set(key, { peer, source, failures: 0, next: 0 })
    }
    // new candidates make only this torrent dialable: with 1,000 torrents, each announce answer
    // walking all of them (and asking each whether it is complete) was 1-2 % of the page's main
    // thread while 50 downloaded (issue 17); the 1 s timer's pump still walks them all
    this.dialDue([entry])
  }

  counts(infoHash: string): PeerCounts {
    const counts: PeerCounts = { tracker: 0, dht: 0, pex: 0, magnet: 0, incoming: 0, lsd: 0 }
    for (const { source, stream } of this.torrents.get(infoHash)?.active.values() ?? []) if (stream.opened) counts[source]++
    return counts
  }

  /** Where the page heard of `remote`, if its connection to it is a bridged one and open. */
  sourceOf(infoHash: string, remote: PeerAddress): PeerSource | undefined {
    return this.openActive(infoHash, remote)?.source
  }

  /**
   * A peer that lied to this torrent: by its host (its inbound connections come from other ports),
   * never dialed again nor let in, for as long as the page runs.
   */
  ban(infoHash: string, remote: PeerAddress): void {
    const host = hostKey(remote.host)
    let banned = this.banned.get(infoHash)
    if (!banned) this.banned.set(infoHash, (banned = new Set()))
    banned.add(host)
    const entry = this.torrents.get(infoHash)
    if (!entry) return
    entry.banned = banned
    for (const [key, candidate] of entry.candidates) if (hostKey(candidate.peer.host) === host) entry.candidates.delete(key)
  }

  /** The page closes its dialed connection to `remote` as a duplicate (core/peer-connection/duplicate-peer.ts): do not dial it again soon. */
  deferRedial(infoHash: string, remote: PeerAddress): void {
    const candidate = this.torrents.get(infoHash)?.candidates.get(addressKey(remote))
    if (candidate) candidate.duplicate = true
  }

  /** Whether the page's connection to `remote` is a bridged one, open, and which way it was made. */
  direction(infoHash: string, remote: PeerAddress): BridgeStream['direction'] | undefined {
    return this.openActive(infoHash, remote)?.stream.direction
  }

  /** The page's bridged connection to `remote`, if there is one and it is open. */
  private openActive(infoHash: string, remote: PeerAddress): { stream: BridgeStream; source: PeerSource } | undefined {
    const active = this.torrents.get(infoHash)?.active.get(addressKey(remote))
    return active?.stream.opened ? active : undefined
  }

  /** Candidates known for a torrent (for the UI or tests). */
  candidateCount(infoHash: string): number {
    return this.torrents.get(infoHash)?.candidates.size ?? 0
  }

  get activeCount(): number {
    let n = 0
    for (const e of this.torrents.values()) n += e.active.size
    return n
  }

  destroy(): void {
    if (this.timer) clearInterval(this.timer)
    this.timer = null
    for (const off of this.unsubscribe) off()
    for (const infoHash of [...this.torrents.keys()]) this.detach(infoHash)
  }

  /** Dials due candidates, round-robin over torrents, within every budget. */
  pump(): void {
    this.dialDue(this.torrents.values())
  }

  /** Dials due candidates of `entries` (walked again while any dial is made), round-robin, within every budget. */
  private dialDue(entries: Iterable<Entry>): void {
    if (this.client.state !== 'connected') return
    const list = [...entries]
    const maxTotal = Math.min(this.opts.maxTotal, this.client.welcome?.maxStreams ?? Infinity)
    const now = this.opts.now()
    // counted once, then kept by hand: activeCount walks every torrent, and asking it for each
    // one made a pump over 1,000 torrents a million steps, every second
    let active = this.activeCount
    let progress = true
    while (progress) {
      progress = false
      for (const entry of list) {
        if (active >= maxTotal || this.pendingDials >= this.opts.maxPendingDials) return
        // the cheap tests first: most of 1,000 torrents have no candidate to dial
        if (entry.candidates.size === 0 || entry.active.size >= this.opts.maxPerTorrent) continue
        const t = entry.torrent
        // a complete torrent (seeding) waits for inbound peers
        if (t.destroyed || t.paused || t.done) continue
        const due = this.nextDue(entry, now)
        if (!due) continue
        this.dial(entry, due[0], due[1])
        active = this.activeCount
        progress = true
      }
    }
  }

  private nextDue(entry: Entry, now: number): [string, Candidate] | null {
    for (const [key, c] of entry.candidates) if (c.next <= now && !entry.active.has(key)) return [key, c]
    return null
  }

  private dial(entry: Entry, key: string, candidate: Candidate): void {
    let stream: BridgeStream
    try {
      stream = this.client.open(entry.torrent.infoHash, candidate.peer)
    } catch {
      return // not connected any more: the next `connected` state pumps again
    }
    this.pendingDials++
    let pending = true
    const settle = () => {
      if (pending) { pending = false; this.pendingDials-- }
    }
    entry.active.set(key, { stream, source: candidate.source })
    let failure: unknown = null
    stream.on('open', () => {
      settle()
      this.emit('counts', entry.torrent.infoHash, this.counts(entry.torrent.infoHash))
    })
    // only the peer's handshake and a real message after it make a dial count as working (core/peer-connection/greeting-watch.ts)
    stream.on('greeted', () => { candidate.failures = 0 })
    stream.on('error', (err: unknown) => { failure = err })
    stream.on('close', () => {
      settle()
      if (entry.active.get(key)?.stream === stream) entry.active.delete(key)
      const now = this.opts.now()
      const outcome = dialOutcome({
        bridgeLost: failure instanceof AppError && failure.code === 'BRIDGE_UNAVAILABLE',
        duplicate: candidate.duplicate === true,
        greeted: stream.greeted,
        closeCode: stream.closeCode,
      })
      if (outcome === 'bridge-lost') {
        candidate.next = now // the bridge went away, not the peer: try again once it is back
      } else if (outcome === 'duplicate') {
        // connected through another connection (it dialed us): dialing again would only be closed again
        candidate.duplicate = false
        candidate.next = now + DUPLICATE_REDIAL_MS
      } else if (outcome === 'worked') {
        candidate.next = now + this.opts.redialAfterMs
      } else if (outcome === 'bridge-busy') {
        candidate.next = now + busyRetryDelayMs(Math.random()) // the bridge's cap, not the peer's failure
      } else {
        // refused, timed out, or opened and then silent or not BitTorrent (a tarpit)
        candidate.failures++
        if (candidate.failures >= this.opts.maxFailures) entry.candidates.delete(key)
        else candidate.next = now + backoffDelay(candidate.failures, this.opts.backoff)
      }
      this.emit('counts', entry.torrent.infoHash, this.counts(entry.torrent.infoHash))
      this.pump()
    })
    // webtorrent destroys the stream itself when it refuses it (duplicate, paused, blocked)
    if (!entry.torrent.addPeer(stream)) stream.destroy()
  }

  private incoming(stream: BridgeStream): void {
    const entry = this.torrents.get(stream.infoHash)
    const key = addressKey({ host: stream.remoteAddress, port: stream.remotePort })
    if (!entry || entry.torrent.destroyed || entry.active.size >= this.opts.maxPerTorrent || entry.banned.has(hostKey(stream.remoteAddress))) {
      stream.destroy()
      return
    }
    entry.active.set(key, { stream, source: 'incoming' })
    stream.on('error', () => {})
    stream.on('close', () => {
      if (entry.active.get(key)?.stream === stream) entry.active.delete(key)
      this.emit('counts', stream.infoHash, this.counts(stream.infoHash))
    })
    if (!entry.torrent.addPeer(stream)) stream.destroy()
    this.emit('counts', stream.infoHash, this.counts(stream.infoHash))
  }
}
