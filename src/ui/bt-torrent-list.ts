import { LitElement, css, html, nothing } from 'lit'
import { repeat } from 'lit/directives/repeat.js'
import { LIST_FILTERS, filterCounts, matchesFilter, matchesSearch, totalSpeeds, type ListFilter } from '../core/download-manager/list-filter'
import type { EngineApi } from '../engine/download-manager/engine-api'
import { rowsToDraw } from '../core/download-manager/row-drawing'
import { yieldToPage } from '../engine/download-manager/yield-to-page'
import { formatSpeed, rich, t, type MessageId } from '../i18n/i18n'
import type { TorrentSnapshot } from '../protocol/engine-events'
import { updateWhenLocaleChanges } from './localized'
import { buttonStyles } from './shared-styles'
import type { BtTorrentItem, TorrentControl } from './bt-torrent-item'
import './bt-torrent-item'

/** The list only gets its toolbar (filters, name search, total speeds) from this many torrents on. */
const TOOLBAR_FROM = 2
/**
 * Rows drawn at first, and added by "Show more": the filters and the search reach the rest. With
 * every row drawn, 1,000 .torrent files dropped at once were not all listed after 10 minutes (each
 * add drew the whole list again); with 100, in 37 s (docs/BENCHMARKS.md, "Scale: the page").
 */
export const LIST_ROWS_AT_A_TIME = 100

const FILTER_LABELS: Record<ListFilter, MessageId> = {
  all: 'filter.all', downloading: 'filter.downloading', seeding: 'filter.seeding', completed: 'filter.completed', paused: 'filter.paused', errors: 'filter.errors',
}

/** The list of torrents, newest first, or an empty state that tells a newcomer what to do. */
export class BtTorrentList extends LitElement {
  static override properties = {
    torrents: { attribute: false }, highlighted: { attribute: false }, ready: { attribute: false }, engine: { attribute: false },
    filter: { state: true }, query: { state: true }, limit: { state: true },
  }
  declare torrents: TorrentSnapshot[]
  declare highlighted: string | undefined
  declare ready: boolean
  declare engine: EngineApi | undefined
  declare filter: ListFilter
  declare query: string
  /** Rows drawn of those the filter and the search let through. */
  declare limit: number
  /** The torrents of the last update, to tell new ones. */
  private known: Set<string> | undefined
  /** Rows drawn now: the list fills up to `limit` a few rows per task (core/download-manager/row-drawing.ts). */
  private drawn = 0
  /** Rows to draw once filled: what the filter and the search let through, up to `limit`. */
  private wanted = 0
  private growing = false

  static override styles = [buttonStyles, css`
    ul { list-style: none; margin: 0; padding: 0; display: grid; gap: var(--gap); }
    .empty { text-align: center; padding: 48px 20px; border: 2px dashed var(--border); border-radius: var(--radius);
      color: var(--muted); }
    .empty h2 { color: var(--text); font-size: 1.15em; margin: 0 0 8px; }
    .empty p { margin: 4px 0; }
    .empty a { color: var(--accent); }
    a:focus-visible { outline: 2px solid var(--focus); outline-offset: 2px; border-radius: 2px; }
    .toolbar { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 12px; margin-bottom: var(--gap); }
    .filters { display: flex; flex-wrap: wrap; gap: 6px; }
    .filters button { min-height: 32px; padding: 4px 12px; border-radius: 16px; font-size: .92em; }
    .filters button[aria-pressed=true] { background: var(--accent); color: var(--accent-text); border-color: var(--accent); }
    .count { opacity: .8; font-variant-numeric: tabular-nums; }
    input[type=search] { font: inherit; color: var(--text); background: var(--surface); border: 1px solid var(--border);
      border-radius: 8px; padding: 6px 10px; min-height: 32px; flex: 1 1 140px; min-width: 0; max-width: 260px; }
    .totals { margin-left: auto; color: var(--muted); font-size: .92em; white-space: nowrap; font-variant-numeric: tabular-nums; }
    .none { text-align: center; color: var(--muted); padding: 24px 12px; }
    .more { text-align: center; margin: var(--gap) 0 0; }
    @media (max-width: 480px) { input[type=search] { max-width: none; flex-basis: 100%; } .totals { margin-left: 0; } }
  `]

  constructor() {
    super()
    updateWhenLocaleChanges(this)
    this.torrents = []
    this.ready = false
    this.filter = 'all'
    this.query = ''
    this.limit = LIST_ROWS_AT_A_TIME
  }

