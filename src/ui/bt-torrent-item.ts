import { LitElement, css, html, nothing } from 'lit'
import { barWidth } from './bar-width'
import { formatBytes, formatEta, formatSpeed } from '../core/format'
import type { EngineApi } from '../engine/engine-api'
import type { TorrentSnapshot } from '../protocol/engine-events'
import { buttonStyles } from './shared-styles'
import { stateLabel } from './state-label'
import './bt-file-list'
import './bt-peer-list'
import './bt-tracker-list'
import './bt-speed-limits'
import type { TorrentCommand } from './torrent-command'

/** "WebRTC 2 · tracker 5 · DHT 1": where the connected peers came from. */
function sourcesText(t: TorrentSnapshot): string {
  const names = { webrtc: 'WebRTC', tracker: 'tracker', dht: 'DHT', pex: 'PEX', magnet: 'magnet link', incoming: 'incoming', lsd: 'LSD', webseed: 'web seed' } as const
  return (Object.keys(names) as (keyof typeof names)[])
    .filter((key) => t.peerSources[key] > 0).map((key) => `${names[key]} ${t.peerSources[key]}`).join(' · ')
}

/** One torrent: name, size, progress, state in words, speeds, peers, ETA; files on demand. */
export class BtTorrentItem extends LitElement {
  static override properties = {
    torrent: { attribute: false },
    engine: { attribute: false },
    expanded: { type: Boolean, reflect: true },
    peersOpen: { state: true },
    trackersOpen: { state: true },
    highlighted: { type: Boolean, reflect: true },
  }
  declare torrent: TorrentSnapshot
  /** For the peers list, which asks the engine itself. */
  declare engine: EngineApi | undefined
  declare expanded: boolean
  declare peersOpen: boolean
  declare trackersOpen: boolean
  declare highlighted: boolean

  static override styles = [buttonStyles, css`
    :host { display: block; background: var(--surface); border: 1px solid var(--border); border-radius: var(--radius);
      padding: 14px 16px; transition: box-shadow .3s; }
    :host([highlighted]) { box-shadow: 0 0 0 3px var(--accent); }
    .top { display: flex; justify-content: space-between; gap: 12px; align-items: baseline; }
    h3 { margin: 0; font-size: 1.02em; font-weight: 600; overflow-wrap: anywhere; }
    .size { color: var(--muted); white-space: nowrap; font-variant-numeric: tabular-nums; }
    .bar { height: 8px; background: var(--bar); border-radius: 4px; overflow: hidden; margin: 10px 0 8px; }
    /* No width transition: it would lay the page out every frame for as long as a download runs. */
    .bar > div { height: 100%; background: var(--accent); }
    .state-seeding .bar > div, .state-done .bar > div { background: var(--ok); }
    .state-error .bar > div { background: var(--danger); }
    .stats { display: flex; flex-wrap: wrap; gap: 4px 14px; color: var(--muted); font-size: .9em;
      font-variant-numeric: tabular-nums; }
    .state { color: var(--text); font-weight: 600; }
    .state-error .state { color: var(--danger); }
    .state-seeding .state, .state-done .state { color: var(--ok); }
    .actions { display: flex; flex-wrap: wrap; gap: 8px; margin-top: 10px; }
    bt-file-list, bt-peer-list, bt-tracker-list { margin-top: 10px; }
    button.peers, button.why { padding: 0; min-height: 0; font-size: inherit; color: var(--accent); text-decoration: underline dotted;
      text-underline-offset: 3px; }
    details { display: inline-block; }
    summary { list-style: none; cursor: pointer; padding: 7px 14px; border: 1px solid var(--border); border-radius: 8px;
      background: var(--surface-2); min-height: 20px; }
    summary::-webkit-details-marker { display: none; }
    summary:focus-visible { outline: 2px solid var(--focus); outline-offset: 2px; }
    .more { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; margin-top: 8px; }
    .more label { display: inline-flex; gap: 6px; align-items: center; color: var(--muted); }
    bt-speed-limits { flex-basis: 100%; margin-top: 4px; }
  `]

  constructor() {
    super()
    this.expanded = false
    this.highlighted = false
  }

  override willUpdate(): void {
    // closed while there is nothing to list, so it does not reopen by itself when peers come
    if (this.peersOpen && !this.torrent.peers) this.peersOpen = false
  }

