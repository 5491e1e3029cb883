import { LitElement, css, html, nothing } from 'lit'
import { t } from '../i18n/i18n'
import { updateWhenLocaleChanges } from './localized'
import { buttonStyles } from './shared-styles'

export interface Notice { id: number; kind: 'error' | 'info'; text: string }

/**
 * Errors stay until dismissed; information fades by itself. An error's text is an alert (said as
 * it appears, without its Dismiss button); information is said through <bt-announcer>, whose
 * status region is there before its words change, as a status region must be.
 */
export class BtNotices extends LitElement {
  static override properties = { notices: { attribute: false } }
  declare notices: Notice[]

  static override styles = [buttonStyles, css`
    :host { display: grid; gap: 8px; }
    .notice { display: flex; gap: 10px; align-items: flex-start; justify-content: space-between;
      padding: 10px 14px; border-radius: 8px; border: 1px solid var(--border); background: var(--surface); }
    .error { border-color: var(--danger); }
    .error .text::before { content: "⚠ "; color: var(--danger); }
    .text { overflow-wrap: anywhere; }
  `]

  constructor() {
    super()
    updateWhenLocaleChanges(this)
    this.notices = []
  }

  override render() {
    return this.notices.map((notice) => html`
      <div class="notice ${notice.kind}">
        <span class="text" role=${notice.kind === 'error' ? 'alert' : nothing}>${notice.text}</span>
        <button class="link" aria-label=${t('common.dismiss')} @click=${() => this.dispatchEvent(new CustomEvent('dismiss', { detail: notice.id }))}>✕</button>
      </div>`)
  }
}
customElements.define('bt-notices', BtNotices)
