import { css, html } from 'lit'
import type { EngineApi } from '../engine/download-manager/engine-api'
import { formatPercent, formatSpeed, t, type MessageId } from '../i18n/i18n'
import type { PeerSnapshot } from '../protocol/engine-events'
import { PolledList } from './polled-list'

const SOURCE_NAMES: Record<PeerSnapshot['source'], MessageId> = {
  webrtc: 'source.webrtc', tracker: 'source.tracker', dht: 'source.dht', pex: 'source.pex', magnet: 'source.magnet', incoming: 'source.incoming',
  lsd: 'source.lsd', webseed: 'source.webseed',
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
    if (!peers) return html`<p class="none">${t('list.looking')}</p>`
    if (peers.length === 0) return html`<p class="none">${t('peers.none')}</p>`
    // a stable order (by address), so rows do not jump about at each refresh
    const sorted = [...peers].sort((a, b) => a.address.localeCompare(b.address, undefined, { numeric: true }))
    return html`<ul aria-label=${t('peers.label')}>${sorted.map((p) => html`<li>
      <span class="who"><span class="client">${p.client || t('peers.unknownClient')}</span>
        <span class="address">${p.address || t('peers.noAddress')}</span><span>${t(SOURCE_NAMES[p.source])}</span></span>
      ${p.dropped !== undefined ? html`<span class="dropped">${t('peers.dropped', { reason: p.dropped })}</span>` : html`<span class="figures"><span title=${t('peers.hasHint')}>${t('peers.has', { percent: formatPercent(p.progress) })}</span>
        <span title=${t('peers.fromPeer')}>↓ ${formatSpeed(p.downloadSpeed)}</span><span title=${t('peers.toPeer')}>↑ ${formatSpeed(p.uploadSpeed)}</span></span>`}
    </li>`)}</ul>`
  }
}
customElements.define('bt-peer-list', BtPeerList)
