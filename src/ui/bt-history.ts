import { LitElement, css, html } from 'lit'
import type { EngineApi } from '../engine/download-manager/engine-api'
import { formatBytes, formatDate, rich, t } from '../i18n/i18n'
import type { HistoryEntry } from '../protocol/stored-torrent'
import { AppError } from '../protocol/errors'
import { keepTabInside } from './dialog-focus'
import { updateWhenLocaleChanges } from './localized'
import { buttonStyles } from './shared-styles'

/** Finished downloads (name, size, when), newest first, kept in IndexedDB; "Clear history" empties it. */
export class BtHistory extends LitElement {
  static override properties = {
    engine: { attribute: false },
    entries: { state: true },
    error: { state: true },
  }
  declare engine: EngineApi | undefined
  declare entries: HistoryEntry[] | undefined
  declare error: string | undefined

  static override styles = [buttonStyles, css`
    dialog { background: var(--surface); color: var(--text); border: 1px solid var(--border); border-radius: var(--radius);
      width: min(560px, calc(100vw - 32px)); max-height: calc(100vh - 48px); padding: 20px; box-sizing: border-box; }
    dialog::backdrop { background: rgb(0 0 0 / .45); }
    h2 { margin: 0 0 12px; font-size: 1.15em; }
    ol { list-style: none; margin: 0; padding: 0; }
    li { padding: 8px 0; border-top: 1px solid var(--border); }
    .name { overflow-wrap: anywhere; font-weight: 600; }
    .meta { color: var(--muted); font-size: .87em; font-variant-numeric: tabular-nums; }
    p.empty { color: var(--muted); margin: 8px 0; }
    p.error { color: var(--danger); }
    .actions { display: flex; flex-wrap: wrap; justify-content: flex-end; gap: 8px; margin-top: 14px; }
  `]

  constructor() {
    super()
    updateWhenLocaleChanges(this)
  }

  get isOpen(): boolean {
    return Boolean(this.renderRoot.querySelector('dialog')?.open)
  }

  async open(): Promise<void> {
    this.renderRoot.querySelector('dialog')?.showModal()
    await this.refresh()
  }

  async refresh(): Promise<void> {
    if (!this.engine) return
    try {
      this.entries = await this.engine.history()
      this.error = undefined
    } catch (err) {
      this.error = AppError.from(err).message
    }
  }

  override render() {
    const entries = this.entries
    return html`
      <dialog aria-labelledby="history-title" @keydown=${keepTabInside}>
        <h2 id="history-title">${t('history.title')}</h2>
        ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : ''}
        ${!entries ? html`<p class="empty">${t('common.loading')}</p>`
          : entries.length === 0 ? html`<p class="empty">${t('history.empty')}</p>`
          : html`<ol aria-label=${t('history.label')}>${entries.map((entry) => html`
              <li aria-label=${entry.name}>
                <div class="name">${entry.name}</div>
                <div class="meta">${rich('history.finished', { size: formatBytes(entry.length), date: formatDate(entry.finishedAt),
                  time: (chunks) => html`<time datetime=${new Date(entry.finishedAt).toISOString()}>${chunks}</time>` })}</div>
              </li>`)}</ol>`}
        <div class="actions">
          <button class="danger" ?disabled=${!entries?.length} @click=${() => void this.clear()}>${t('history.clear')}</button>
          <button @click=${() => this.renderRoot.querySelector('dialog')?.close()}>${t('common.close')}</button>
        </div>
      </dialog>`
  }

  private async clear(): Promise<void> {
    if (!this.engine) return
    try {
      await this.engine.clearHistory()
      this.entries = []
    } catch (err) {
      this.error = AppError.from(err).message
    }
  }
}
customElements.define('bt-history', BtHistory)
