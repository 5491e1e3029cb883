import { LitElement, css, html } from 'lit'
import { buttonStyles } from './shared-styles'

export interface Notice { id: number; kind: 'error' | 'info'; text: string }

/** Errors stay until dismissed (role=alert); information fades by itself (role=status). */
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
    this.notices = []
  }

  override render() {
    return this.notices.map((notice) => html`
      <div class="notice ${notice.kind}" role=${notice.kind === 'error' ? 'alert' : 'status'}>
        <span class="text">${notice.text}</span>
        <button class="link" aria-label="Dismiss" @click=${() => this.dispatchEvent(new CustomEvent('dismiss', { detail: notice.id }))}>✕</button>
      </div>`)
  }
}
customElements.define('bt-notices', BtNotices)
