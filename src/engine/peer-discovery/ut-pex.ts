/**
 * The ut_pex extension (BEP 11) on one bittorrent-protocol wire, for `wire.use(Extension)`:
 * reads the peers the remote end names and tells it the peers this page is connected to.
 * webtorrent's browser build leaves its own ut_pex out; this one decodes with core/peer-discovery/pex.ts and its
 * limits, and leaves what to send, and when, to the torrent's PexSwarm (pex-swarm.ts).
 */
import { decodePex, encodePex, type PexPeer } from '../../core/peer-discovery/pex'
import type { PeerAddress } from '../../protocol/bridge-frames'
import { addressKey } from '../peer-connection/peers'

/** The part of a bittorrent-protocol Wire the extension uses (webtorrent sets the address). */
export interface PexWire {
  readonly remoteAddress?: string
  readonly remotePort?: number
  /** The remote's extended handshake (BEP 10); `p` is the port it listens on. */
  readonly peerExtendedHandshake?: { readonly p?: unknown }
  /** Ours, sent after the 'wire' event (when this extension is made); bittorrent-protocol makes it `{}`. */
  readonly extendedHandshake?: Record<string, unknown>
  extended(ext: string, payload: Uint8Array): void
  once(event: 'close', listener: () => void): unknown
}

/** The torrent-wide side each extension reports to. */
export interface PexHost {
  opened(ext: UtPex): void
  closed(ext: UtPex): void
  learnt(peers: readonly PexPeer[], from: UtPex): void
  /** The port to give the remote as ours (BEP 10 `p`), if it can reach us there. */
  listenPortFor(ext: UtPex): number | undefined
  now(): number
}

/**
 * BEP 11 allows one message a minute; libtorrent sends one a minute and drops a peer that sends
 * six within one. We ignore, unread, any that come sooner than this after the last (jitter allowed).
 */
export const PEX_MIN_RECEIVE_INTERVAL_MS = 30_000

export class UtPex {
  /** The remote end speaks ut_pex (its extended handshake maps it). */
  supported = false
  /** When the remote's extended handshake came (host clock). */
  readyAt = 0
  /** When we last sent it a message; 0 before the first. */
  lastSent = 0
  /** What the remote has from us: everything we named as added and not since as dropped, by address key. */
  readonly advertised = new Map<string, PeerAddress>()
  private lastReceived = -Infinity

  constructor(readonly wire: PexWire, private readonly host: PexHost) {
    host.opened(this)
    wire.once('close', () => host.closed(this))
    // Without `p` a remote that we dialed cannot name us in its own PEX messages.
    const port = host.listenPortFor(this)
    if (port && wire.extendedHandshake) wire.extendedHandshake['p'] = port
  }

  /** bittorrent-protocol reads the name from the prototype. */
  get name(): string {
    return 'ut_pex'
  }

  /** Where the wire's other end is (not necessarily where it listens), if webtorrent knows. */
  get remote(): PeerAddress | undefined {
    const { remoteAddress: host, remotePort: port } = this.wire
    return host && port ? { host, port } : undefined
  }

  /** The port the remote says it listens on (BEP 10 `p`), whether or not it speaks ut_pex. */
  get listenPort(): number | undefined {
    const p = this.wire.peerExtendedHandshake?.p
    return typeof p === 'number' && Number.isInteger(p) && p > 0 && p < 65536 ? p : undefined
  }

  onHandshake(): void {}

  /** Only called when the remote's handshake maps ut_pex. */
  onExtendedHandshake(handshake: { m?: Record<string, unknown> }): void {
    this.supported = Number(handshake.m?.['ut_pex']) > 0
    this.readyAt = this.host.now()
  }

  onMessage(payload: Uint8Array): void {
    const now = this.host.now()
    // checked before decoding: a flood costs a clock read per message, nothing more
    if (now - this.lastReceived < PEX_MIN_RECEIVE_INTERVAL_MS) return
    this.lastReceived = now
    let added: PexPeer[]
    try {
      added = decodePex(payload).added
    } catch {
      return // malformed: the peer is otherwise fine, its PEX is just not used
    }
    if (added.length) this.host.learnt(added, this)
  }

  /** Sends one message and records what the remote now has from us. */
  send(added: readonly PexPeer[], dropped: readonly PeerAddress[], now: number): void {
    try {
      this.wire.extended('ut_pex', encodePex({ added, dropped }))
    } catch {
      return // the wire is closing
    }
    this.lastSent = now
    for (const peer of added) this.advertised.set(addressKey(peer), { host: peer.host, port: peer.port })
    for (const peer of dropped) this.advertised.delete(addressKey(peer))
  }
}

/** The Extension class for `wire.use`, bound to one torrent's host. */
export function utPex(host: PexHost): new (wire: PexWire) => UtPex {
  return class extends UtPex {
    constructor(wire: PexWire) {
      super(wire, host)
    }
  }
}
