/**
 * What the end of a dialed connection says about the peer, as the page's peer service reads it to
 * schedule the next dial. A dial "worked" only once the peer's BitTorrent handshake for our
 * info-hash arrived: counting the bridge's OPENED (the TCP connection up) as working let a peer
 * that accepts and then says nothing (a tarpit), or answers garbage, be dialed again every minute
 * forever, its failures reset each time, every attempt holding one of the bridge's streams until
 * the handshake timed out. Such a connection is now a failure like a refused one: growing
 * delays, forgotten after the most failures. Refusals at the bridge's own caps stay apart
 * (dial-refusal.ts): they are not the peer's fault.
 */
import { HANDSHAKE_LENGTH, type CloseCode } from '../../protocol/bridge-frames'
import { isHandshakeFor } from './peer-handshake'
import { isBridgeBusy } from './dial-refusal'

export type DialOutcome =
  /** The bridge went away, not the peer: dial again once it is back. */
  | 'bridge-lost'
  /** Closed as a second connection to a peer the page has already. */
  | 'duplicate'
  /** The peer's handshake came: a working connection that ended. */
  | 'worked'
  /** The bridge refused the dial at one of its own caps. */
  | 'bridge-busy'
  /** Refused, timed out, silent or not BitTorrent: held against the peer. */
  | 'failed'

export interface DialEnd {
  bridgeLost: boolean
  duplicate: boolean
  /** The peer's BitTorrent handshake for the right info-hash was received. */
  handshakeReceived: boolean
  /** The bridge's CLOSE code (undefined: the page closed it; null: the session ended). */
  closeCode: CloseCode | null | undefined
}

export function dialOutcome(end: DialEnd): DialOutcome {
  if (end.bridgeLost) return 'bridge-lost'
  if (end.duplicate) return 'duplicate'
  if (end.handshakeReceived) return 'worked'
  if (end.closeCode !== undefined && isBridgeBusy(end.closeCode)) return 'bridge-busy'
  return 'failed'
}

/**
 * Watches the first bytes a peer sends for its BitTorrent handshake (BEP 3) for `infoHash`. Keeps
 * at most the handshake's 68 bytes; `state` is 'waiting' until they are in, then 'received' or
 * 'wrong' for good.
 */
export class HandshakeWatch {
  private readonly head = new Uint8Array(HANDSHAKE_LENGTH)
  private filled = 0
  state: 'waiting' | 'received' | 'wrong' = 'waiting'

  constructor(private readonly infoHash: string) {}

  /** Feeds received bytes; returns the state after them. */
  feed(bytes: Uint8Array): HandshakeWatch['state'] {
    if (this.state !== 'waiting') return this.state
    const n = Math.min(bytes.length, HANDSHAKE_LENGTH - this.filled)
    this.head.set(bytes.subarray(0, n), this.filled)
    this.filled += n
    if (this.filled === HANDSHAKE_LENGTH) this.state = isHandshakeFor(this.head, this.infoHash.toLowerCase()) ? 'received' : 'wrong'
    return this.state
  }
}
