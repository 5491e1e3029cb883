import type { Torrent, Wire } from 'webtorrent/dist/webtorrent.min.js'
import { BridgeClient, bridgeUrl, type WebSocketConstructor } from '../../bridge-client/bridge-client'
import { WorkerSocket } from '../../bridge-client/worker-socket'
import type { PeerAddress, PeerSource, RouteFrame } from '../../protocol/bridge-frames'
import type { BridgeStatus, TrackerSnapshot } from '../../protocol/engine-events'
import { Discovery, type DiscoveryStats } from '../peer-discovery/discovery'
import { PexSwarm } from '../peer-discovery/pex-swarm'
import { PeerService, type PeerCounts, type PeerTorrent } from './peers'
import type { RangeFetch } from './web-seed-conn'

export type { BridgeStatus }

/**
 * The engine's link to the bridge: TCP peers dialed and accepted through it, HTTP/UDP trackers
 * and the DHT announced by it. webtorrent sees each bridged connection as one more peer.
 */
export class BridgeLink {
  private readonly client: BridgeClient
  private readonly peers: PeerService
  private readonly discovery: Discovery
  private readonly pex = new Map<string, PexSwarm>()
  status: BridgeStatus = { state: 'connecting', reason: null }

  constructor(path: string, token: string | undefined, onChange: () => void, onNotice: (infoHash: string, message: string) => void) {
    // the socket in a worker: its reads are not the main thread's tasks (bridge-client/worker-socket.ts)
    const socket = typeof Worker === 'function' ? WorkerSocket : WebSocket as unknown as WebSocketConstructor
    this.client = new BridgeClient({ url: bridgeUrl(location.href, path), WebSocket: socket, ...(token ? { token } : {}) })
    this.peers = new PeerService(this.client)
    this.discovery = new Discovery(this.client, this.peers, { dht: true })
    // one status from the client's three sources of news: its state, the bridge's way out (ROUTE),
    // and how reachable the bridge is (STATUS); each event keeps what the others said
    let reason: string | null = null
    const update = () => {
      this.status = withRoute({ state: this.client.state, reason, ...connectivityOf(this.client) }, this.client.route)
      onChange()
    }
    this.client.on('state', (_state, why) => {
      reason = why
      update()
    })
    this.client.on('route', update)
    this.client.on('status', update)
    this.client.on('notice', onNotice)
    this.client.start()
  }

  /**
   * `complete`: every wanted file verified (the engine's own, core/download-manager/progress.ts; webtorrent's `done`
   * waits for skipped files too), after which no more peers are dialed.
   * `magnetPeers`: the link's own peers (x.pe), dialed like any other candidate, even for a private torrent (the user named them).
   */
  attach(torrent: Torrent, infoHash: string, peerId: string, trackers: readonly string[], isPrivate: boolean, stats: () => DiscoveryStats,
    complete: () => boolean, magnetPeers: readonly PeerAddress[] = []): void {
    const whenKnown = () => {
      this.peers.attach(peerView(torrent, complete))
      this.discovery.add({ infoHash, peerId, trackers, private: isPrivate, stats })
      if (magnetPeers.length) this.peers.addCandidates(infoHash, 'magnet', magnetPeers)
    }
    // webtorrent refuses addPeer before it has parsed its input and knows the info hash.
    if (torrent.infoHash) whenKnown()
    else torrent.once('infoHash', whenKnown)
  }

  /**
   * PEX (BEP 11) on a wire of a running torrent: peers it names are dialed through the bridge;
   * it is told of the bridged peers we have. `isPrivate` is undefined until the metadata says.
   */
  usePex(infoHash: string, wire: Wire, isPrivate: () => boolean | undefined): void {
    // BEP 27: a private torrent does not even offer ut_pex
    if (isPrivate() === true) return
    let swarm = this.pex.get(infoHash)
    if (!swarm) {
      swarm = new PexSwarm({
        direction: (remote) => this.peers.direction(infoHash, remote),
        onPeers: (peers) => this.discovery.addPexPeers(infoHash, peers),
        isPrivate,
        listenPort: () => this.listenPort(),
      })
      this.pex.set(infoHash, swarm)
    }
    wire.use(swarm.Extension)
  }

  /** Where other peers reach this page: the bridge's inbound peer port, while connected. */
  private listenPort(): number | undefined {
    const port = this.client.state === 'connected' ? this.client.welcome?.peerPort : undefined
    return port ? port : undefined
  }

  /** A magnet's metadata arrived: announce to the torrent's own trackers too. */
  update(infoHash: string, trackers: readonly string[]): void {
    this.discovery.update(infoHash, trackers)
  }

  completed(infoHash: string): void {
    this.discovery.completed(infoHash)
  }

  detach(infoHash: string): void {
    this.pex.get(infoHash)?.destroy()
    this.pex.delete(infoHash)
    this.discovery.remove(infoHash)
    this.peers.detach(infoHash)
  }

  /** Which way the page's bridged connection to `remote` was made, if it is one and open. */
  direction(infoHash: string, remote: PeerAddress): 'outbound' | 'inbound' | undefined {
    return this.peers.direction(infoHash, remote)
  }

  deferRedial(infoHash: string, remote: PeerAddress): void {
    this.peers.deferRedial(infoHash, remote)
  }

  /** A peer that lied to this torrent (BEP 52 hashes): not dialed again, nor let in, while the page runs. */
  ban(infoHash: string, remote: PeerAddress): void {
    this.peers.ban(infoHash, remote)
  }

  sourceOf(infoHash: string, remote: PeerAddress): PeerSource | undefined {
    return this.peers.sourceOf(infoHash, remote)
  }

  /**
   * The bridge fetching a web seed's ranges for this torrent (web-seed-conn.ts). While it is not
   * connected its fetches fail as 'busy': the web seed waits for it rather than being blamed.
   */
  rangeFetch(infoHash: string): RangeFetch {
    return (url, start, length, signal) => this.client.fetchRange(infoHash, url, start, length, signal)
  }

  /** The torrent's HTTP and UDP trackers and where each stands. */
  trackers(infoHash: string): TrackerSnapshot[] {
    return this.discovery.trackers(infoHash)
  }

  counts(infoHash: string): PeerCounts {
    return this.peers.counts(infoHash)
  }

  /** Peer addresses heard of and not connected, that may still be dialed. */
  candidates(infoHash: string): number {
    return this.peers.candidateCount(infoHash)
  }
}

/** The bridge's last STATUS, while connected, with the peer port its WELCOME gave (and no DHT when WELCOME says it runs none). */
function connectivityOf(client: BridgeClient): Pick<BridgeStatus, 'connectivity'> {
  const status = client.status
  if (!status || client.state !== 'connected') return {}
  const { type: _type, ...connectivity } = status
  const dhtNodes = client.welcome?.dht === false ? -1 : connectivity.dhtNodes
  return { connectivity: { ...connectivity, dhtNodes, peerPort: client.welcome?.peerPort ?? 0 } }
}

function withRoute(status: BridgeStatus, route: RouteFrame | null): BridgeStatus {
  if (!route) return status
  const { proxy, outgoingInterface, state, message } = route
  return { ...status, route: { proxy, outgoingInterface, state, message } }
}

/** The torrent as the peer service sees it, `done` from the engine's own completeness. */
function peerView(torrent: Torrent, complete: () => boolean): PeerTorrent {
  return {
    get infoHash() { return torrent.infoHash },
    addPeer: (peer) => torrent.addPeer(peer),
    get paused() { return torrent.paused },
    get destroyed() { return torrent.destroyed },
    get done() { return complete() },
  }
}
