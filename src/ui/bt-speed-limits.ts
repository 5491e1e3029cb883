import { LitElement, css, html } from 'lit'
import { kibPerSecondText, parseKiBPerSecond } from '../core/download-manager/speed-limits'
import { t } from '../i18n/i18n'
import type { TorrentSnapshot } from '../protocol/engine-events'
import { updateWhenLocaleChanges } from './localized'
import type { TorrentCommand } from './torrent-command'

type Field = 'downloadLimit' | 'uploadLimit'

/**
 * A torrent's own download and upload limits in KiB/s, empty for none. A change is sent when the
 * input is committed (Enter or leaving it) as a bubbling, composed `torrent-command`.
 */
export class BtSpeedLimits extends LitElement {
  static override properties = { torrent: { attribute: false } }
  declare torrent: TorrentSnapshot

  static override styles = css`
    /* label and input in two aligned columns, the same on a phone as on a desktop */
    :host { display: grid; grid-template-columns: max-content 6em; justify-content: start; align-items: center;
      gap: 6px 10px; color: var(--muted); }
    .title { grid-column: 1 / -1; }
    label { display: contents; }
    input { font: inherit; color: var(--text); background: var(--bg); border: 1px solid var(--border);
      border-radius: 6px; padding: 4px 6px; width: 100%; box-sizing: border-box; min-height: 24px; font-variant-numeric: tabular-nums; }
    input::placeholder { color: var(--muted); opacity: .8; }
    input:focus-visible { outline: 2px solid var(--focus); outline-offset: 1px; }
  `

  constructor() {
    super()
    updateWhenLocaleChanges(this)
  }

  override render() {
    const torrent = this.torrent
    return html`
      <span class="title" title=${t('limits.hint')}>${t('limits.title')}</span>
      ${this.renderInput('downloadLimit', t('limits.download'), t('limits.downloadOf', { name: torrent.name }), torrent)}
      ${this.renderInput('uploadLimit', t('limits.upload'), t('limits.uploadOf', { name: torrent.name }), torrent)}`
  }

  private renderInput(field: Field, label: string, name: string, torrent: TorrentSnapshot) {
    return html`<label>${label}<input type="number" min="0" step="any" inputmode="decimal" placeholder=${t('limits.none')}
      aria-label=${name} .value=${kibPerSecondText(torrent[field])}
      @change=${(e: Event) => this.commit(field, e.target as HTMLInputElement)}></label>`
  }

  private commit(field: Field, input: HTMLInputElement): void {
    // a number input reads '' for text it cannot parse: that is not "no limit"
    const bytesPerSecond = input.validity.badInput ? null : parseKiBPerSecond(input.value)
    // Not a usable number: show the limit that still holds.
    if (bytesPerSecond === null) {
      input.value = kibPerSecondText(this.torrent[field])
      return
    }
    const detail: TorrentCommand = { type: field, infoHash: this.torrent.infoHash, bytesPerSecond }
    this.dispatchEvent(new CustomEvent('torrent-command', { detail, bubbles: true, composed: true }))
  }
}
customElements.define('bt-speed-limits', BtSpeedLimits)
