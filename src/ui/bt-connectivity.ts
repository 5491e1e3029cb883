import { LitElement, css, html, nothing } from 'lit'
import type { BridgeConnectivity, BridgeStatus } from '../protocol/engine-events'
import { buttonStyles } from './shared-styles'

const PROTOCOLS = { upnp: 'UPnP', natpmp: 'NAT-PMP', pcp: 'PCP', '': '' }

/** Can peers on the internet connect in, in words: the first thing to read when no peers come. */
export function reachable(bridge: BridgeStatus, c: BridgeConnectivity | undefined): { yes: boolean; text: string; tone: 'yes' | 'partly' | 'no' | 'wait' } {
  if (bridge.state === 'none') return { yes: false, tone: 'no', text: 'No: without a bridge, only WebRTC peers reach this page' }
  if (bridge.state === 'disconnected' || bridge.state === 'closed') return { yes: false, tone: 'no', text: 'No: the bridge is not connected' }
  if (!c) return { yes: false, tone: 'wait', text: 'Not known yet' }
  const m = c.portMapping
  switch (m.state) {
    // a mapping with a remark is only part of the way (a port left out, another NAT beyond the router)
    case 'mapped': return m.message ? { yes: true, tone: 'partly', text: `Partly, through ${PROTOCOLS[m.protocol]} on ${m.gateway}: ${m.message}` }
      : { yes: true, tone: 'yes', text: `Yes, through ${PROTOCOLS[m.protocol]} on ${m.gateway}` }
    case 'mapping': return { yes: false, tone: 'wait', text: `Asking the router${m.gateway ? ` at ${m.gateway}` : ''}…` }
    case 'failed': return { yes: false, tone: 'no', text: `No: ${m.message || 'the router did not map the port'}` }
    case 'off': return { yes: false, tone: 'no', text: `No: ${m.message || 'port mapping is off'}` }
  }
}

function bridgeText(bridge: BridgeStatus): string {
  switch (bridge.state) {
    case 'connected': return 'Connected'
    case 'connecting': return 'Connecting…'
    case 'none': return 'None: this server runs without one'
    default: return `Not connected${bridge.reason ? ` (${bridge.reason})` : ''}`
  }
}

/** The bridge's reach at a glance (bridge, port mapping, external address, DHT, LSD, proxy, IPv6), in a dialog. */
export class BtConnectivity extends LitElement {
  static override properties = { bridge: { attribute: false } }
  declare bridge: BridgeStatus

  static override styles = [buttonStyles, css`
    dialog { background: var(--surface); color: var(--text); border: 1px solid var(--border); border-radius: var(--radius);
      width: min(560px, calc(100vw - 32px)); max-height: calc(100vh - 48px); padding: 20px; box-sizing: border-box; }
    dialog::backdrop { background: rgb(0 0 0 / .45); }
    h2 { margin: 0 0 12px; font-size: 1.15em; }
    dl { display: grid; grid-template-columns: max-content 1fr; gap: 8px 16px; margin: 0; }
    dt { color: var(--muted); }
    dd { margin: 0; overflow-wrap: anywhere; }
    .yes { color: var(--ok); font-weight: 600; } .no, .partly { color: var(--warn); font-weight: 600; }
    p.hint { color: var(--muted); font-size: .9em; margin: 14px 0 0; }
    .actions { display: flex; justify-content: flex-end; margin-top: 14px; }
    @media (max-width: 480px) { dl { grid-template-columns: 1fr; gap: 2px; } dd { margin-bottom: 8px; } }
  `]

  constructor() {
    super()
    this.bridge = { state: 'none', reason: null }
  }

  open(): void {
    this.renderRoot.querySelector('dialog')?.showModal()
  }

  override render() {
    const c = this.bridge.state === 'connected' ? this.bridge.connectivity : undefined
    const reach = reachable(this.bridge, c)
    const m = c?.portMapping
    const external = m?.externalHost ? `${m.externalHost.includes(':') ? `[${m.externalHost}]` : m.externalHost}:${m.externalPort}` : 'Not known'
    return html`
      <dialog aria-labelledby="connectivity-title">
        <h2 id="connectivity-title">Connectivity</h2>
        <dl aria-label="Connectivity">
          <dt>Bridge</dt><dd>${bridgeText(this.bridge)}</dd>
          <dt>Reachable from the internet</dt><dd class=${reach.tone}>${reach.text}</dd>
          ${c ? html`
            <dt>External address</dt><dd>${external}</dd>
            <dt>DHT</dt><dd>${c.dhtNodes < 0 ? 'Off' : `${c.dhtNodes} ${c.dhtNodes === 1 ? 'node' : 'nodes'}${c.dhtNodes ? '' : ': none found yet'}`}</dd>
            <dt>Local peer discovery</dt><dd>${c.lsd ? 'On' : 'Off'}</dd>
            <dt>Proxy</dt><dd>${c.proxy || 'None'}</dd>
            <dt>IPv6</dt><dd>${c.ipv6 ? 'Yes: peers can connect over IPv6' : 'No: IPv4 peers only'}</dd>` : nothing}
        </dl>
        ${c?.portMapping.state === 'failed' ? html`<p class="hint">Peers on the internet cannot connect to this bridge, so only peers that accept
          connections themselves can exchange data with you. Turn on UPnP or NAT-PMP in your router, or forward TCP port
          ${c.peerPort} to this computer there.</p>` : nothing}
        <div class="actions"><button @click=${() => this.renderRoot.querySelector('dialog')?.close()}>Close</button></div>
      </dialog>`
  }
}
customElements.define('bt-connectivity', BtConnectivity)
