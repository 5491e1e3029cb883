import { LitElement, css, html, nothing } from 'lit'
import { t } from '../i18n/i18n'
import { updateWhenLocaleChanges } from './localized'
import { buttonStyles } from './shared-styles'

interface Toast { id: number; kind: 'error' | 'info'; text: string }

const INFO_MS = 6000

/**
 * Messages from outside the torrent list, at the bottom of the screen: "Reload to update" when a
 * new version is waiting (stays until taken or put off), and the outcome of launches (shared
 * links, magnet: links, opened .torrent files) that arrive while no form is involved.
 */
export class BtToast extends LitElement {
  static override properties = { toasts: { state: true }, pendingUpdate: { state: true } }
  declare toasts: Toast[]
  declare pendingUpdate: (() => void) | undefined
  private nextId = 1

  static override styles = [buttonStyles, css`
    :host { position: fixed; z-index: 20; left: 0; right: 0; bottom: max(16px, env(safe-area-inset-bottom));
      display: grid; justify-items: center; gap: 8px; padding: 0 12px; pointer-events: none; }
    .toast { pointer-events: auto; display: flex; flex-wrap: wrap; align-items: center; gap: 8px 14px;
      max-width: 560px; padding: 10px 12px 10px 16px; border-radius: var(--radius);
      background: var(--surface); color: var(--text); border: 1px solid var(--border);
      box-shadow: 0 6px 24px rgb(0 0 0 / .22); }
    .text { flex: 1 1 14em; overflow-wrap: anywhere; }
    .error { border-color: var(--danger); }
    .error .text::before { content: "⚠ "; color: var(--danger); }
    .actions { display: flex; gap: 8px; margin-left: auto; }
  `]

  constructor() {
    super()
    updateWhenLocaleChanges(this)
    this.toasts = []
  }

  /** Shows "Reload to update" until the user takes it (calls `apply`) or chooses "Later". */
  offerUpdate(apply: () => void): void {
    this.pendingUpdate = apply
  }

  report(kind: Toast['kind'], text: string): void {
    const toast = { id: this.nextId++, kind, text }
    this.toasts = [...this.toasts, toast].slice(-3)
    if (kind === 'info') setTimeout(() => this.dismiss(toast.id), INFO_MS)
  }

  override render() {
    return html`
      ${this.pendingUpdate ? html`
        <div class="toast" role="status" aria-label=${t('update.label')}>
          <span class="text">${t('update.text')}</span>
          <span class="actions">
            <button class="link" @click=${() => { this.pendingUpdate = undefined }}>${t('update.later')}</button>
            <button class="primary" @click=${() => this.applyUpdate()}>${t('update.reload')}</button>
          </span>
        </div>` : nothing}
      ${this.toasts.map((toast) => html`
        <div class="toast ${toast.kind}">
          <span class="text" role=${toast.kind === 'error' ? 'alert' : 'status'}>${toast.text}</span>
          <button class="link" aria-label=${t('common.dismiss')} @click=${() => this.dismiss(toast.id)}>✕</button>
        </div>`)}`
  }

  private applyUpdate(): void {
    const apply = this.pendingUpdate
    this.pendingUpdate = undefined
    apply?.()
  }

  private dismiss(id: number): void {
    this.toasts = this.toasts.filter((toast) => toast.id !== id)
  }
}
customElements.define('bt-toast', BtToast)
