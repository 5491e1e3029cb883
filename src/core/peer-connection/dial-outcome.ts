/**
 * What the end of a dialed connection says about the peer, as the page's peer service reads it to
 * schedule the next dial. A dial "worked" only once the peer's BitTorrent handshake for our
 * info-hash arrived and then a real message after it (greeting-watch.ts: a tarpit may echo our
 * own handshake back): counting the bridge's OPENED (the TCP connection up) as working let a peer
 * that accepts and then says nothing (a tarpit), or answers garbage, be dialed again every minute
 * forever, its failures reset each time, every attempt holding one of the bridge's streams until
 * the handshake timed out. Such a connection is now a failure like a refused one: growing
 * delays, forgotten after the most failures. Refusals at the bridge's own caps stay apart
 * (dial-refusal.ts): they are not the peer's fault.
 */
import type { CloseCode } from '../../protocol/bridge-frames'
import { isBridgeBusy } from './dial-refusal'

export type DialOutcome =
  /** The bridge went away, not the peer: dial again once it is back. */
  | 'bridge-lost'
  /** Closed as a second connection to a peer the page has already. */
  | 'duplicate'
  /** The peer's handshake and a first message came: a working connection that ended. */
  | 'worked'
  /** The bridge refused the dial at one of its own caps. */
  | 'bridge-busy'
  /** Refused, timed out, silent or not BitTorrent: held against the peer. */
  | 'failed'

export interface DialEnd {
  bridgeLost: boolean
  duplicate: boolean
  /** The peer's BitTorrent handshake for the right info-hash was received, then a real message (greeting-watch.ts). */
  greeted: boolean
  /** The bridge's CLOSE code (undefined: the page closed it; null: the session ended). */
  closeCode: CloseCode | null | undefined
}

export function dialOutcome(end: DialEnd): DialOutcome {
  if (end.bridgeLost) return 'bridge-lost'
  if (end.duplicate) return 'duplicate'
  if (end.greeted) return 'worked'
  if (end.closeCode !== undefined && isBridgeBusy(end.closeCode)) return 'bridge-busy'
  return 'failed'
}
