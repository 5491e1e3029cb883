/**
 * BEP 52's hash messages on one wire of a v2-only torrent: a peer's hash request answered from
 * the torrent's trees (or rejected), hashes it sends handed to the torrent, and anything
 * malformed counted against that peer. The torrent (v2-torrent.ts) decides what to ask and whom,
 * and what an answer proves.
 *
 * A hash request is 53 bytes and its answer up to 8,192 hashes: a peer that only asked would have
 * us queue some 5,000 times what it sent, and look up a file for each. So answers are rationed per
 * wire (ANSWERS_PER_SECOND, after a burst) and sized as BEP 52 says a request should be (at most
 * LAYER_CHUNK hashes, libtorrent's own chunk); any other request is rejected (53 bytes back), as
 * BEP 52 allows, without a look at the torrent.
 */
import { MSG_HASHES, MSG_HASH_REJECT, MSG_HASH_REQUEST, decodeHashMessage, encodeHashRequest, encodeHashes, type HashMessage } from '../../core/peer-connection/hash-messages'
import type { HashRequest } from '../../core/file-storage/merkle-proof'
import { LAYER_CHUNK } from '../../core/peer-connection/piece-layer-fetch'
import { AppError } from '../../protocol/errors'
import { onPeerMessages, sendPeerMessage, type MessageWire } from '../webtorrent/wire-messages'

export interface ExchangeWire extends MessageWire {
  once(event: 'close', listener: () => void): unknown
}

/** What the exchange needs of its torrent. */
export interface HashExchangeTorrent {
  /** The answer to a peer's request (base hashes, then uncles), or null to reject it. */
  answer(request: HashRequest): Uint8Array | null
  /** A peer's answer to one of our requests (or to none). */
  hashes(request: HashRequest, hashes: Uint8Array, from: HashExchange): void
  /** A peer cannot answer one of our requests. */
  rejected(request: HashRequest, from: HashExchange): void
  /** A peer broke BEP 52: it is to be disconnected. */
  misbehaved(from: HashExchange, reason: string): void
  /** The wire closed. */
  closed(from: HashExchange): void
}

/** Hash requests answered per second on one wire, once the burst is spent. */
export const ANSWERS_PER_SECOND = 16
/** Hash requests answered at once before the ration applies (a peer fetching a torrent's layers asks a few at a time). */
export const ANSWER_BURST = 64

export class HashExchange {
  private open = true
  /** Answers the ration still allows, and when it was last topped up. */
  private answers = ANSWER_BURST
  private answersAt: number

  constructor(readonly wire: ExchangeWire, private readonly torrent: HashExchangeTorrent, private readonly now: () => number = Date.now) {
    this.answersAt = now()
    onPeerMessages(wire, [MSG_HASH_REQUEST, MSG_HASHES, MSG_HASH_REJECT], (id, payload) => this.onMessage(id, payload))
    wire.once('close', () => {
      this.open = false
      torrent.closed(this)
    })
  }

  get alive(): boolean {
    return this.open && !this.wire.destroyed
  }

  /** Asks the peer for hashes; false when the wire cannot send. */
  request(request: HashRequest): boolean {
    return this.alive && sendPeerMessage(this.wire, MSG_HASH_REQUEST, encodeHashRequest(request))
  }

  private onMessage(id: number, payload: Uint8Array): void {
    if (!this.alive) return
    let message: HashMessage
    try {
      message = decodeHashMessage(id, payload)
    } catch (err) {
      this.torrent.misbehaved(this, AppError.from(err).message)
      return
    }
    switch (message.type) {
      case 'hash request': {
        const answer = message.request.length <= LAYER_CHUNK && this.takeAnswer() ? this.torrent.answer(message.request) : null
        if (answer) sendPeerMessage(this.wire, MSG_HASHES, encodeHashes(message.request, answer))
        else sendPeerMessage(this.wire, MSG_HASH_REJECT, encodeHashRequest(message.request))
        break
      }
      case 'hashes': this.torrent.hashes(message.request, message.hashes, this); break
      case 'hash reject': this.torrent.rejected(message.request, this); break
    }
  }

  /** Whether the ration allows one more answer now (and spends it). */
  private takeAnswer(): boolean {
    const now = this.now()
    this.answers = Math.min(ANSWER_BURST, this.answers + ((now - this.answersAt) / 1000) * ANSWERS_PER_SECOND)
    this.answersAt = now
    if (this.answers < 1) return false
    this.answers--
    return true
  }
}
