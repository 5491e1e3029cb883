import { LitElement, css, html, type PropertyValues } from 'lit'
import { storageUsed, storedTally } from '../core/file-storage/storage-used'
import { formatBytes, t } from '../i18n/i18n'
import { barWidth } from './cssom-style'
import type { TorrentSnapshot } from '../protocol/engine-events'
import { updateWhenLocaleChanges } from './localized'

const REFRESH_MS = 5000
/** While the torrents' bytes change, the estimate is asked again at most this often. */
const MIN_REFRESH_MS = 1000

/** The browser's storage for this site: used, quota, and whether it is persistent. */
export class BtStorageBar extends LitElement {
  static override properties = { torrents: { attribute: false }, usage: { state: true }, quota: { state: true }, persisted: { state: true } }
  declare torrents: TorrentSnapshot[]
  declare usage: number
  declare quota: number
  declare persisted: boolean
  private timer: ReturnType<typeof setInterval> | undefined
  /** The torrents' downloaded bytes when the estimate was last asked for, and when. */
  private tallyAtRefresh = 0
  private refreshedAt = 0

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

  /** A torrent wrote (or removed) data since the last estimate: ask again, so the line follows a download and its end. */
  override willUpdate(changed: PropertyValues<this>): void {
    if (!changed.has('torrents')) return
    const tally = storedTally(this.torrents)
    if (tally !== this.tallyAtRefresh && performance.now() - this.refreshedAt >= MIN_REFRESH_MS) void this.refresh()
  }

  private async refresh(): Promise<void> {
    if (!navigator.storage?.estimate) return
    this.tallyAtRefresh = storedTally(this.torrents)
    this.refreshedAt = performance.now()
    const { usage = 0, quota = 0 } = await navigator.storage.estimate()
    this.usage = usage
    this.quota = quota
    this.persisted = await navigator.storage.persisted()
  }

  override render() {
    if (!this.quota) return html``
    const used = storageUsed(this.usage, this.torrents)
    const share = Math.min(100, (used / this.quota) * 100)
    const sizes = { used: formatBytes(used), quota: formatBytes(this.quota), free: formatBytes(Math.max(0, this.quota - used)) }
    return html`<div class=${share > 95 ? 'full' : ''} role="group" aria-label=${t('storage.label')}>
      ${t(this.persisted ? 'storage.persistent' : 'storage.mayClear', sizes)}
      <div class="bar" aria-hidden="true"><div style=${barWidth(share)}></div></div>
    </div>`
  }
}
customElements.define('bt-storage-bar', BtStorageBar)
