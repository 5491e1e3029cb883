/**
 * The torrents one page registered, and their discovery: the peer id each was registered with,
 * the stats the page announces, its trackers (behind the announce gate), whether the DHT and LSD
 * look for it, and the peers found for it, sent to the page in batches. An exception in one
 * torrent's discovery ends that torrent's announces only, never the page's session.
 */
import { FrameType, type AnnounceFrame, type BridgePeerSource, type RegisterFrame } from '../../src/protocol/bridge-frames'
import { AnnounceGate } from '../api-gateway/announce-gate'
import { log } from '../log'
import type { PageSession, SessionHost } from '../api-gateway/page-session'
import { PeerBatches } from './peer-batches'
import { RequestSlots } from '../api-gateway/request-slots'
import { TrackerAnnouncer, type AnnounceStats } from '../tracker-communication/tracker-announcer'

interface Registration {
  peerId: string
  stats: AnnounceStats
  trackers: TrackerAnnouncer | null
  dht: boolean
}

export class PageTorrents {
  private readonly registrations = new Map<string, Registration>()
  private readonly trackerSlots: RequestSlots
  private readonly goodbyeSlots: RequestSlots
  private readonly gate: AnnounceGate
  private readonly peerBatches: PeerBatches

  constructor(private readonly session: PageSession, private readonly host: SessionHost) {
    this.trackerSlots = new RequestSlots(host.limits.maxTrackerRequestsPerSession, host.trackerSlots, host.limits.trackerRequestsPerSecond, host.limits.trackerRequestsPerSecond)
    this.goodbyeSlots = new RequestSlots(host.limits.maxTrackerGoodbyesPerSession, host.goodbyeSlots)
    this.gate = new AnnounceGate(host.limits.announcesPerSecond, host.limits.announceBurst,
      (frame) => this.guardTorrent(frame.infoHash, 'an announce', () => this.applyAnnounce(frame)),
      (infoHash, message) => session.send({ type: FrameType.Notice, infoHash, message }))
    this.peerBatches = new PeerBatches(host.allowNet,
      (infoHash, source, peers) => session.guard('a peer list', () => session.send({ type: FrameType.Peers, infoHash, source, peers })),
      (infoHash, message) => session.send({ type: FrameType.Notice, infoHash, message }),
      Date.now, (infoHash, peer) => host.lanPeer(infoHash, peer))
  }

  get size(): number { return this.registrations.size }
  has(infoHash: string): boolean { return this.registrations.has(infoHash) }
  /** The peer id the page registered `infoHash` with (undefined: not registered). */
  peerId(infoHash: string): string | undefined { return this.registrations.get(infoHash)?.peerId }
  infoHashes(): string[] { return [...this.registrations.keys()] }

  /** Adds its trackers' states to `into`. */
  countTrackerStates(into: Record<string, number>): void {
    for (const reg of this.registrations.values()) reg.trackers?.countStates(into)
  }

  /** True when the torrent is new to this page (the bridge is then told: see SessionHost.registered). */
  register(frame: RegisterFrame): boolean {
    if (this.registrations.has(frame.infoHash)) return false
    // Over the cap the torrent is refused, not the page: closing the session for it (as it once did,
    // at the stream cap of 300) stopped every torrent of a library of 1,000, and the page's
    // reconnect registered them all again into the same close (docs/BENCHMARKS.md, "Scale: the page").
    if (this.registrations.size >= this.session.limits.maxTorrentsPerSession) {
      this.session.send({ type: FrameType.Notice, infoHash: frame.infoHash, message: `the bridge announces at most ${this.session.limits.maxTorrentsPerSession} torrents of one page; this one is not announced` })
      return false
    }
    this.registrations.set(frame.infoHash, { peerId: frame.peerId, stats: { uploaded: 0, downloaded: 0, left: -1 }, trackers: null, dht: false })
    return true
  }

  /** The stats go in at once (announces read them when they go); the rest through the gate. */
  announce(frame: AnnounceFrame): void {
    const reg = this.registrations.get(frame.infoHash)
    if (!reg) {
      this.session.send({ type: FrameType.Notice, infoHash: frame.infoHash, message: 'announce for a torrent this page did not register' })
      return
    }
    reg.stats = { uploaded: frame.uploaded, downloaded: frame.downloaded, left: frame.left }
    this.gate.offer(frame)
  }

  /** A peer for a registered torrent from the bridge's trackers, DHT or LSD, in whatever shape it came. */
  sendPeer(infoHash: string, source: BridgePeerSource, host: unknown, port: unknown): void {
    if (!this.registrations.has(infoHash)) return
    this.peerBatches.add(infoHash, source, host, port)
  }

  /**
   * Ends the torrent's discovery; false when it was not registered. `goodbye`: the page went
   * without a word; its trackers are told 'stopped' (within the goodbye budget).
   */
  unregister(infoHash: string, goodbye: boolean): boolean {
    const reg = this.registrations.get(infoHash)
    if (!reg) return false
    this.gate.forget(infoHash)
    reg.trackers?.destroy(goodbye)
    if (reg.dht) {
      this.host.wantDht(this.session, infoHash, false)
      this.host.wantLsd(this.session, infoHash, false)
    }
    this.registrations.delete(infoHash)
    this.peerBatches.forget(infoHash)
    return true
  }

  /** The session ended (every torrent unregistered already): nothing waits any more. */
  clear(): void {
    this.gate.clear()
    this.peerBatches.clear()
  }

  private applyAnnounce(frame: AnnounceFrame): void {
    const reg = this.registrations.get(frame.infoHash)
    if (!reg) return
    reg.trackers ??= new TrackerAnnouncer({
      infoHash: frame.infoHash,
      peerId: reg.peerId,
      peerPort: this.host.peerPort,
      allowNet: this.host.allowNet,
      ...(this.host.resolve ? { resolve: this.host.resolve } : {}),
      outgoing: this.host.outgoing,
      slots: this.trackerSlots,
      goodbyes: this.goodbyeSlots,
      stats: () => reg.stats,
      onPeers: (peers) => this.guardTorrent(frame.infoHash, 'a tracker\'s peers', () => {
        for (const peer of peers) this.session.sendPeer(frame.infoHash, 'tracker', peer.host, peer.port)
      }),
      onNotice: (message) => this.session.send({ type: FrameType.Notice, infoHash: frame.infoHash, message }),
      onResult: (result) => this.session.metrics.trackerRequests.inc({ result }),
      onTracker: (status) => this.guardTorrent(frame.infoHash, 'a tracker\'s state', () => this.session.send({ type: FrameType.Tracker, infoHash: frame.infoHash, ...status })),
    })
    reg.trackers.announce(frame.trackers, frame.event)
    const dht = frame.dht && frame.event !== 'stopped'
    if (dht !== reg.dht) {
      reg.dht = dht
      this.host.wantDht(this.session, frame.infoHash, dht)
      this.host.wantLsd(this.session, frame.infoHash, dht) // the same flag: a public torrent (BEP 27)
    }
  }

  /** Runs one torrent's discovery work; an exception ends that torrent's announces only. */
  private guardTorrent(infoHash: string, what: string, fn: () => void): void {
    try {
      fn()
    } catch (err) {
      log.error({ sid: this.session.sid, infoHash, err }, `${what} failed`)
      const reg = this.registrations.get(infoHash)
      reg?.trackers?.destroy()
      if (reg) reg.trackers = null
      this.session.send({ type: FrameType.Notice, infoHash, message: `the bridge stopped announcing this torrent after an error (${(err as Error).message})` })
    }
  }
}