  override render() {
    const t = this.torrent
    const percent = Math.floor(t.progress * 1000) / 10
    const multiFile = t.files.length > 1
    const allDone = t.files.length > 0 && t.files.every((file) => file.done || file.priority === 0)
    return html`
      <div class="state-${t.state}">
        <div class="top">
          <h3>${t.name}</h3>
          <span class="size">${this.sizeText(t)}</span>
        </div>
        <div class="bar" role="progressbar" aria-label="Progress of ${t.name}" data-pieces-checked=${t.piecesChecked} data-pieces-verified=${t.piecesVerified} aria-valuemin="0" aria-valuemax="100"
          aria-valuenow=${percent} aria-valuetext="${percent}%"><div style=${barWidth(percent)}></div></div>
        <div class="stats">
          <span class="state" data-testid="state">${stateLabel(t)}</span>
          <span>${percent}%</span>
          <span title="Download speed">↓ ${formatSpeed(t.downloadSpeed)}</span>
          <span title="Upload speed">↑ ${formatSpeed(t.uploadSpeed)}</span>
          ${this.renderPeers(t)}
          ${t.state === 'downloading' ? this.renderEta(t) : nothing}
          ${t.uploaded > 0 || t.progress === 1 ? html`<span title="Uploaded ${formatBytes(t.uploaded)}: the ratio is uploaded ÷ size">Ratio ${t.ratio.toFixed(2)}</span>` : nothing}
        </div>
        <div class="actions">
          <button aria-expanded=${this.expanded} aria-label="Files of ${t.name}" ?disabled=${t.files.length === 0}
            @click=${() => { this.expanded = !this.expanded }}>Files (${t.files.length})</button>
          ${multiFile ? html`<button ?disabled=${!allDone} aria-label="Save all files of ${t.name}"
            @click=${() => this.fire('save-all')}>Save all</button>` : nothing}
          ${this.renderPauseResume(t)}
          <button class="danger" aria-label="Remove ${t.name}" @click=${() => this.fire('remove')}>Remove</button>
          <details>
            <summary aria-label="More actions for ${t.name}">More</summary>
            <div class="more">
              <button aria-label="Re-check ${t.name}" ?disabled=${!t.pieceCount}
                @click=${() => this.command('recheck')}>Re-check</button>
              <button aria-label="Move ${t.name} up in the queue" @click=${() => this.command('up')}>Move up</button>
              <button aria-label="Move ${t.name} down in the queue" @click=${() => this.command('down')}>Move down</button>
              ${this.engine ? html`<button aria-expanded=${Boolean(this.trackersOpen)} aria-label="Trackers of ${t.name}"
                @click=${() => { this.trackersOpen = !this.trackersOpen }}>Trackers</button>` : nothing}
              <label><input type="checkbox" .checked=${t.sequential}
                @change=${(e: Event) => this.command('sequential', (e.target as HTMLInputElement).checked ? 1 : 0)}>
                Download in order (sequential)</label>
              <bt-speed-limits .torrent=${t}></bt-speed-limits>
            </div>
          </details>
        </div>
        ${this.peersOpen && t.peers > 0 ? html`<bt-peer-list .engine=${this.engine} .infoHash=${t.infoHash}></bt-peer-list>` : nothing}
        ${this.trackersOpen ? html`<bt-tracker-list .engine=${this.engine} .infoHash=${t.infoHash}></bt-tracker-list>` : nothing}
        ${this.expanded ? html`<bt-file-list .files=${t.files} .torrentName=${t.name} .infoHash=${t.infoHash}
          @save-file=${(e: CustomEvent<number>) => { e.stopPropagation(); this.fire('save-file', e.detail) }}
          @file-priority=${(e: CustomEvent<{ fileIndex: number; priority: number }>) => {
            e.stopPropagation()
            this.dispatchEvent(new CustomEvent('torrent-command', { bubbles: true, composed: true,
              detail: { infoHash: t.infoHash, action: 'priority', fileIndex: e.detail.fileIndex, value: e.detail.priority } }))
          }}></bt-file-list>` : nothing}
      </div>`
  }

  /** "3 peers (tracker 2 · DHT 1)": a button that shows them, when there are any. */
  private renderPeers(t: TorrentSnapshot) {
    const text = `${t.peers} ${t.peers === 1 ? 'peer' : 'peers'}${t.peers ? ` (${sourcesText(t)})` : ''}`
    // no peer while looking for some: what the bridge can reach is the first thing to check
    if (!t.peers && (t.state === 'downloading' || t.state === 'metadata' || t.state === 'seeding')) {
      return html`<span>${text}</span><button class="link why" aria-label="Why no peers for ${t.name}? Show connectivity"
        @click=${() => this.fire('show-connectivity')}>Why none?</button>`
    }
    if (!t.peers || !this.engine) return html`<span>${text}</span>`
    return html`<button class="link peers" aria-expanded=${Boolean(this.peersOpen)} aria-label="Peers of ${t.name}: ${text}"
      @click=${() => { this.peersOpen = !this.peersOpen }}>${text}</button>`
  }

  /** Time left; "estimating…" while bytes flow but the engine withholds a guess (core/eta.ts), nothing while none flow. */
  private renderEta(t: TorrentSnapshot) {
    if (Number.isFinite(t.eta)) return html`<span title="Time left">${formatEta(t.eta)} left</span>`
    return t.downloadSpeed > 0 ? html`<span title="Time left: known after a few seconds of downloading">estimating…</span>` : nothing
  }

  private sizeText(t: TorrentSnapshot): string {
    if (!t.length) return ''
    const size = `${formatBytes(t.downloaded)} of ${formatBytes(t.wantedLength)}`
    // the skipped files' own bytes: padding files (BEP 47) are neither wanted nor skipped
    const skipped = t.files.reduce((sum, file) => sum + (file.priority === 0 ? file.length : 0), 0)
    return skipped ? `${size} · ${formatBytes(skipped)} skipped` : size
  }

  private renderPauseResume(t: TorrentSnapshot) {
    switch (t.state) {
      case 'paused': return html`<button aria-label="Resume ${t.name}" @click=${() => this.command('resume')}>Resume</button>`
      case 'error': return html`<button aria-label="Retry ${t.name}" @click=${() => this.command('resume')}>Retry</button>`
      case 'done': return html`<button aria-label="Seed ${t.name}" @click=${() => this.command('resume')}>Seed</button>`
      default: return html`<button aria-label="Pause ${t.name}" @click=${() => this.command('pause')}>Pause</button>`
    }
  }

  private command(action: TorrentCommand['action'], value?: number): void {
    const detail: TorrentCommand = value === undefined ? { infoHash: this.torrent.infoHash, action } : { infoHash: this.torrent.infoHash, action, value }
    this.dispatchEvent(new CustomEvent('torrent-command', { detail, bubbles: true, composed: true }))
  }

  private fire(type: string, fileIndex?: number): void {
    const detail = { infoHash: this.torrent.infoHash, fileIndex }
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }))
  }
}
customElements.define('bt-torrent-item', BtTorrentItem)
