import type { BridgeStatus } from '../protocol/engine-events'

/** What the page can reach, in words (the "Reach" line under the list). */
export function reachText(bridge: BridgeStatus): string {
  const route = bridge.route
  switch (bridge.state) {
    case 'connected': {
      if (route?.state === 'down') return `The bridge cannot reach the swarm: ${route.message}. WebRTC peers meanwhile.`
      const from = route?.outgoingInterface ? ` from ${route.outgoingInterface}` : ''
      if (route?.proxy) {
        return `Connected to the whole swarm through the bridge's proxy ${route.proxy}${from}: TCP peers and HTTP/UDP trackers (no DHT behind a proxy); ` +
          'WebRTC peers from this browser directly.'
      }
      return `Connected to the whole swarm: TCP peers, HTTP/UDP trackers and the DHT through the bridge${from}, and WebRTC peers.`
    }
    case 'connecting': return 'Connecting to the bridge… WebRTC peers meanwhile.'
    case 'none': return 'WebRTC peers only: this server has no bridge to TCP peers, HTTP/UDP trackers and the DHT.'
    default: return `Bridge not connected${bridge.reason ? ` (${bridge.reason})` : ''}: WebRTC peers only until it is back; retrying.`
  }
}

/** The bridge is lost, or cannot reach out: said where it is seen. */
export function reachLost(bridge: BridgeStatus): boolean {
  return bridge.state === 'disconnected' || bridge.state === 'closed' || (bridge.state === 'connected' && bridge.route?.state === 'down')
}
