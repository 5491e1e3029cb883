/**
 * How many WebRTC offers a torrent's next announce to one WebSocket tracker makes (issue 17).
 *
 * bittorrent-tracker's client makes up to 5 offers per announce, each an RTCPeerConnection held
 * up to 50 s if nobody answers. The tracker forwards offers only to the WebRTC peers of the
 * swarm, so a torrent whose swarm has none (its peers are all TCP, reached through the bridge)
 * pays for 5 connections an announce that can never be answered. So: after an announce whose
 * offers got no answer by the next announce, half as many (5, 2, 1), then none, but for one offer
 * every PROBE_EVERY announces; all 5 again as soon as any sign of a WebRTC peer comes:
 *  - an answer to one of its offers, or an offer from a peer (only WebRTC peers send either);
 *  - the tracker's swarm counts (`complete` + `incomplete`) rising above what it said before.
 *    The counts are not a count of WebRTC peers: bittorrent-tracker's server keeps one swarm per
 *    info hash for its HTTP, UDP and WebSocket announces alike (the bridge's TCP announces count
 *    too), so a count above 1 proves nothing, but a new peer may be a WebRTC one and is worth
 *    the full offers for an announce. A falling or steady count is no sign.
 * A complete torrent makes no offers at all already (websocket-trackers.ts sends numwant 0).
 *
 * Why none at all, after 1: one offer an announce is still an RTCPeerConnection made and closed
 * unanswered 50 s later. With 50 torrents downloading from TCP peers at the bench's 12 s announces
 * that was ~16 % of the page's main-thread time sampled while 50 download (RTCPeerConnection's
 * constructor and close(), the peer's timers; docs/SCALE-WORK.md, round s8). A WebRTC peer that
 * joins later is still found: the tracker forwards its own announce's offers to the swarm's
 * WebSocket peers, ours too, offering or not (bittorrent-tracker's server picks them from the
 * swarm, not by their numwant), and its arrival raises the swarm's counts; one offer every
 * PROBE_EVERY announces is for a peer that does neither (a seeder that offers nothing, arriving
 * as another peer leaves).
 */
export const MAX_OFFERS = 5
/** Offers of an announce while unanswered, once halved past 1. */
export const MIN_OFFERS = 0
/** While at MIN_OFFERS, every PROBE_EVERY-th announce makes one offer anyway. */
export const PROBE_EVERY = 10

export class WebRtcOfferCount {
  private count = MAX_OFFERS
  /** Offers are out and no answer has come since they were made. */
  private unanswered = false
  /** The swarm size the tracker last reported; undefined before its first report. */
  private swarm: number | undefined
  /** Announces made at MIN_OFFERS since the last probe. */
  private quiet = 0

  /** An announce is making its offers now: how many (at most `wanted`, what the announce asked). */
  take(wanted: number): number {
    if (wanted <= 0) return 0 // no offers asked (a complete torrent): no verdict on earlier ones
    if (this.unanswered) this.count = Math.max(MIN_OFFERS, Math.floor(this.count / 2))
    this.unanswered = true
    return Math.min(wanted, this.count > MIN_OFFERS ? this.count : this.probe())
  }

  /** A WebRTC peer showed itself in this swarm: it answered an offer, or sent one. */
  webRtcPeerSeen(): void {
    this.count = MAX_OFFERS
    this.unanswered = false
    this.quiet = 0
  }

  /** At MIN_OFFERS: one offer every PROBE_EVERY-th announce, MIN_OFFERS at the others. */
  private probe(): number {
    this.quiet = (this.quiet + 1) % PROBE_EVERY
    return this.quiet === 0 ? 1 : MIN_OFFERS
  }

  /** The tracker's counts for the swarm (hostile: anything but two finite counts is ignored). */
  swarmReported(complete: unknown, incomplete: unknown): void {
    if (!isCount(complete) || !isCount(incomplete)) return
    const size = complete + incomplete
    if (this.swarm !== undefined && size > this.swarm) this.webRtcPeerSeen()
    this.swarm = size
  }

  /** How many the next announce would make if it made its offers now (for the tests and diagnostics). */
  get next(): number {
    const count = this.unanswered ? Math.max(MIN_OFFERS, Math.floor(this.count / 2)) : this.count
    return count > MIN_OFFERS ? count : (this.quiet + 1) % PROBE_EVERY === 0 ? 1 : MIN_OFFERS
  }
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
}
