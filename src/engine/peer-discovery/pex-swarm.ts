/**
 * PEX (BEP 11) for one torrent: the ut_pex extension on each of its wires (ut-pex.ts) reports
 * here. Peers the remotes name go to `onPeers` (discovery, which dials them through the bridge);
 * each remote that speaks ut_pex is told, at most once a minute, which TCP peers this page has
 * connected since the last message and which it lost. Nothing either way for a private torrent
 * (BEP 27), nor while we cannot know whether it is one (a magnet before its metadata): peers heard
 * then wait for the answer.
 *
 * Only peers someone else can dial are named: a bridged connection we dialed (its address), or a
 * bridged one that came in and gave its listen port in its extended handshake (its host and that
 * port). WebRTC wires have no such address and are left out, as are inbound peers with no port.
 * The page gives its own listen port (the bridge's inbound one) in the extended handshake of its
 * bridged wires, so that the remotes can name it in theirs.
 *
 * Usage (bridge link, per torrent):
 *   const swarm = new PexSwarm({ direction, onPeers, isPrivate, listenPort })
 *   torrent.on('wire', (wire) => wire.use(swarm.Extension))
 *   swarm.destroy()   // when the torrent stops
 */
import { PEX_FLAG, PEX_MAX_PEERS, type PexPeer } from '../../core/peer-discovery/pex'
import type { PeerAddress } from '../../protocol/bridge-frames'
import { addressKey } from '../peer-connection/peers'
import { utPex, type PexHost, type PexWire, type UtPex } from './ut-pex'
import { pageTicker, type PexTicker } from './pex-ticker'

export type BridgedDirection = 'outbound' | 'inbound' | undefined

export interface PexSwarmOptions {
  /** How the page's connection to `remote` came through the bridge, if it did (PeerService.direction). */
  direction(remote: PeerAddress): BridgedDirection
  /** Peers learnt by PEX, to dial. */
  onPeers(peers: PeerAddress[]): void
  /** The torrent's BEP 27 private flag; undefined while unknown. */
  isPrivate(): boolean | undefined
  /** Where peers can dial this page (the bridge's inbound port), if anywhere now. */
  listenPort?(): number | undefined
  /** Least time between two messages to one remote. Default 60 s (BEP 11). */
  intervalMs?: number
  /** The first message goes this long after the remote's extended handshake, so the dials of a torrent's first seconds make it in. Default 5 s. */
  firstDelayMs?: number
  /** How often due messages are looked for. Default 1 s, on the page's one PEX timer (pex-ticker.ts). */
  tickMs?: number
  /** The timer to tick on (tests); default the page's for `tickMs`. */
  ticker?: PexTicker
  now?: () => number
}

/** Peers heard while the private flag is unknown, kept until it is known. */
const MAX_PENDING = 4 * PEX_MAX_PEERS

/** Where others can reach the peer at the far end of a bridged wire; undefined when they cannot. */
export function dialableAddress(direction: BridgedDirection, remote: PeerAddress, listenPort: number | undefined): PexPeer | undefined {
  if (direction === 'outbound') return { host: remote.host, port: remote.port, flags: PEX_FLAG.reachable }
  if (direction === 'inbound' && listenPort) return { host: remote.host, port: listenPort, flags: 0 }
  return undefined
}

export class PexSwarm implements PexHost {
  readonly Extension: new (wire: PexWire) => UtPex
  private readonly wires = new Set<UtPex>()
  private pending: PeerAddress[] = []
  /**
   * Runs only while there is something to send (a wire, or peers heard before the private flag
   * was known): a page seeds hundreds of torrents with no wire, and one timer each firing every
   * second was main-thread work for nothing (docs/BENCHMARKS.md, "Scale: the page"). And the
   * swarms that do tick share the page's one timer (pex-ticker.ts).
   */
  private readonly ticker: PexTicker
  private readonly onTick = (): void => this.tick()
  private destroyed = false
  private readonly intervalMs: number
  private readonly firstDelayMs: number
  readonly now: () => number

  constructor(private readonly opts: PexSwarmOptions) {
    this.intervalMs = opts.intervalMs ?? 60_000
    this.firstDelayMs = opts.firstDelayMs ?? 5_000
    this.now = opts.now ?? Date.now
    this.Extension = utPex(this)
    this.ticker = opts.ticker ?? pageTicker(opts.tickMs ?? 1_000)
  }

  /** Whether the swarm ticks (for tests). */
  get ticking(): boolean {
    return this.ticker.has(this.onTick)
  }

  opened(ext: UtPex): void {
    if (this.destroyed) return
    this.wires.add(ext)
    this.ticker.join(this.onTick)
  }

  closed(ext: UtPex): void {
    this.wires.delete(ext)
  }

  /** Only on bridged wires: a remote reaches the bridge's port at the address it sees, not at a WebRTC peer's. */
  listenPortFor(ext: UtPex): number | undefined {
    const remote = ext.remote
    return remote && this.opts.direction(remote) ? this.opts.listenPort?.() : undefined
  }

  learnt(peers: readonly PexPeer[]): void {
    if (this.destroyed) return
    const privacy = this.opts.isPrivate()
    if (privacy === true) return
    const addresses = peers.map(({ host, port }) => ({ host, port }))
    if (privacy === false) this.opts.onPeers(addresses)
    else {
      this.pending = [...this.pending, ...addresses].slice(0, MAX_PENDING)
      this.ticker.join(this.onTick)
    }
  }

  /** Sends what is due; public so tests can step it. */
  tick(): void {
    if (!this.wires.size && !this.pending.length) this.stopTicking()
    const privacy = this.opts.isPrivate()
    if (this.destroyed || privacy !== false) {
      if (privacy === true) this.pending = []
      return
    }
    if (this.pending.length) {
      this.opts.onPeers(this.pending)
      this.pending = []
    }
    const now = this.now()
    const connected = new Map<string, PexPeer>()
    for (const ext of this.wires) {
      const address = this.addressOf(ext)
      if (address) connected.set(addressKey(address), address)
    }
    for (const ext of this.wires) {
      if (!ext.supported) continue
      const due = ext.lastSent ? ext.lastSent + this.intervalMs : ext.readyAt + this.firstDelayMs
      if (now < due) continue
      const own = this.addressOf(ext)
      const self = own ? addressKey(own) : ''
      const added: PexPeer[] = []
      for (const [key, peer] of connected) {
        if (added.length >= PEX_MAX_PEERS) break
        // named even when the remote named it to us first, as libtorrent does
        if (key !== self && !ext.advertised.has(key)) added.push(peer)
      }
      const dropped: PeerAddress[] = []
      for (const [key, peer] of ext.advertised) {
        if (dropped.length >= PEX_MAX_PEERS) break
        if (!connected.has(key)) dropped.push(peer)
      }
      if (added.length || dropped.length) ext.send(added, dropped, now)
    }
  }

  destroy(): void {
    this.destroyed = true
    this.stopTicking()
    this.wires.clear()
    this.pending = []
  }

  private stopTicking(): void {
    this.ticker.leave(this.onTick)
  }

  private addressOf(ext: UtPex): PexPeer | undefined {
    const remote = ext.remote
    return remote ? dialableAddress(this.opts.direction(remote), remote, ext.listenPort) : undefined
  }
}
