/**
 * One page's relayed streams: an OPEN is judged (its torrent registered, the destination policy on
 * the address given, the page's and the bridge's caps and dial rates) before its stream dials; an
 * inbound peer becomes a stream when the page has room; DATA, CREDIT and CLOSE go to their stream;
 * and a stream whose peer takes nothing of what the page sends is let go, not left holding its bytes.
 * The streams' owner (their flow control's bytes and frames) is the page's session.
 */
import type { Socket } from 'node:net'
import { canonicalPeer } from '../../src/core/peer-address'
import { CloseCode, FrameType, type CloseFrame, type CreditFrame, type DataFrame, type OpenFrame, type PeerAddress } from '../../src/protocol/bridge-frames'
import { TokenBucket } from '../api-gateway/limits'
import { log } from '../log'
import type { DialOutcome } from '../metrics'
import type { PeerCrypto } from './mse/peer-crypto'
import type { PageSession, SessionHost } from '../api-gateway/page-session'
import { checkPeerDestination } from '../api-gateway/policy'
import { RelayStream } from './relay-stream'

/** How a refused OPEN counts in bridge_dials_total. */
const REFUSAL_OUTCOME: Partial<Record<CloseCode, DialOutcome>> = {
  [CloseCode.Refused]: 'refused_policy',
  [CloseCode.RateLimited]: 'refused_rate',
  [CloseCode.NotRegistered]: 'refused_unregistered',
  [CloseCode.TooManyStreams]: 'refused_caps',
  [CloseCode.Overloaded]: 'refused_caps',
}

export class PageStreams {
  private readonly streams = new Map<number, RelayStream>()
  private readonly dials: TokenBucket
  private nextInboundId = 2
  private readonly stallCheck: NodeJS.Timeout

  constructor(private readonly session: PageSession, private readonly host: SessionHost) {
    this.dials = new TokenBucket(host.limits.dialsPerSecond, host.limits.dialBurst)
    // peers that take nothing of what the page sends them are let go, not left holding its bytes
    this.stallCheck = setInterval(() => session.guard('a stall check', () => {
      const now = Date.now()
      for (const s of [...this.streams.values()]) if (s.writeStalledSince(now) >= host.limits.writeStallMs) s.close(CloseCode.Idle, 'the peer takes none of the data sent to it', true)
    }), Math.min(5000, host.limits.writeStallMs))
  }

  get size(): number { return this.streams.size }

  /** The streams by who opened them (the page's ids are odd, inbound peers' even). */
  directions(): { outbound: number; inbound: number } {
    let outbound = 0
    for (const id of this.streams.keys()) if (id % 2 === 1) outbound++
    return { outbound, inbound: this.streams.size - outbound }
  }

  open(frame: OpenFrame): void {
    const { session, host } = this
    const refuse = (code: CloseCode, reason: string) => {
      session.metrics.dials.inc({ outcome: REFUSAL_OUTCOME[code] ?? 'refused_caps' })
      log.debug({ sid: session.sid, code: CloseCode[code], reason }, 'dial refused')
      session.send({ type: FrameType.Close, stream: frame.stream, code, reason })
    }
    if (frame.stream % 2 !== 1) return session.protocolError(`stream ${frame.stream}: pages open odd stream ids`)
    if (this.streams.has(frame.stream)) return session.protocolError(`stream ${frame.stream} is already open`)
    if (!session.torrents.has(frame.infoHash)) return refuse(CloseCode.NotRegistered, 'register the torrent before dialing its peers')
    // the codec gives IP bytes as canonical text already; once more here, as every address is
    const peer = canonicalPeer(frame.peer.host, frame.peer.port)
    if (!peer) return refuse(CloseCode.Refused, 'not an IP address and port')
    const verdict = checkPeerDestination(peer.host, peer.port, host.allowNet)
    if (!verdict.ok && !host.lanPeer(frame.infoHash, peer)) return refuse(CloseCode.Refused, verdict.reason)
    if (this.streams.size >= session.limits.maxStreamsPerSession) return refuse(CloseCode.TooManyStreams, `this page has ${this.streams.size} connections open, the most the bridge allows`)
    if (!this.dials.take() || !host.takeDial()) return refuse(CloseCode.RateLimited, 'too many connection attempts per second; try again shortly')
    if (session.overloaded()) return refuse(CloseCode.Overloaded, 'the bridge holds too much unsent data for this page')
    if (!host.reserveStream()) return refuse(CloseCode.TooManyStreams, 'the bridge has as many connections open as it allows')
    this.streams.set(frame.stream, new RelayStream(frame.stream, frame.infoHash, peer, session))
  }

  /**
   * An inbound peer for a torrent the page registered, `head` its first plaintext bytes (its
   * handshake); false when the page is at a cap.
   */
  accept(infoHash: string, socket: Socket, head: Uint8Array, peer: PeerAddress, crypto: PeerCrypto): boolean {
    const { session, host } = this
    if (this.streams.size >= session.limits.maxStreamsPerSession || session.overloaded()) return false
    // Trackers and the DHT hand the page its own address (the bridge's peer port): the page then
    // dials itself and this handshake carries its own peer id. Refuse it, so that no connection
    // slot goes to a loop. (webtorrent's own self-check compares a property that does not exist.)
    const ownPeerId = session.torrents.peerId(infoHash)
    if (ownPeerId && Buffer.from(head.subarray(48, 68)).toString('hex') === ownPeerId.toLowerCase()) return false
    if (!host.reserveStream()) return false
    const id = this.nextInboundId
    this.nextInboundId += 2
    try {
      session.send({ type: FrameType.Incoming, stream: id, infoHash, peer })
      this.streams.set(id, new RelayStream(id, infoHash, peer, session, socket, head, crypto))
    } catch (err) {
      if (!this.streams.has(id)) host.releaseStream() // the slot was never a stream's
      throw err
    }
    return true
  }

  /** DATA, CREDIT or CLOSE from the page, to its stream. */
  onFrame(frame: DataFrame | CreditFrame | CloseFrame): void {
    const stream = this.streams.get(frame.stream)
    // a frame for a stream that just ended crossed our CLOSE on the wire: not an error
    if (!stream) return
    if (frame.type === FrameType.Data) stream.onData(frame.data)
    else if (frame.type === FrameType.Credit) stream.onCredit(frame.bytes)
    else stream.close(CloseCode.Normal, frame.reason, false)
  }

  /** A stream closed: its slot in the bridge's caps is free. */
  ended(stream: RelayStream): void {
    if (this.streams.get(stream.id) === stream) {
      this.streams.delete(stream.id)
      this.host.releaseStream()
    }
  }

  /** The WebSocket drained: every stream sends what waited. */
  pump(): void {
    for (const s of this.streams.values()) s.pump()
  }

  /** The page is back under its byte cap: credit owed goes out, and sockets held back read again. */
  grantAll(): void {
    for (const s of this.streams.values()) { s.grant(); s.pump() }
  }

  closeTorrent(infoHash: string): void {
    for (const s of [...this.streams.values()]) if (s.infoHash === infoHash) s.close(CloseCode.Normal, 'torrent unregistered', true)
  }

  /** The session ended: every stream closes, without a word to the page. */
  closeAll(): void {
    clearInterval(this.stallCheck)
    for (const s of [...this.streams.values()]) s.close(CloseCode.ShuttingDown, 'session ended', false)
  }
}