  override willUpdate(changed: Map<string, unknown>): void {
    // A torrent just added, or the one the app points at (added twice), is never hidden by a
    // filter; nor is anything once the toolbar that would say why is gone.
    const known = this.known
    if (changed.has('torrents')) this.known = new Set(this.torrents.map((t) => t.infoHash))
    if (this.filter !== 'all' || this.query) {
      const visible = new Set(this.visible().map((t) => t.infoHash))
      const added = changed.has('torrents') && known !== undefined && this.torrents.some((t) => !known.has(t.infoHash) && !visible.has(t.infoHash))
      const pointed = changed.has('highlighted') && this.highlighted !== undefined && !visible.has(this.highlighted)
      if (added || pointed || this.torrents.length < TOOLBAR_FROM) this.showAll()
    }
    // nor is it left among the rows not drawn
    let pointedAt = -1
    if (changed.has('highlighted') && this.highlighted !== undefined) {
      const at = this.sorted().findIndex((t) => t.infoHash === this.highlighted)
      if (at >= this.limit) this.limit = (Math.floor(at / LIST_ROWS_AT_A_TIME) + 1) * LIST_ROWS_AT_A_TIME
      pointedAt = at
    }
    // a new view is drawn a few rows per task, not 100 rows in one (a reload, a filter, a search)
    const newView = (changed.has('torrents') && !known?.size) || changed.has('filter') || changed.has('query')
    this.wanted = Math.min(this.limit, this.visible().length)
    this.drawn = rowsToDraw(this.drawn, this.wanted, { newView, atLeast: pointedAt + 1 })
  }

  override updated(): void {
    if (this.growing || this.drawn >= this.wanted) return
    this.growing = true
    void yieldToPage().then(() => {
      this.growing = false
      this.requestUpdate()
    })
  }

  override render() {
    if (this.torrents.length === 0) {
      return html`<div class="empty" role="status">
        <h2>${this.ready ? t('list.empty') : t('list.starting')}</h2>
        <p>${t('list.emptyHow')}</p>
        <p>${t('list.emptyWhere')}</p>
        <p>${rich('list.emptyHelp', { link: (chunks) => html`<a href="#help">${chunks}</a>` })}</p>
      </div>`
    }
    const shown = this.sorted()
    const drawn = shown.slice(0, this.drawn)
    const more = shown.length - this.wanted
    return html`${this.torrents.length >= TOOLBAR_FROM ? this.renderToolbar() : nothing}
      ${shown.length === 0
        ? html`<p class="none" role="status">${t('list.noMatch')} <button class="link" @click=${() => this.showAll()}>${t('list.showAll')}</button></p>`
        : html`<ul aria-label=${t('list.label')}>${repeat(drawn, (t) => t.infoHash, (t) => html`
      <li aria-label=${t.name}><bt-torrent-item .torrent=${t} .engine=${this.engine} ?highlighted=${t.infoHash === this.highlighted}></bt-torrent-item></li>`)}</ul>
        ${more > 0 ? html`<p class="more"><button @click=${() => { this.limit += LIST_ROWS_AT_A_TIME }}>${t('list.showMore', { count: Math.min(more, LIST_ROWS_AT_A_TIME), hidden: more })}</button></p>` : nothing}`}`
  }

  /** What the filter and the search let through, newest first. */
  private sorted(): TorrentSnapshot[] {
    return this.visible().sort((a, b) => b.addedAt - a.addedAt)
  }

  private renderToolbar() {
    const counts = filterCounts(this.torrents)
    const { down, up } = totalSpeeds(this.torrents)
    // "All" always; another filter only when something is under it (or it is the one chosen)
    const filters = LIST_FILTERS.filter((f) => f === 'all' || counts[f] > 0 || f === this.filter)
    return html`<div class="toolbar">
      <div class="filters" role="group" aria-label=${t('list.filters')}>
        ${filters.map((f) => html`<button aria-pressed=${f === this.filter}
          @click=${() => { this.filter = f }}>${t(FILTER_LABELS[f])} <span class="count">${counts[f]}</span></button>`)}
      </div>
      <input type="search" placeholder=${t('list.search')} aria-label=${t('list.searchLabel')} .value=${this.query}
        @input=${(e: Event) => { this.query = (e.target as HTMLInputElement).value }}>
      <span class="totals" role="group" aria-label=${t('list.totals')} title=${t('list.totalsHint')}>↓ ${formatSpeed(down)} · ↑ ${formatSpeed(up)}</span>
    </div>`
  }

  private visible(): TorrentSnapshot[] {
    return this.torrents.filter((t) => matchesFilter(t, this.filter) && matchesSearch(t.name, this.query))
  }

  /** Focuses a torrent's control that opened a dialog (its row may have been redrawn since). */
  focusControlOf(infoHash: string, control: TorrentControl): void {
    const items = this.renderRoot.querySelectorAll<BtTorrentItem>('bt-torrent-item')
    for (const item of items) if (item.torrent.infoHash === infoHash) return item.focusControl(control)
  }

  /** Focuses a torrent's Play button for a file (it opened the player; its row may have been redrawn since). */
  focusPlayOf(infoHash: string, fileIndex: number): void {
    const items = this.renderRoot.querySelectorAll<BtTorrentItem>('bt-torrent-item')
    for (const item of items) if (item.torrent.infoHash === infoHash) return void item.focusPlay(fileIndex)
  }

  private showAll(): void {
    this.filter = 'all'
    this.query = ''
    this.limit = LIST_ROWS_AT_A_TIME
  }
}
customElements.define('bt-torrent-list', BtTorrentList)
