import { LitElement, css, html, nothing } from 'lit'
import { MAGNET_QUERY } from '../protocol/sw-messages'
import { buttonStyles } from './shared-styles'

type Registrar = (scheme: string, url: string) => void

/**
 * "Open magnet links with Torrent Web": the installed app gets `magnet:` through the manifest's
 * protocol_handlers; in a browser tab (or a browser without that manifest member) this asks the
 * browser through navigator.registerProtocolHandler, which shows its own confirmation.
 */
export class BtMagnetHandler extends LitElement {
  static override properties = { asked: { state: true } }
  declare asked: boolean

  static override styles = [buttonStyles, css`
    :host { display: block; max-width: 980px; margin: 0 auto; padding: 0 16px 32px; box-sizing: border-box;
      color: var(--muted); font-size: .87em; text-align: center; }
    p { margin: 0; }
  `]

  constructor() {
    super()
    this.asked = false
  }

  override render() {
    const register = (navigator as { registerProtocolHandler?: Registrar }).registerProtocolHandler
    const standalone = window.matchMedia('(display-mode: standalone)').matches
    if (typeof register !== 'function' || standalone) return nothing
    return html`<p>
      ${this.asked
        ? html`<span role="status">Confirm in the browser’s prompt to open magnet links here.</span>`
        : html`<button class="link" @click=${() => this.registerHandler()}>Open magnet links with Torrent Web</button>`}
    </p>`
  }

  private registerHandler(): void {
    try {
      navigator.registerProtocolHandler('magnet', `${window.location.origin}/?${MAGNET_QUERY}=%s`)
      this.asked = true
    } catch (err) {
      console.warn('[magnet handler]', err)
    }
  }
}
customElements.define('bt-magnet-handler', BtMagnetHandler)
