import { t } from '../i18n/i18n'
import type { BridgeStatus } from '../protocol/engine-events'

/** What the page can reach, in words: the "Reach" line under the list, and the help page. */
export function reachText(bridge: BridgeStatus): string {
  const route = bridge.route
  switch (bridge.state) {
    case 'connected': {
      if (route?.state === 'down') return t('reach.routeDown', { reason: route.message })
      const via = route?.outgoingInterface
      if (route?.proxy) {
        return via ? t('reach.proxyFrom', { proxy: route.proxy, via }) : t('reach.proxy', { proxy: route.proxy })
      }
      // a bridge started with --no-dht: the whole swarm but what only the DHT knows of
      if (bridge.connectivity?.dhtNodes === -1) return via ? t('reach.connectedFromNoDht', { via }) : t('reach.connectedNoDht')
      return via ? t('reach.connectedFrom', { via }) : t('reach.connected')
    }
    case 'connecting': return t('reach.connecting')
    case 'none': return t('reach.none')
    default: return bridge.reason ? t('reach.lostBecause', { reason: bridge.reason }) : t('reach.lost')
  }
}

/** The bridge is lost, or cannot reach out: said where it is seen. */
export function reachLost(bridge: BridgeStatus): boolean {
  return bridge.state === 'disconnected' || bridge.state === 'closed' || (bridge.state === 'connected' && bridge.route?.state === 'down')
}
