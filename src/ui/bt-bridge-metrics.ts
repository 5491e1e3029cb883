import { LitElement, css, html } from 'lit'
import { bridgeFigures, MAX_METRICS_TEXT, parseMetrics, type BridgeFigures } from '../core/prometheus-text'
import { formatBytes, t } from '../i18n/i18n'
import { updateWhenLocaleChanges } from './localized'
import { Poller } from './poller'

/** The bridge's metrics, served by this page's own server (bridge/metrics.ts). */
const METRICS_URL = '/metrics'
const REFRESH_MS = 2000

/** The body's first `max` bytes as text; the rest is never read (response.text() would take any length into memory). */
async function textUpTo(response: Response, max: number): Promise<string> {
  if (!response.body) return ''
  const reader = response.body.getReader()
  const decoder = new TextDecoder()
  let text = ''
  let bytes = 0
  try {
    while (bytes < max) {
      const { done, value } = await reader.read()
      if (done) break
      const part = value.subarray(0, max - bytes)
      bytes += part.length
      text += decoder.decode(part, { stream: true })
    }
  } finally {
    void reader.cancel().catch(() => {})
  }
  return text + decoder.decode()
}

/**
 * A few of the bridge's own figures (pages, peer connections, bytes, dials by outcome), read from
 * its /metrics while shown: what this page may see of the bridge as a whole. With a token on the
 * bridge, only a page that has it (Settings) may read them, as any other client.
 */
export class BtBridgeMetrics extends LitElement {
  static override properties = { token: { attribute: false }, hasBridge: { attribute: false }, figures: { state: true }, problem: { state: true } }
  declare token: string
  declare hasBridge: boolean
  declare figures: BridgeFigures | undefined
  declare problem: string

  static override styles = css`
    dl { display: grid; grid-template-columns: 15em 1fr; gap: 6px 16px; margin: 0; }
    dt { color: var(--muted); }
    dd { margin: 0; overflow-wrap: anywhere; font-variant-numeric: tabular-nums; }
    p { margin: 0; color: var(--muted); }
    @media (max-width: 480px) { dl { grid-template-columns: 1fr; gap: 2px; } dd { margin-bottom: 6px; } }
  `

  constructor() {
    super()
    updateWhenLocaleChanges(this)
    this.token = ''
    this.hasBridge = true
    this.problem = ''
    // asks while shown; not at all without a bridge
    new Poller(this, REFRESH_MS, () => this.refresh())
  }

  private async refresh(): Promise<boolean> {
    if (!this.hasBridge) return false
    try {
      const response = await fetch(METRICS_URL, { cache: 'no-store', headers: this.token ? { authorization: `Bearer ${this.token}` } : {} })
      if (response.status === 401) throw new Error(t('diagnostics.bridgeToken'))
      if (!response.ok) throw new Error(`HTTP ${response.status}`)
      this.figures = bridgeFigures(parseMetrics(await textUpTo(response, MAX_METRICS_TEXT)))
      this.problem = ''
    } catch (err) {
      this.problem = err instanceof Error ? err.message : String(err)
    }
    return true
  }

  override render() {
    if (!this.hasBridge) return html`<p>${t('diagnostics.bridgeNone')}</p>`
    if (this.problem) return html`<p role="status">${this.problem === t('diagnostics.bridgeToken') ? this.problem : t('diagnostics.bridgeFailed', { reason: this.problem })}</p>`
    const f = this.figures
    if (!f) return html`<p>${t('diagnostics.loading')}</p>`
    const refused = Object.entries(f.dials).filter(([outcome]) => outcome.startsWith('refused')).reduce((sum, [, n]) => sum + n, 0)
    return html`<dl aria-label=${t('diagnostics.bridge')}>
      <dt>${t('diagnostics.bridgeSessions')}</dt><dd>${t('diagnostics.count', { count: f.sessions })}</dd>
      <dt>${t('diagnostics.bridgeStreams')}</dt><dd>${t('diagnostics.bridgeStreamsValue', f.streams)}</dd>
      <dt>${t('diagnostics.bridgeBytes')}</dt><dd>${t('diagnostics.bridgeBytesValue', { received: formatBytes(f.bytes.fromPeers), sent: formatBytes(f.bytes.toPeers) })}</dd>
      <dt>${t('diagnostics.bridgeDials')}</dt><dd>${t('diagnostics.bridgeDialsValue', { opened: f.dials.opened ?? 0, failed: f.dials.failed ?? 0, refused })}</dd>
    </dl>`
  }
}
customElements.define('bt-bridge-metrics', BtBridgeMetrics)
