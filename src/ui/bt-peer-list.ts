import { css, html } from 'lit'
import { formatSpeed } from '../core/format'
import type { EngineApi } from '../engine/engine-api'
import type { PeerSnapshot } from '../protocol/engine-events'
import { PolledList } from './polled-list'

const SOURCE_NAMES: Record<PeerSnapshot['source'], string> = {
  webrtc: 'WebRTC', tracker: 'tracker', dht: 'DHT', pex: 'PEX', magnet: 'magnet link', incoming: 'incoming', lsd: 'LSD', webseed: 'web seed',
}

/** A torrent's connected peers (address, client, where it was found, its progress, speeds), refreshed each second while shown. */
export class BtPeerList extends PolledList<PeerSnapshot> {
  static override styles = [PolledList.listStyles, css`
    .who { display: flex; flex-wrap: wrap; gap: 4px 10px; align-items: baseline; }
    .address { font-family: ui-monospace, monospace; font-size: .9em; overflow-wrap: anywhere; }
    .client { font-weight: 600; }
    .figures { display: flex; flex-wrap: wrap; gap: 4px 14px; color: var(--muted); font-size: .88em; font-variant-numeric: tabular-nums; }
    .dropped { color: var(--muted); font-size: .88em; overflow-wrap: anywhere; }
  `]

  protected override fetch(engine: EngineApi, infoHash: string): Promise<PeerSnapshot[]> {
    return engine.peers(infoHash)
  }

  override render() {
    const peers = this.items
    if (!peers) return html`<p class="none">Looking…</p>`
    if (peers.length === 0) return html`<p class="none">No peer connected right now.</p>`
    // a stable order (by address), so rows do not jump about at each refresh
    const sorted = [...peers].sort((a, b) => a.address.localeCompare(b.address, undefined, { numeric: true }))
    return html`<ul aria-label="Peers">${sorted.map((p) => html`<li>
      <span class="who"><span class="client">${p.client || 'Unknown client'}</span>
        <span class="address">${p.address || 'address not given'}</span><span>${SOURCE_NAMES[p.source]}</span></span>
      ${p.dropped !== undefined ? html`<span class="dropped">Dropped: ${p.dropped}</span>` : html`<span class="figures"><span title="Share of the torrent it has">has ${Math.floor(p.progress * 1000) / 10}%</span>
        <span title="From this peer">↓ ${formatSpeed(p.downloadSpeed)}</span><span title="To this peer">↑ ${formatSpeed(p.uploadSpeed)}</span></span>`}
    </li>`)}</ul>`
  }
}
customElements.define('bt-peer-list', BtPeerList)
