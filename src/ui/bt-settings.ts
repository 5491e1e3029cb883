import { LitElement, css, html } from 'lit'
import type { RuntimeConfig } from '../protocol/runtime-config'
import { buttonStyles } from './shared-styles'

/** Settings: for now what the server configured (trackers, ICE servers); editable settings come with prefs. */
export class BtSettings extends LitElement {
  static override properties = { config: { attribute: false } }
  declare config: RuntimeConfig | undefined

  static override styles = [buttonStyles, css`
    dialog { background: var(--surface); color: var(--text); border: 1px solid var(--border); border-radius: var(--radius);
      width: min(520px, calc(100vw - 32px)); padding: 20px; }
    dialog::backdrop { background: rgb(0 0 0 / .45); }
    h2 { margin: 0 0 12px; font-size: 1.15em; }
    h3 { margin: 14px 0 4px; font-size: .95em; }
    ul { margin: 0; padding-left: 18px; color: var(--muted); overflow-wrap: anywhere; }
    p { color: var(--muted); margin: 4px 0; }
    .actions { display: flex; justify-content: flex-end; margin-top: 16px; }
  `]

  open(): void {
    this.renderRoot.querySelector('dialog')?.showModal()
  }

  override render() {
    const config = this.config
    return html`
      <dialog aria-labelledby="settings-title">
        <h2 id="settings-title">Settings</h2>
        <h3>WebSocket trackers</h3>
        ${config?.trackers.length ? html`<ul>${config.trackers.map((url) => html`<li>${url}</li>`)}</ul>` : html`<p>None</p>`}
        <h3>ICE servers (WebRTC)</h3>
        ${config?.iceServers.length
          ? html`<ul>${config.iceServers.flatMap((server) => [server.urls].flat()).map((url) => html`<li>${url}</li>`)}</ul>`
          : html`<p>None: direct connections only</p>`}
        <h3>Reach</h3>
        <p>This page reaches WebRTC peers through WebSocket trackers. Ordinary BitTorrent peers (TCP), HTTP/UDP trackers and the DHT need the bridge, which is not connected.</p>
        <div class="actions"><button @click=${() => this.renderRoot.querySelector('dialog')?.close()}>Close</button></div>
      </dialog>`
  }
}
customElements.define('bt-settings', BtSettings)
