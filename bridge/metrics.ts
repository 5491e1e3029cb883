/**
 * What the bridge is doing, for Prometheus (prom-client): one registry per bridge (tests run
 * several in one process), counters moved where things happen, gauges read from the hub when
 * scraped. Served at /metrics behind the same Host and token rules as the bridge (server.ts).
 * Labels are closed sets (a reason's kind, never its text): a stranger cannot grow the registry.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client'

export const METRICS_PATH = '/metrics'

/** Why the bridge turned a page's dial away, or why a dial failed: a closed set of kinds. */
export type DialOutcome = 'opened' | 'failed' | 'refused_policy' | 'refused_rate' | 'refused_caps' | 'refused_unregistered'

/** What the hub tells the gauges when scraped. */
export interface MetricsSource {
  sessions(): number
  streams(): { outbound: number; inbound: number }
  buffered(): number
  trackers(): Record<string, number>
  dhtNodes(): number
}

export class BridgeMetrics {
  readonly registry = new Registry()
  readonly peerBytes: Counter<'direction'>
  readonly dials: Counter<'outcome'>
  readonly inbound: Counter<'outcome'>
  readonly peerHandshakeTimeouts: Counter
  readonly trackerRequests: Counter<'result'>
  readonly sessionsClosed: Counter<'reason'>
  readonly webSeedBytes: Counter
  /** Bound children for the relay's hot path (a labels lookup per write would cost more). */
  readonly toPeers: { inc(n: number): void }
  readonly fromPeers: { inc(n: number): void }

  constructor(source: MetricsSource) {
    const registers = [this.registry]
    collectDefaultMetrics({ register: this.registry, prefix: 'bridge_' })
    new Gauge({ name: 'bridge_sessions', help: 'Pages connected', registers, collect() { this.set(source.sessions()) } })
    new Gauge({
      name: 'bridge_streams', help: 'TCP connections relayed, by who opened them', labelNames: ['direction'], registers,
      collect() {
        const s = source.streams()
        this.set({ direction: 'outbound' }, s.outbound)
        this.set({ direction: 'inbound' }, s.inbound)
      },
    })
    new Gauge({ name: 'bridge_buffered_bytes', help: 'Bytes the bridge holds for pages', registers, collect() { this.set(source.buffered()) } })
    new Gauge({
      name: 'bridge_trackers', help: 'Tracker clients, by state', labelNames: ['state'], registers,
      collect() {
        this.reset()
        for (const [state, n] of Object.entries(source.trackers())) this.set({ state }, n)
      },
    })
    new Gauge({ name: 'bridge_dht_nodes', help: 'Nodes in the DHT routing table (-1: no DHT)', registers, collect() { this.set(source.dhtNodes()) } })
    this.peerBytes = new Counter({ name: 'bridge_peer_bytes_total', help: 'Bytes relayed between pages and TCP peers', labelNames: ['direction'], registers })
    this.dials = new Counter({ name: 'bridge_dials_total', help: 'Connections pages asked for, by outcome', labelNames: ['outcome'], registers })
    this.peerHandshakeTimeouts = new Counter({ name: 'bridge_peer_handshake_timeouts_total', help: 'Dialed connections closed because the peer sent no handshake in time', registers })
    this.inbound = new Counter({ name: 'bridge_inbound_total', help: 'Incoming peer connections, by outcome', labelNames: ['outcome'], registers })
    this.trackerRequests = new Counter({ name: 'bridge_tracker_requests_total', help: 'Tracker announces, by result', labelNames: ['result'], registers })
    this.sessionsClosed = new Counter({ name: 'bridge_sessions_closed_total', help: 'Page sessions ended, by why', labelNames: ['reason'], registers })
    this.webSeedBytes = new Counter({ name: 'bridge_web_seed_bytes_total', help: 'Web seed bytes fetched for pages', registers })
    this.toPeers = this.peerBytes.labels('to_peers')
    this.fromPeers = this.peerBytes.labels('from_peers')
  }

  text(): Promise<string> {
    return this.registry.metrics()
  }

  get contentType(): string {
    return this.registry.contentType
  }
}
