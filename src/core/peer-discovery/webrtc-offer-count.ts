/**
 * How many WebRTC offers a torrent's next announce to one WebSocket tracker makes (issue 17).
 *
 * bittorrent-tracker's client makes up to 5 offers per announce, each an RTCPeerConnection held
 * up to 50 s if nobody answers. The tracker forwards offers only to the WebRTC peers of the
 * swarm, so a torrent whose swarm has none (its peers are all TCP, reached through the bridge)
 * pays for 5 connections an announce that can never be answered. So: after an announce whose
 * offers got no answer by the next announce, half as many (5, 2, then 1, never 0: a WebRTC peer
 * may join, and one offer finds it); all 5 again as soon as any sign of a WebRTC peer comes:
 *  - an answer to one of its offers, or an offer from a peer (only WebRTC peers send either);
 *  - the tracker's swarm counts (`complete` + `incomplete`) rising above what it said before.
 *    The counts are not a count of WebRTC peers: bittorrent-tracker's server keeps one swarm per
 *    info hash for its HTTP, UDP and WebSocket announces alike (the bridge's TCP announces count
 *    too), so a count above 1 proves nothing, but a new peer may be a WebRTC one and is worth
 *    the full offers for an announce. A falling or steady count is no sign.
 * A complete torrent makes no offers at all already (websocket-trackers.ts sends numwant 0).
 */
export const MAX_OFFERS = 5
export const MIN_OFFERS = 1

export class WebRtcOfferCount {
  private count = MAX_OFFERS
  /** Offers are out and no answer has come since they were made. */
  private unanswered = false
  /** The swarm size the tracker last reported; undefined before its first report. */
  private swarm: number | undefined

  /** An announce is making its offers now: how many (at most `wanted`, what the announce asked). */
  take(wanted: number): number {
    if (wanted <= 0) return 0 // no offers asked (a complete torrent): no verdict on earlier ones
    if (this.unanswered) this.count = Math.max(MIN_OFFERS, Math.floor(this.count / 2))
    this.unanswered = true
    return Math.min(wanted, this.count)
  }

  /** A WebRTC peer showed itself in this swarm: it answered an offer, or sent one. */
  webRtcPeerSeen(): void {
    this.count = MAX_OFFERS
    this.unanswered = false
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
    return this.unanswered ? Math.max(MIN_OFFERS, Math.floor(this.count / 2)) : this.count
  }
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
}
