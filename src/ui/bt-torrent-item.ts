import { LitElement, css, html, nothing } from 'lit'
import type { EngineApi } from '../engine/download-manager/engine-api'
import { formatBytes, formatDuration, formatPercent, formatRatio, formatSpeed, t, type MessageId } from '../i18n/i18n'
import type { TorrentSnapshot } from '../protocol/engine-events'
import { offersWhyNone } from '../core/download-manager/why-none'
import { barWidth } from './cssom-style'
import { buttonStyles } from './shared-styles'
import { updateWhenLocaleChanges } from './localized'
import { stateLabel } from './state-label'
import './bt-file-list'
import type { BtFileList } from './bt-file-list'
import './bt-peer-list'
import './bt-tracker-list'
import './bt-speed-limits'
import type { FilePriorityChange, TorrentCommand } from './torrent-command'

const SOURCE_NAMES = {
  webrtc: 'source.webrtc', tracker: 'source.tracker', dht: 'source.dht', pex: 'source.pex', magnet: 'source.magnet', incoming: 'source.incoming',
  lsd: 'source.lsd', webseed: 'source.webseed',
} as const satisfies Record<string, MessageId>

/** "WebRTC 2 · tracker 5 · DHT 1": where the connected peers came from. */
export function sourcesText(torrent: Pick<TorrentSnapshot, 'peerSources'>): string {
  return (Object.keys(SOURCE_NAMES) as (keyof typeof SOURCE_NAMES)[])
    .filter((key) => torrent.peerSources[key] > 0)
    .map((key) => t('peers.fromSource', { source: t(SOURCE_NAMES[key]), count: torrent.peerSources[key] })).join(' · ')
}


