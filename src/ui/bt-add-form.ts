import { LitElement, css, html } from 'lit'
import { t } from '../i18n/i18n'
import { updateWhenLocaleChanges } from './localized'
import { buttonStyles } from './shared-styles'

/** Emits `add-text` with the typed text and `add-files` with picked .torrent files. */
export class BtAddForm extends LitElement {
  static override styles = [buttonStyles, css`
    form { display: flex; gap: 8px; flex-wrap: wrap; }
    input[type=text] {
      flex: 1 1 260px; min-width: 0; font: inherit; color: var(--text); background: var(--surface);
      border: 1px solid var(--border); border-radius: 8px; padding: 8px 12px; min-height: 20px;
    }
    .actions { display: flex; gap: 8px; }
    input[type=file] { position: absolute; opacity: 0; width: 1px; height: 1px; }
  `]

  constructor() {
    super()
    updateWhenLocaleChanges(this)
  }

  override render() {
    return html`
      <form @submit=${this.onSubmit}>
        <input type="text" name="source" aria-label=${t('add.field')}
          placeholder=${t('add.field')} autocomplete="off" spellcheck="false">
        <div class="actions">
          <button class="primary" type="submit">${t('add.add')}</button>
          <label class="button">
            <input type="file" accept=".torrent,application/x-bittorrent" multiple aria-label=${t('add.openFile')}
              @change=${this.onFiles}>
            <span aria-hidden="true">${t('add.openFileButton')}</span>
          </label>
        </div>
      </form>`
  }

  /** Puts the keyboard focus in the text field. */
  focusField(): void {
    this.renderRoot.querySelector<HTMLInputElement>('input[type=text]')?.focus()
  }

  private onSubmit(event: SubmitEvent): void {
    event.preventDefault()
    const input = this.renderRoot.querySelector<HTMLInputElement>('input[type=text]')!
    const text = input.value.trim()
    if (!text) return input.focus()
    this.dispatchEvent(new CustomEvent('add-text', { detail: text, bubbles: true, composed: true }))
    input.value = ''
  }

  private onFiles(event: Event): void {
    const input = event.target as HTMLInputElement
    const files = [...(input.files ?? [])]
    input.value = ''
    if (files.length) this.dispatchEvent(new CustomEvent('add-files', { detail: files, bubbles: true, composed: true }))
  }
}
customElements.define('bt-add-form', BtAddForm)
