import { LitElement, css, html } from 'lit'
import { formatBytes, t } from '../i18n/i18n'
import { barWidth } from './bar-width'
import type { TorrentSnapshot } from '../protocol/engine-events'
import { updateWhenLocaleChanges } from './localized'

const REFRESH_MS = 5000

/** The browser's storage for this site: used, quota, and whether it is persistent. */
export class BtStorageBar extends LitElement {
  static override properties = { torrents: { attribute: false }, usage: { state: true }, quota: { state: true }, persisted: { state: true } }
  declare torrents: TorrentSnapshot[]
  declare usage: number
  declare quota: number
  declare persisted: boolean
  private timer: ReturnType<typeof setInterval> | undefined

  static override styles = css`
    :host { display: block; margin-top: 18px; color: var(--muted); font-size: .85em; text-align: center; }
    .bar { height: 4px; max-width: 320px; margin: 6px auto 0; background: var(--bar); border-radius: 2px; overflow: hidden; }
    .bar > div { height: 100%; background: var(--muted); }
    .full .bar > div { background: var(--danger); }
  `

  constructor() {
    super()
    updateWhenLocaleChanges(this)
    this.torrents = []
    this.usage = 0
    this.quota = 0
    this.persisted = false
  }

  override connectedCallback(): void {
    super.connectedCallback()
    void this.refresh()
    this.timer = setInterval(() => void this.refresh(), REFRESH_MS)
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback()
    clearInterval(this.timer)
  }

  private async refresh(): Promise<void> {
    if (!navigator.storage?.estimate) return
    const { usage = 0, quota = 0 } = await navigator.storage.estimate()
    this.usage = usage
    this.quota = quota
    this.persisted = await navigator.storage.persisted()
  }

  override render() {
    if (!this.quota) return html``
    const share = Math.min(100, (this.usage / this.quota) * 100)
    const sizes = { used: formatBytes(this.usage), quota: formatBytes(this.quota), free: formatBytes(Math.max(0, this.quota - this.usage)) }
    return html`<div class=${share > 95 ? 'full' : ''} role="group" aria-label=${t('storage.label')}>
      ${t(this.persisted ? 'storage.persistent' : 'storage.mayClear', sizes)}
      <div class="bar" aria-hidden="true"><div style=${barWidth(share)}></div></div>
    </div>`
  }
}
customElements.define('bt-storage-bar', BtStorageBar)