/** A control of a torrent's row that opens a dialog, for the focus to go back to when the row was redrawn meanwhile. */
export type TorrentControl = 'peers' | 'remove' | 'diagnostics'

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
    /* No content-visibility: auto: the list draws only the rows near the view (row-window.ts),
       and measures them; a row skipped by it measured as its placeholder height, not its own. */
    :host([highlighted]) { box-shadow: 0 0 0 3px var(--accent); }
    /* the size goes under the name when both do not fit (a phone, a long name, a long language) */
    .top { display: flex; flex-wrap: wrap; justify-content: space-between; gap: 2px 12px; align-items: baseline; }
    h2 { margin: 0; font-size: 1.02em; font-weight: 600; overflow-wrap: anywhere; flex: 1 1 12em; }
    .size { color: var(--muted); font-variant-numeric: tabular-nums; }
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
    summary { display: inline-block; list-style: none; cursor: pointer; padding: 7px 14px; border: 1px solid var(--border); border-radius: 8px;
      background: var(--surface-2); min-height: 20px; }
    summary::-webkit-details-marker { display: none; }
    summary:focus-visible { outline: 2px solid var(--focus); outline-offset: 2px; }
    .more { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; margin-top: 8px; }
    .more label { display: inline-flex; gap: 6px; align-items: center; color: var(--muted); }
    bt-speed-limits { flex-basis: 100%; margin-top: 4px; }
  `]

  constructor() {
    super()
    updateWhenLocaleChanges(this)
    this.expanded = false
    this.highlighted = false
  }

  override willUpdate(): void {
    // closed while there is nothing to list, so it does not reopen by itself when peers come
    if (this.peersOpen && !this.torrent.peers) this.peersOpen = false
  }

  override render() {
    const torrent = this.torrent
    const name = torrent.name
    const percent = Math.floor(torrent.progress * 1000) / 10
    const percentText = formatPercent(torrent.progress)
    const multiFile = torrent.files.length > 1
    const allDone = torrent.files.length > 0 && torrent.files.every((file) => file.done || file.priority === 0)
    return html`
      <div class="state-${torrent.state}">
        <div class="top">
          <h2>${name}</h2>
          <span class="size">${this.sizeText(torrent)}</span>
        </div>
        <div class="bar" role="progressbar" aria-label=${t('torrent.progressOf', { name })} data-pieces-checked=${torrent.piecesChecked} data-pieces-verified=${torrent.piecesVerified} aria-valuemin="0" aria-valuemax="100"
          aria-valuenow=${percent} aria-valuetext=${percentText}><div style=${barWidth(percent)}></div></div>
        <div class="stats">
          <span class="state" data-testid="state">${stateLabel(torrent)}</span>
          <span>${percentText}</span>
          <span title=${t('torrent.downloadSpeed')}>↓ ${formatSpeed(torrent.downloadSpeed)}</span>
          <span title=${t('torrent.uploadSpeed')}>↑ ${formatSpeed(torrent.uploadSpeed)}</span>
          ${this.renderPeers(torrent)}
          ${torrent.state === 'downloading' ? this.renderEta(torrent) : nothing}
          ${torrent.uploaded > 0 || torrent.progress === 1 ? html`<span title=${t('torrent.ratioHint', { uploaded: formatBytes(torrent.uploaded) })}>${t('torrent.ratio', { ratio: formatRatio(torrent.ratio) })}</span>` : nothing}
        </div>
        <div class="actions">
          <button data-opener="files" aria-expanded=${this.expanded} aria-label=${t('torrent.filesOf', { name })} ?disabled=${torrent.files.length === 0}
            @click=${() => { this.expanded = !this.expanded }}>${t('torrent.files', { count: torrent.files.length })}</button>
          ${multiFile ? html`<button ?disabled=${!allDone} aria-label=${t('torrent.saveAllOf', { name })}
            @click=${() => this.fire('save-all')}>${t('torrent.saveAll')}</button>` : nothing}
          ${this.renderPauseResume(torrent)}
          <button class="danger" data-opener="remove" aria-label=${t('torrent.removeName', { name })} @click=${() => this.fire('remove')}>${t('torrent.remove')}</button>
          <details>
            <summary aria-label=${t('torrent.moreFor', { name })}>${t('torrent.more')}</summary>
            <div class="more">
              <button aria-label=${t('torrent.recheckName', { name })} ?disabled=${!torrent.pieceCount}
                @click=${() => this.command({ type: 'recheck', infoHash: torrent.infoHash })}>${t('torrent.recheck')}</button>
              <button aria-label=${t('torrent.moveUpName', { name })} @click=${() => this.command({ type: 'up', infoHash: torrent.infoHash })}>${t('torrent.moveUp')}</button>
              <button aria-label=${t('torrent.moveDownName', { name })} @click=${() => this.command({ type: 'down', infoHash: torrent.infoHash })}>${t('torrent.moveDown')}</button>
              ${this.engine ? html`<button aria-expanded=${Boolean(this.trackersOpen)} aria-label=${t('torrent.trackersOf', { name })}
                @click=${() => { this.trackersOpen = !this.trackersOpen }}>${t('torrent.trackers')}</button>` : nothing}
              ${this.engine ? html`<button data-opener="diagnostics" aria-label=${t('torrent.diagnosticsOf', { name })}
                @click=${() => this.fire('show-diagnostics')}>${t('torrent.diagnostics')}</button>` : nothing}
              <label><input type="checkbox" .checked=${torrent.sequential}
                @change=${(e: Event) => this.command({ type: 'sequential', infoHash: torrent.infoHash, sequential: (e.target as HTMLInputElement).checked })}>
                ${t('torrent.sequential')}</label>
              <bt-speed-limits .torrent=${torrent}></bt-speed-limits>
            </div>
          </details>
        </div>
        ${this.peersOpen && torrent.peers > 0 ? html`<bt-peer-list .engine=${this.engine} .infoHash=${torrent.infoHash}></bt-peer-list>` : nothing}
        ${this.trackersOpen ? html`<bt-tracker-list .engine=${this.engine} .infoHash=${torrent.infoHash}></bt-tracker-list>` : nothing}
        ${this.expanded ? html`<bt-file-list .files=${torrent.files} .torrentName=${name} .infoHash=${torrent.infoHash}
          @save-file=${(e: CustomEvent<number>) => { e.stopPropagation(); this.fire('save-file', e.detail) }}
          @file-priority=${(e: CustomEvent<FilePriorityChange>) => {
            e.stopPropagation()
            this.command({ type: 'priority', infoHash: torrent.infoHash, fileIndex: e.detail.fileIndex, priority: e.detail.priority })
          }}></bt-file-list>` : nothing}
      </div>`
  }

  /**
   * Focuses the row's control that opened a dialog: its peers line ("Why none?", or the peers count
   * that replaced it), its Remove button, or its Diagnostics button (opening the More section it is
   * in: a redrawn row has it closed).
   */
  focusControl(control: TorrentControl): void {
    if (control === 'peers') return this.renderRoot.querySelector<HTMLElement>('button.why, button.peers')?.focus()
    const details = this.renderRoot.querySelector('details')
    if (control === 'diagnostics' && details) details.open = true
    this.renderRoot.querySelector<HTMLElement>(`[data-opener="${control}"]`)?.focus()
  }

  /**
   * Focuses a file's Play button (it opened the player), unfolding the files as they were (a redrawn
   * row has them folded), or the Files button when that file's row is not drawn.
   */
  async focusPlay(fileIndex: number): Promise<void> {
    if (!this.expanded) {
      this.expanded = true
      await this.updateComplete
    }
    const files = this.renderRoot.querySelector<BtFileList>('bt-file-list')
    await files?.updateComplete
    if (files?.focusPlay(fileIndex)) return
    this.renderRoot.querySelector<HTMLElement>('[data-opener="files"]')?.focus()
  }

  /**
   * "3 peers (tracker 2 · DHT 1)": a button that shows them, when there are any; "0 peers" and
   * "Why none?" while it looks for some. Both buttons are one element (one template), so a peer
   * coming and going, or the state flickering between looking states, does not take the focus from
   * "Why none?" (a redrawn button would drop it to the page's body); nor does a restart (offersWhyNone).
   */
  private renderPeers(torrent: TorrentSnapshot) {
    const text = torrent.peers
      ? t('torrent.peersFrom', { count: torrent.peers, sources: sourcesText(torrent) })
      : t('torrent.peers', { count: 0 })
    // no peer while looking for some: what the bridge can reach is the first thing to check (the panel links to help)
    const why = offersWhyNone(torrent)
    if (!why && (!torrent.peers || !this.engine)) return html`<span>${text}</span>`
    return html`<span ?hidden=${!why}>${why ? text : ''}</span><button class=${why ? 'link why' : 'link peers'}
      aria-expanded=${why ? nothing : Boolean(this.peersOpen)}
      aria-label=${why ? t('torrent.whyNoneFor', { name: torrent.name }) : t('torrent.peersOf', { name: torrent.name, peers: text })}
      @click=${why ? this.onWhyNone : this.onPeers}>${why ? t('torrent.whyNone') : text}</button>`
  }

  private readonly onWhyNone = (): void => this.fire('show-connectivity')
  private readonly onPeers = (): void => { this.peersOpen = !this.peersOpen }

  /** Time left; "estimating…" while bytes flow but the engine withholds a guess (core/download-manager/eta.ts), nothing while none flow. */
  private renderEta(torrent: TorrentSnapshot) {
    if (Number.isFinite(torrent.eta)) return html`<span title=${t('torrent.timeLeftHint')}>${t('torrent.timeLeft', { time: formatDuration(torrent.eta) })}</span>`
    return torrent.downloadSpeed > 0 ? html`<span title=${t('torrent.estimatingHint')}>${t('torrent.estimating')}</span>` : nothing
  }

  private sizeText(torrent: TorrentSnapshot): string {
    if (!torrent.length) return ''
    const downloaded = formatBytes(torrent.downloaded)
    const wanted = formatBytes(torrent.wantedLength)
    // the skipped files' own bytes: padding files (BEP 47) are neither wanted nor skipped
    const skipped = torrent.files.reduce((sum, file) => sum + (file.priority === 0 ? file.length : 0), 0)
    return skipped ? t('torrent.sizeSkipped', { downloaded, wanted, skipped: formatBytes(skipped) }) : t('torrent.size', { downloaded, wanted })
  }

  /** One button whose words and action follow the state: it keeps the keyboard focus when Pause turns into Resume. */
  private renderPauseResume(torrent: TorrentSnapshot) {
    const name = torrent.name
    const [type, label, text]: ['pause' | 'resume', string, string] = torrent.state === 'paused'
      ? ['resume', t('torrent.resumeName', { name }), t('torrent.resume')]
      : torrent.state === 'error' ? ['resume', t('torrent.retryName', { name }), t('torrent.retry')]
      : torrent.state === 'done' ? ['resume', t('torrent.seedName', { name }), t('torrent.seed')]
      : ['pause', t('torrent.pauseName', { name }), t('torrent.pause')]
    return html`<button aria-label=${label} @click=${() => this.command({ type, infoHash: torrent.infoHash })}>${text}</button>`
  }

  private command(detail: TorrentCommand): void {
    this.dispatchEvent(new CustomEvent('torrent-command', { detail, bubbles: true, composed: true }))
  }

  private fire(type: string, fileIndex?: number): void {
    const detail = { infoHash: this.torrent.infoHash, fileIndex }
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }))
  }
}
customElements.define('bt-torrent-item', BtTorrentItem)
