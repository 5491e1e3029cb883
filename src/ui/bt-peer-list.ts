import { LitElement, css, html } from 'lit'
import { formatSpeed } from '../core/format'
import type { EngineApi } from '../engine/engine-api'
import type { PeerSnapshot } from '../protocol/engine-events'

/** How often an open peers list asks the engine again. */
const REFRESH_MS = 1000

const SOURCE_NAMES: Record<PeerSnapshot['source'], string> = {
  webrtc: 'WebRTC', tracker: 'tracker', dht: 'DHT', pex: 'PEX', magnet: 'magnet link', incoming: 'incoming', webseed: 'web seed',
}

/** A torrent's connected peers (address, client, where it was found, its progress, speeds), refreshed each second while shown. */
export class BtPeerList extends LitElement {
  static override properties = { engine: { attribute: false }, infoHash: { attribute: false }, peers: { state: true } }
  declare engine: EngineApi | undefined
  declare infoHash: string
  declare peers: PeerSnapshot[] | undefined
  private timer: ReturnType<typeof setTimeout> | undefined

  static override styles = css`
    :host { display: block; }
    ul { list-style: none; margin: 0; padding: 0; border: 1px solid var(--border); border-radius: 8px; }
    li { padding: 8px 12px; display: grid; gap: 2px; }
    li + li { border-top: 1px solid var(--border); }
    .who { display: flex; flex-wrap: wrap; gap: 4px 10px; align-items: baseline; }
    .address { font-family: ui-monospace, monospace; font-size: .9em; overflow-wrap: anywhere; }
    .client { font-weight: 600; }
    .figures { display: flex; flex-wrap: wrap; gap: 4px 14px; color: var(--muted); font-size: .88em; font-variant-numeric: tabular-nums; }
    .none { color: var(--muted); margin: 0; }
  `

  override connectedCallback(): void {
    super.connectedCallback()
    void this.refresh()
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback()
    clearTimeout(this.timer)
    this.timer = undefined
  }

  private async refresh(): Promise<void> {
    clearTimeout(this.timer)
    try {
      if (this.engine && this.infoHash) this.peers = await this.engine.peers(this.infoHash)
    } catch {
      // the torrent was removed, or the engine is stopping: the next refresh asks again
    }
    if (this.isConnected) this.timer = setTimeout(() => void this.refresh(), REFRESH_MS)
  }

  override render() {
    if (!this.peers) return html`<p class="none">Looking…</p>`
    if (this.peers.length === 0) return html`<p class="none">No peer connected right now.</p>`
    // a stable order (by address), so rows do not jump about at each refresh
    const sorted = [...this.peers].sort((a, b) => a.address.localeCompare(b.address, undefined, { numeric: true }))
    return html`<ul aria-label="Peers">${sorted.map((p) => html`<li>
      <span class="who"><span class="client">${p.client || 'Unknown client'}</span>
        <span class="address">${p.address || 'address not given'}</span><span>${SOURCE_NAMES[p.source]}</span></span>
      <span class="figures"><span title="Share of the torrent it has">has ${Math.floor(p.progress * 1000) / 10}%</span>
        <span title="From this peer">↓ ${formatSpeed(p.downloadSpeed)}</span><span title="To this peer">↑ ${formatSpeed(p.uploadSpeed)}</span></span>
    </li>`)}</ul>`
  }
}
customElements.define('bt-peer-list', BtPeerList)
