/**
 * Where whole BitTorrent messages end in the byte stream a peer sends: its 68-byte handshake, then
 * messages of a 4-byte big-endian length and that many bytes (BEP 3). The bridge cuts its DATA
 * frames there, so that every frame the page gets holds whole messages: the page's wire
 * (bittorrent-protocol) then parses each frame in place instead of copying every frame onto the
 * remainder of the one before. Cutting elsewhere is never wrong, only slower: bytes that are not
 * BitTorrent (a peer sending garbage) are still relayed as they come (see `cut`).
 */
import { HANDSHAKE_LENGTH } from '../../protocol/bridge-frames'

export class MessageBoundaries {
  /** Bytes seen so far. */
  private total = 0
  /** Bytes still to come of the current unit: the handshake, a length prefix, or a message body. */
  private need = HANDSHAKE_LENGTH
  private inLength = false
  private length = 0
  /** Stream offsets where messages end, in order; those before `head` are spent. */
  private ends: number[] = []
  private head = 0

  /** Reads the next bytes of the stream. */
  push(chunk: Uint8Array): void {
    let i = 0
    while (i < chunk.length) {
      const take = Math.min(this.need, chunk.length - i)
      if (this.inLength) for (let k = 0; k < take; k++) this.length = this.length * 256 + chunk[i + k]!
      i += take
      this.need -= take
      if (this.need > 0) break
      if (this.inLength && this.length > 0) {
        this.inLength = false
        this.need = this.length
        continue
      }
      // the handshake, a message body, or a zero-length keep-alive just ended
      this.ends.push(this.total + i)
      this.inLength = true
      this.length = 0
      this.need = 4
    }
    this.total += chunk.length
  }

  /**
   * How many bytes from stream offset `from` to send now, at most `limit` (`frame`: the largest
   * frame ever, `limit` less when credit is short): up to the last message end within `limit`.
   * A message longer than a whole frame goes out in pieces as it comes. 0 means wait: the next
   * message is still arriving (the page could not use part of it anyway) or exceeds `limit`.
   */
  cut(from: number, limit: number, frame: number): number {
    while (this.head < this.ends.length && this.ends[this.head]! <= from) this.head++
    if (this.head > 1024) {
      this.ends = this.ends.slice(this.head)
      this.head = 0
    }
    let last = -1
    for (let k = this.head; k < this.ends.length && this.ends[k]! <= from + limit; k++) last = this.ends[k]!
    if (last > from) return last - from
    // where the first message ends (known once its length prefix is in), or at least one byte on
    const end = this.head < this.ends.length ? this.ends[this.head]! : this.total + this.need + (this.inLength ? 1 : 0)
    return end - from > frame ? Math.min(limit, this.total - from) : 0
  }
}
