import { css, html, nothing } from 'lit'
import type { EngineApi } from '../engine/download-manager/engine-api'
import { t, type MessageId } from '../i18n/i18n'
import type { TrackerSnapshot } from '../protocol/engine-events'
import { PolledList } from './polled-list'

const STATE_NAMES: Record<TrackerSnapshot['state'], MessageId> = {
  announcing: 'trackers.announcing', working: 'trackers.working', error: 'trackers.error', refused: 'trackers.refused', waiting: 'trackers.waiting',
}

/** "3 seeders · 12 leechers · gave 15 peers", from what the tracker told. */
function figures(tracker: TrackerSnapshot): string[] {
  const out: string[] = []
  if (tracker.seeders >= 0) out.push(t('trackers.seeders', { count: tracker.seeders }))
  if (tracker.leechers >= 0) out.push(t('trackers.leechers', { count: tracker.leechers }))
  if (tracker.peers >= 0 && tracker.state === 'working') out.push(t('trackers.gave', { count: tracker.peers }))
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
    if (!trackers) return html`<p class="none">${t('list.looking')}</p>`
    if (trackers.length === 0) return html`<p class="none">${t('trackers.none')}</p>`
    return html`<ul aria-label=${t('trackers.label')}>${trackers.map((tracker) => html`<li>
      <span class="url">${tracker.url}</span>
      <span class="line"><span class="state ${tracker.state}">${t(STATE_NAMES[tracker.state])}</span>
        ${figures(tracker).map((f) => html`<span class="figures">${f}</span>`)}
        ${tracker.message ? html`<span class="message">${tracker.message}</span>` : nothing}</span>
    </li>`)}</ul>`
  }
}
customElements.define('bt-tracker-list', BtTrackerList)
