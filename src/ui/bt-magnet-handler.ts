import { LitElement, css, html, nothing } from 'lit'
import { t } from '../i18n/i18n'
import { MAGNET_QUERY } from '../protocol/sw-messages'
import { updateWhenLocaleChanges } from './localized'
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
    updateWhenLocaleChanges(this)
    this.asked = false
  }

  override render() {
    const register = (navigator as { registerProtocolHandler?: Registrar }).registerProtocolHandler
    const standalone = window.matchMedia('(display-mode: standalone)').matches
    if (typeof register !== 'function' || standalone) return nothing
    return html`<footer><p>
      ${this.asked
        ? html`<span role="status">${t('magnetHandler.confirm')}</span>`
        : html`<button class="link" @click=${() => this.registerHandler()}>${t('magnetHandler.register')}</button>`}
    </p></footer>`
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
