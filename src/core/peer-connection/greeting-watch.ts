/**
 * Watches the first bytes a dialed peer sends for what makes the dial one that worked
 * (dial-outcome.ts): its BitTorrent handshake (BEP 3) for our info-hash, then its first real
 * message. The handshake alone is not enough: a tarpit that echoes back the handshake it was sent
 * (our info-hash in it) and then says nothing, or garbage, would count as working and be dialed
 * again every redial delay, forever. Every peer that means it sends a message at once: a bitfield,
 * have_all or have_none (BEP 6), or its extended handshake (BEP 10), or later an unchoke or a have.
 *
 * Keeps at most the handshake's 68 bytes and a message's 5-byte head; a body is counted, not kept.
 * Keep-alives (length 0) are skipped: a tarpit may send them forever. `state` is 'handshake' until
 * the handshake is in, 'message' until the first message is whole, then 'worked' or 'wrong' for good.
 */
import { HANDSHAKE_LENGTH } from '../../protocol/bridge-frames'
import { isHandshakeFor } from './peer-handshake'

/**
 * The longest first message taken for BitTorrent: a bitfield of 32 million pieces (4 MiB), past
 * any torrent's (3,000,000 pieces is 375 KB, docs/BENCHMARKS.md); four random bytes read as a
 * length exceed it 99.9 % of the time, so garbage is told from a message at its head.
 */
const MAX_MESSAGE = 4 * 2 ** 20 + 1

/**
 * Each message's length (its id byte included) as [least, most], by id: BEP 3 (0-8), the DHT
 * port (9, BEP 5), the fast extension (13-17, BEP 6), the extension protocol (20, BEP 10), the
 * v2 hash messages (21-23, BEP 52). Any other id is not BitTorrent.
 */
const MESSAGE_LENGTHS: ReadonlyMap<number, readonly [number, number]> = new Map([
  [0, [1, 1]], [1, [1, 1]], [2, [1, 1]], [3, [1, 1]], // choke, unchoke, interested, not interested
  [4, [5, 5]], [5, [2, MAX_MESSAGE]], [6, [13, 13]], [7, [9, MAX_MESSAGE]], [8, [13, 13]], // have, bitfield, request, piece, cancel
  [9, [3, 3]], // port
  [13, [5, 5]], [14, [1, 1]], [15, [1, 1]], [16, [13, 13]], [17, [5, 5]], // suggest, have_all, have_none, reject, allowed_fast
  [20, [2, MAX_MESSAGE]], // extended
  [21, [49, 49]], [22, [49, MAX_MESSAGE]], [23, [49, 49]], // hash request, hashes, hash reject
])

/** True when a message of `length` bytes (its id included) may have id `id`. */
export function isMessageHead(length: number, id: number): boolean {
  const bounds = MESSAGE_LENGTHS.get(id)
  return bounds !== undefined && length >= bounds[0] && length <= bounds[1]
}

export class GreetingWatch {
  /** The handshake's bytes, then a message's 4-byte length and id. */
  private readonly head = new Uint8Array(HANDSHAKE_LENGTH)
  private filled = 0
  /** Bytes of the first message's body still to come, once its head was read. */
  private bodyLeft = 0
  state: 'handshake' | 'message' | 'worked' | 'wrong' = 'handshake'

  constructor(private readonly infoHash: string) {}

  /** Feeds received bytes; returns the state after them. */
  feed(bytes: Uint8Array): GreetingWatch['state'] {
    let at = 0
    while (at < bytes.length && (this.state === 'handshake' || this.state === 'message')) {
      if (this.bodyLeft > 0) {
        const n = Math.min(this.bodyLeft, bytes.length - at)
        this.bodyLeft -= n
        at += n
        if (this.bodyLeft === 0) this.state = 'worked'
        continue
      }
      // a message's length first, then its id: a keep-alive is its 4 zero bytes alone
      const want = this.state === 'handshake' ? HANDSHAKE_LENGTH : this.filled < 4 ? 4 : 5
      const n = Math.min(bytes.length - at, want - this.filled)
      this.head.set(bytes.subarray(at, at + n), this.filled)
      this.filled += n
      at += n
      if (this.filled < want) continue
      if (want === 4) {
        if (this.lengthInHead() === 0) this.filled = 0
        continue
      }
      this.filled = 0
      if (this.state === 'handshake') {
        this.state = isHandshakeFor(this.head, this.infoHash.toLowerCase()) ? 'message' : 'wrong'
        continue
      }
      const length = this.lengthInHead()
      if (!isMessageHead(length, this.head[4]!)) this.state = 'wrong'
      else if (length === 1) this.state = 'worked'
      else this.bodyLeft = length - 1
    }
    return this.state
  }

  private lengthInHead(): number {
    return ((this.head[0]! << 24) >>> 0) + (this.head[1]! << 16) + (this.head[2]! << 8) + this.head[3]!
  }
}
