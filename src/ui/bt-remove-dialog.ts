import { LitElement, css, html } from 'lit'
import { t } from '../i18n/i18n'
import { OpenerFocus, keepTabInside } from './dialog-focus'
import { updateWhenLocaleChanges } from './localized'
import { buttonStyles } from './shared-styles'

/** Asks whether to keep or delete a torrent's data. Emits `confirm` with `{ deleteData }`. */
export class BtRemoveDialog extends LitElement {
  static override properties = { torrentName: { attribute: false } }
  declare torrentName: string
  private readonly openerFocus = new OpenerFocus()

  static override styles = [buttonStyles, css`
    dialog { background: var(--surface); color: var(--text); border: 1px solid var(--border); border-radius: var(--radius);
      max-width: min(440px, calc(100vw - 32px)); padding: 20px; }
    dialog::backdrop { background: rgb(0 0 0 / .45); }
    h2 { margin: 0 0 8px; font-size: 1.1em; overflow-wrap: anywhere; }
    p { margin: 0 0 16px; color: var(--muted); }
    .actions { display: flex; flex-wrap: wrap; gap: 8px; justify-content: flex-end; }
  `]

  constructor() {
    super()
    updateWhenLocaleChanges(this)
    this.torrentName = ''
  }

  /** Opens the dialog; `refocus` finds its opener again should the torrent's row be redrawn meanwhile (dialog-focus.ts). */
  open(refocus?: () => void): void {
    this.openerFocus.opened(refocus)
    this.renderRoot.querySelector('dialog')?.showModal()
  }

  override render() {
    return html`
      <dialog aria-labelledby="title" @keydown=${keepTabInside} @close=${(e: Event) => this.openerFocus.closed(e.currentTarget as Element)}>
        <h2 id="title">${t('remove.title', { name: this.torrentName })}</h2>
        <p>${t('remove.hint')}</p>
        <div class="actions">
          <button @click=${() => this.close()}>${t('common.cancel')}</button>
          <button @click=${() => this.close(false)}>${t('remove.keep')}</button>
          <button class="danger" @click=${() => this.close(true)}>${t('remove.delete')}</button>
        </div>
      </dialog>`
  }

  private close(deleteData?: boolean): void {
    this.renderRoot.querySelector('dialog')?.close()
    if (deleteData !== undefined) this.dispatchEvent(new CustomEvent('confirm', { detail: { deleteData } }))
  }
}
customElements.define('bt-remove-dialog', BtRemoveDialog)
