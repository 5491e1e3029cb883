import { css, html, nothing } from 'lit'
import type { EngineApi } from '../engine/engine-api'
import type { TrackerSnapshot } from '../protocol/engine-events'
import { PolledList } from './polled-list'

const STATE_NAMES: Record<TrackerSnapshot['state'], string> = {
  announcing: 'Announcing…', working: 'Working', error: 'Not working', refused: 'Refused', waiting: 'Not contacted',
}

/** "3 seeders · 12 leechers · gave 15 peers", from what the tracker told. */
function figures(t: TrackerSnapshot): string[] {
  const out: string[] = []
  if (t.seeders >= 0) out.push(`${t.seeders} ${t.seeders === 1 ? 'seeder' : 'seeders'}`)
  if (t.leechers >= 0) out.push(`${t.leechers} ${t.leechers === 1 ? 'leecher' : 'leechers'}`)
  if (t.peers >= 0 && t.state === 'working') out.push(`gave ${t.peers} ${t.peers === 1 ? 'peer' : 'peers'}`)
  return out
}

/**
 * A running torrent's trackers, each with its state in words, why it fails, and the swarm's size
 * as it told it: what a qBittorrent user reads to see why no peers come. Refreshed each second.
 */
export class BtTrackerList extends PolledList<TrackerSnapshot> {
  static override styles = [PolledList.listStyles, css`
    .url { font-family: ui-monospace, monospace; font-size: .9em; overflow-wrap: anywhere; }
    .line { display: flex; flex-wrap: wrap; gap: 4px 14px; font-size: .88em; font-variant-numeric: tabular-nums; }
    .state { font-weight: 600; }
    .working { color: var(--ok); }
    .error, .refused { color: var(--danger); }
    .figures, .message { color: var(--muted); }
    .message { overflow-wrap: anywhere; }
  `]

  protected override fetch(engine: EngineApi, infoHash: string): Promise<TrackerSnapshot[]> {
    return engine.trackers(infoHash)
  }

  override render() {
    const trackers = this.items
    if (!trackers) return html`<p class="none">Looking…</p>`
    if (trackers.length === 0) return html`<p class="none">No trackers while the torrent is not running, or it has none (peers then come from the DHT and peer exchange).</p>`
    return html`<ul aria-label="Trackers">${trackers.map((t) => html`<li>
      <span class="url">${t.url}</span>
      <span class="line"><span class="state ${t.state}">${STATE_NAMES[t.state]}</span>
        ${figures(t).map((f) => html`<span class="figures">${f}</span>`)}
        ${t.message ? html`<span class="message">${t.message}</span>` : nothing}</span>
    </li>`)}</ul>`
  }
}
customElements.define('bt-tracker-list', BtTrackerList)
