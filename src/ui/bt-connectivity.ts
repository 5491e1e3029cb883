import { LitElement, css, html, nothing } from 'lit'
import { t } from '../i18n/i18n'
import type { BridgeConnectivity, BridgeStatus } from '../protocol/engine-events'
import { OpenerFocus, keepTabInside } from './dialog-focus'
import { updateWhenLocaleChanges } from './localized'
import { buttonStyles } from './shared-styles'

const PROTOCOLS = { upnp: 'UPnP', natpmp: 'NAT-PMP', pcp: 'PCP', '': '' }

/** Can peers on the internet connect in, in words: the first thing to read when no peers come. */
export function reachable(bridge: BridgeStatus, c: BridgeConnectivity | undefined): { yes: boolean; text: string; tone: 'yes' | 'partly' | 'no' | 'wait' } {
  if (bridge.state === 'none') return { yes: false, tone: 'no', text: t('connectivity.noBridge') }
  if (bridge.state === 'disconnected' || bridge.state === 'closed') return { yes: false, tone: 'no', text: t('connectivity.bridgeLost') }
  if (!c) return { yes: false, tone: 'wait', text: t('connectivity.notKnownYet') }
  const m = c.portMapping
  switch (m.state) {
    // a mapping with a remark is only part of the way (a port left out, another NAT beyond the router)
    case 'mapped': return m.message
      ? { yes: true, tone: 'partly', text: t('connectivity.partly', { protocol: PROTOCOLS[m.protocol], gateway: m.gateway, reason: m.message }) }
      : { yes: true, tone: 'yes', text: t('connectivity.yes', { protocol: PROTOCOLS[m.protocol], gateway: m.gateway }) }
    case 'mapping': return { yes: false, tone: 'wait', text: m.gateway ? t('connectivity.askingAt', { gateway: m.gateway }) : t('connectivity.asking') }
    case 'failed': return { yes: false, tone: 'no', text: t('connectivity.no', { reason: m.message || t('connectivity.notMapped') }) }
    case 'off': return { yes: false, tone: 'no', text: t('connectivity.no', { reason: m.message || t('connectivity.mappingOff') }) }
  }
}

function bridgeText(bridge: BridgeStatus): string {
  switch (bridge.state) {
    case 'connected': return t('connectivity.connected')
    case 'connecting': return t('connectivity.connecting')
    case 'none': return t('connectivity.none')
    default: return bridge.reason ? t('connectivity.notConnectedBecause', { reason: bridge.reason }) : t('connectivity.notConnected')
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
    a { color: var(--accent); }
    a:focus-visible { outline: 2px solid var(--focus); outline-offset: 2px; border-radius: 2px; }
    .actions { display: flex; justify-content: flex-end; margin-top: 14px; }
    @media (max-width: 480px) { dl { grid-template-columns: 1fr; gap: 2px; } dd { margin-bottom: 8px; } }
  `]

  constructor() {
    super()
    updateWhenLocaleChanges(this)
    this.bridge = { state: 'none', reason: null }
  }

  private readonly openerFocus = new OpenerFocus()

  /**
   * Opens the panel. The browser gives the focus back to what opened it on close; `giveFocusBack`
   * is for when that element is gone by then (a torrent's row redrawn while the panel was open:
   * its "Why none?" button re-created, or replaced by a peers count), so the focus is not lost
   * to the page's body.
   */
  open(giveFocusBack?: () => void): void {
    this.openerFocus.opened(giveFocusBack)
    this.renderRoot.querySelector('dialog')?.showModal()
  }

  override render() {
    const c = this.bridge.state === 'connected' ? this.bridge.connectivity : undefined
    const reach = reachable(this.bridge, c)
    const m = c?.portMapping
    const external = m?.externalHost ? `${m.externalHost.includes(':') ? `[${m.externalHost}]` : m.externalHost}:${m.externalPort}` : t('connectivity.notKnown')
    return html`
      <dialog aria-labelledby="connectivity-title" @keydown=${keepTabInside} @close=${(e: Event) => this.openerFocus.closed(e.currentTarget as Element)}>
        <h2 id="connectivity-title">${t('connectivity.title')}</h2>
        <dl aria-label=${t('connectivity.title')}>
          <dt>${t('connectivity.bridge')}</dt><dd>${bridgeText(this.bridge)}</dd>
          <dt>${t('connectivity.reachable')}</dt><dd class=${reach.tone}>${reach.text}</dd>
          ${c ? html`
            <dt>${t('connectivity.external')}</dt><dd>${external}</dd>
            <dt>DHT</dt><dd>${c.dhtNodes < 0 ? t('connectivity.off') : t('connectivity.dhtNodes', { count: c.dhtNodes })}</dd>
            <dt>${t('connectivity.lsd')}</dt><dd>${c.lsd ? t('connectivity.on') : t('connectivity.off')}</dd>
            <dt>${t('connectivity.proxy')}</dt><dd>${c.proxy || t('connectivity.noProxy')}</dd>
            <dt>IPv6</dt><dd>${c.ipv6 ? t('connectivity.ipv6Yes') : t('connectivity.ipv6No')}</dd>` : nothing}
        </dl>
        ${c?.portMapping.state === 'failed' ? html`<p class="hint">${t('connectivity.forwardHint', { port: String(c.peerPort) })}</p>` : nothing}
        <p class="hint"><a href="#help-peers">${t('connectivity.help')}</a></p>
        <div class="actions"><button @click=${() => this.renderRoot.querySelector('dialog')?.close()}>${t('common.close')}</button></div>
      </dialog>`
  }
}
customElements.define('bt-connectivity', BtConnectivity)
