import { LitElement, css, html, nothing } from 'lit'
import type { EngineApi } from '../engine/download-manager/engine-api'
import { formatSpeed, t } from '../i18n/i18n'
import type { BridgeStatus, TorrentDiagnostics } from '../protocol/engine-events'
import { OpenerFocus, keepTabInside } from './dialog-focus'
import { updateWhenLocaleChanges } from './localized'
import { buttonStyles } from './shared-styles'
import { sourcesText } from './bt-torrent-item'
import './bt-bridge-metrics'

const REFRESH_MS = 1000

/**
 * "Why is this slow?": what the engine knows of one torrent (peers by source, connections and
 * their choke and interest states, block requests in flight, piece availability), asked again each
 * second through the engine API (so a second tab shows it too), and the bridge's own figures.
 */
export class BtDiagnostics extends LitElement {
  static override properties = {
    engine: { attribute: false }, bridge: { attribute: false }, token: { attribute: false },
    infoHash: { state: true }, name: { state: true }, report: { state: true }, shown: { state: true },
  }
  declare engine: EngineApi | undefined
  declare bridge: BridgeStatus
  declare token: string
  declare infoHash: string
  declare name: string
  /** undefined until the first answer; null once the torrent is gone. */
  declare report: TorrentDiagnostics | null | undefined
  declare shown: boolean
  private timer: ReturnType<typeof setTimeout> | undefined
  private readonly openerFocus = new OpenerFocus()

  static override styles = [buttonStyles, css`
    dialog { background: var(--surface); color: var(--text); border: 1px solid var(--border); border-radius: var(--radius);
      width: min(620px, calc(100vw - 32px)); max-height: calc(100vh - 48px); padding: 20px; box-sizing: border-box; }
    dialog::backdrop { background: rgb(0 0 0 / .45); }
    h2 { margin: 0 0 6px; font-size: 1.15em; overflow-wrap: anywhere; }
    h3 { margin: 16px 0 8px; font-size: 1em; }
    p { margin: 0 0 10px; color: var(--muted); }
    p.hint { color: var(--warn); }
    dl { display: grid; grid-template-columns: 15em 1fr; gap: 6px 16px; margin: 0; }
    dt { color: var(--muted); }
    dd { margin: 0; overflow-wrap: anywhere; font-variant-numeric: tabular-nums; }
    .actions { display: flex; justify-content: flex-end; margin-top: 14px; }
    @media (max-width: 480px) { dl { grid-template-columns: 1fr; gap: 2px; } dd { margin-bottom: 6px; } }
  `]

  constructor() {
    super()
    updateWhenLocaleChanges(this)
    this.bridge = { state: 'none', reason: null }
    this.token = ''
    this.infoHash = ''
    this.name = ''
    this.shown = false
  }

  /**
   * Shows one torrent's diagnostics, asked again each second until closed; `refocus` finds the
   * opener again should the torrent's row be redrawn meanwhile (dialog-focus.ts).
   */
  open(infoHash: string, name: string, refocus?: () => void): void {
    this.openerFocus.opened(refocus)
    this.infoHash = infoHash
    this.name = name
    this.report = undefined
    this.shown = true
    void this.refresh()
    void this.updateComplete.then(() => this.renderRoot.querySelector('dialog')?.showModal())
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback()
    this.stop()
  }

  private stop(): void {
    clearTimeout(this.timer)
    this.shown = false
  }

  private async refresh(): Promise<void> {
    clearTimeout(this.timer)
    if (!this.shown || !this.engine) return
    const asked = this.infoHash
    try {
      const report = await this.engine.diagnostics(asked)
      if (asked === this.infoHash) this.report = report ?? null
    } catch {
      // the engine is stopping, or the tab that runs it went: the next refresh asks again
    }
    if (this.shown) this.timer = setTimeout(() => void this.refresh(), REFRESH_MS)
  }

  override render() {
    return html`
      <dialog aria-labelledby="diagnostics-title" @keydown=${keepTabInside} @close=${(e: Event) => { this.stop(); this.openerFocus.closed(e.currentTarget as Element) }}>
        <h2 id="diagnostics-title">${t('diagnostics.title', { name: this.name })}</h2>
        <p>${t('diagnostics.intro')}</p>
        <h3>${t('diagnostics.torrent')}</h3>
        ${this.renderTorrent(this.report)}
        <h3>${t('diagnostics.bridge')}</h3>
        ${this.shown ? html`<bt-bridge-metrics .token=${this.token} .hasBridge=${this.bridge.state !== 'none'}></bt-bridge-metrics>` : nothing}
        <div class="actions"><button @click=${() => this.renderRoot.querySelector('dialog')?.close()}>${t('common.close')}</button></div>
      </dialog>`
  }

  private renderTorrent(r: TorrentDiagnostics | null | undefined) {
    if (r === undefined) return html`<p>${t('diagnostics.loading')}</p>`
    if (r === null) return html`<p>${t('diagnostics.gone')}</p>`
    const running = r.state === 'downloading' || r.state === 'seeding' || r.state === 'metadata' || r.state === 'checking'
    const a = r.availability
    const copies = Math.round(a.distributedCopies * 100) / 100
    return html`
      ${running ? nothing : html`<p>${t('diagnostics.notRunning')}</p>`}
      ${a.missingNowhere > 0 && r.wires.total > 0 ? html`<p class="hint">${t('diagnostics.hintNowhere')}</p>` : nothing}
      ${r.wires.total > 0 && r.wires.unchokedUs === 0 && a.missing > 0 ? html`<p class="hint">${t('diagnostics.hintChoked')}</p>` : nothing}
      <dl aria-label=${t('diagnostics.torrent')}>
        <dt>${t('diagnostics.speeds')}</dt><dd>↓ ${formatSpeed(r.downloadSpeed)} · ↑ ${formatSpeed(r.uploadSpeed)}</dd>
        <dt>${t('diagnostics.peers')}</dt><dd>${sourcesText(r) || t('diagnostics.none')}</dd>
        <dt>${t('diagnostics.wires')}</dt><dd>${t('diagnostics.wiresValue', r.wires)}</dd>
        <dt>${t('diagnostics.requests')}</dt><dd>${t('diagnostics.requestsValue', r.requests)}</dd>
        ${this.bridge.state !== 'none' ? html`<dt>${t('diagnostics.candidates')}</dt><dd>${t('diagnostics.count', { count: r.candidates })}</dd>` : nothing}
        <dt>${t('diagnostics.availability')}</dt><dd>${a.missing > 0
          ? t('diagnostics.availabilityValue', { copies, missing: a.missing, pieces: a.pieces, nowhere: a.missingNowhere })
          : t('diagnostics.allHere', { copies })}</dd>
      </dl>`
  }
}
customElements.define('bt-diagnostics', BtDiagnostics)
