/**
 * BEP 52's hash messages on one wire of a v2-only torrent: a peer's hash request answered from
 * the torrent's trees (or rejected), hashes it sends handed to the torrent, and anything
 * malformed counted against that peer. The torrent (v2-torrent.ts) decides what to ask and whom,
 * and what an answer proves.
 */
import { MSG_HASHES, MSG_HASH_REJECT, MSG_HASH_REQUEST, decodeHashMessage, encodeHashRequest, encodeHashes, type HashMessage } from '../core/hash-messages'
import type { HashRequest } from '../core/merkle-proof'
import { AppError } from '../protocol/errors'
import { onPeerMessages, sendPeerMessage, type MessageWire } from './webtorrent/wire-messages'

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

export class HashExchange {
  private open = true

  constructor(readonly wire: ExchangeWire, private readonly torrent: HashExchangeTorrent) {
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
        const answer = this.torrent.answer(message.request)
        if (answer) sendPeerMessage(this.wire, MSG_HASHES, encodeHashes(message.request, answer))
        else sendPeerMessage(this.wire, MSG_HASH_REJECT, encodeHashRequest(message.request))
        break
      }
      case 'hashes': this.torrent.hashes(message.request, message.hashes, this); break
      case 'hash reject': this.torrent.rejected(message.request, this); break
    }
  }
}
