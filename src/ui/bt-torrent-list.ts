import { LitElement, css, html, nothing } from 'lit'
import { repeat } from 'lit/directives/repeat.js'
import { LIST_FILTERS, filterCounts, matchesFilter, matchesSearch, totalSpeeds, type ListFilter } from '../core/download-manager/list-filter'
import { DRAW_ALL_UP_TO } from '../core/download-manager/list-window'
import type { EngineApi } from '../engine/download-manager/engine-api'
import { formatSpeed, rich, t, type MessageId } from '../i18n/i18n'
import type { TorrentSnapshot } from '../protocol/engine-events'
import { gapHeight } from './cssom-style'
import { updateWhenLocaleChanges } from './localized'
import { RowWindow } from './row-window'
import { buttonStyles } from './shared-styles'
import type { BtTorrentItem, TorrentControl } from './bt-torrent-item'
import './bt-torrent-item'

/** The list only gets its toolbar (filters, name search, total speeds) from this many torrents on. */
const TOOLBAR_FROM = 2
/** A drawn row (`at`: its place among those shown), or a gap of `gap` px standing in for rows not drawn. */
type ListEntry = { key: string; torrent: TorrentSnapshot; at: number; gap: 0 } | { key: string; torrent: undefined; at: -1; gap: number }

const FILTER_LABELS: Record<ListFilter, MessageId> = {
  all: 'filter.all', downloading: 'filter.downloading', seeding: 'filter.seeding', completed: 'filter.completed', paused: 'filter.paused', errors: 'filter.errors',
}

/** The list of torrents, newest first, or an empty state that tells a newcomer what to do. */
export class BtTorrentList extends LitElement {
  static override properties = {
    torrents: { attribute: false }, highlighted: { attribute: false }, ready: { attribute: false }, engine: { attribute: false },
    filter: { state: true }, query: { state: true },
  }
  declare torrents: TorrentSnapshot[]
  declare highlighted: string | undefined
  declare ready: boolean
  declare engine: EngineApi | undefined
  declare filter: ListFilter
  declare query: string
  /** The torrents of the last update, to tell new ones. */
  private known: Set<string> | undefined
  /**
   * Above 50 rows (DRAW_ALL_UP_TO), only those in and near the view are drawn (row-window.ts): with one element and
   * its shadow tree per torrent, 1,000 rows made a reload's teardown and first render ~100 ms tasks each.
   */
  private readonly rows = new RowWindow(this, () => this.renderRoot.querySelector<HTMLElement>('ul'), () => this.alwaysDrawn())

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
    /* on the accent, a faded count fell under 4.5:1 (3.98 light, 4.48 dark; axe) */
    .filters button[aria-pressed=true] .count { opacity: 1; }
    input[type=search] { font: inherit; color: var(--text); background: var(--surface); border: 1px solid var(--border);
      border-radius: 8px; padding: 6px 10px; min-height: 32px; flex: 1 1 140px; min-width: 0; max-width: 260px; }
    .totals { margin-left: auto; color: var(--muted); font-size: .92em; white-space: nowrap; font-variant-numeric: tabular-nums; }
    .none { text-align: center; color: var(--muted); padding: 24px 12px; }
    .find-hint { flex-basis: 100%; margin: 0; color: var(--muted); font-size: .92em; }
    li.gap { visibility: hidden; }
    @media (max-width: 480px) { input[type=search] { max-width: none; flex-basis: 100%; } .totals { margin-left: 0; } }
  `]

  constructor() {
    super()
    updateWhenLocaleChanges(this)
    this.torrents = []
    this.ready = false
    this.filter = 'all'
    this.query = ''
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
  }

  override updated(changed: Map<string, unknown>): void {
    // the torrent the app points at is drawn (alwaysDrawn) and brought into view
    if (changed.has('highlighted') && this.highlighted !== undefined) this.rowOf(this.highlighted)?.scrollIntoView({ block: 'nearest' })
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
    // rows far from the view are not drawn: Find (Ctrl+F) and browse mode miss them, the name filter does not
    const windowed = shown.length > DRAW_ALL_UP_TO
    return html`${this.torrents.length >= TOOLBAR_FROM ? this.renderToolbar(windowed) : nothing}
      ${shown.length === 0
        ? html`<p class="none" role="status">${t('list.noMatch')} <button class="link" @click=${() => this.showAll()}>${t('list.showAll')}</button></p>`
        : html`<ul aria-label=${t('list.label')} aria-describedby=${windowed ? 'find-hint' : nothing} @focusin=${this.onFocusIn}>${repeat(this.drawnParts(shown), (entry) => entry.key, (entry) => entry.torrent
          ? html`<li data-key=${entry.key} aria-label=${entry.torrent.name} aria-setsize=${shown.length} aria-posinset=${entry.at + 1}><bt-torrent-item
              .torrent=${entry.torrent} .engine=${this.engine} ?highlighted=${entry.key === this.highlighted}></bt-torrent-item></li>`
          : html`<li class="gap" role="none" aria-hidden="true" style=${gapHeight(entry.gap)}></li>`)}</ul>`}`
  }

  /** The rows to draw and the gaps standing in for the others, keyed for `repeat` (a row by its torrent, so it keeps its element). */
  private drawnParts(shown: TorrentSnapshot[]): ListEntry[] {
    const entries: ListEntry[] = []
    let gaps = 0
    for (const part of this.rows.parts(shown.map((torrent) => torrent.infoHash))) {
      if ('gap' in part) entries.push({ key: `gap ${gaps++}`, torrent: undefined, at: -1, gap: part.gap })
      else for (const [offset, torrent] of shown.slice(part.rows[0], part.rows[1] + 1).entries()) entries.push({ key: torrent.infoHash, torrent, at: part.rows[0] + offset, gap: 0 })
    }
    return entries
  }

  /** Rows drawn wherever they are: the highlighted one, and those opened (their files, peers or trackers shown), whose state lives in their element. */
  private alwaysDrawn(): string[] {
    const keys = this.highlighted === undefined ? [] : [this.highlighted]
    for (const item of this.renderRoot.querySelectorAll<BtTorrentItem>('bt-torrent-item')) {
      if (item.expanded || item.peersOpen || item.trackersOpen) keys.push(item.torrent.infoHash)
    }
    return keys
  }

  private readonly onFocusIn = (event: FocusEvent): void => {
    const row = event.composedPath().find((node): node is HTMLElement => node instanceof HTMLElement && node.dataset.key !== undefined && node.localName === 'li')
    if (row?.dataset.key) this.rows.focused(row.dataset.key)
  }

  private rowOf(infoHash: string): BtTorrentItem | undefined {
    for (const item of this.renderRoot.querySelectorAll<BtTorrentItem>('bt-torrent-item')) if (item.torrent.infoHash === infoHash) return item
    return undefined
  }

  /** The row of a torrent not drawn (scrolled far away while a dialog was open), once drawn. */
  private async drawnRow(infoHash: string): Promise<BtTorrentItem | undefined> {
    this.rows.focused(infoHash)
    this.requestUpdate()
    await this.updateComplete
    return this.rowOf(infoHash)
  }

  /** What the filter and the search let through, newest first. */
  private sorted(): TorrentSnapshot[] {
    return this.visible().sort((a, b) => b.addedAt - a.addedAt)
  }

  /** `windowed`: only the rows near the view are drawn, and the toolbar says what finds the others. */
  private renderToolbar(windowed: boolean) {
    const counts = filterCounts(this.torrents)
    const { down, up } = totalSpeeds(this.torrents)
    // "All" always; another filter only when something is under it (or it is the one chosen)
    const filters = LIST_FILTERS.filter((f) => f === 'all' || counts[f] > 0 || f === this.filter)
    return html`<div class="toolbar">
      <div class="filters" role="group" aria-label=${t('list.filters')}>
        ${filters.map((f) => html`<button aria-pressed=${f === this.filter}
          @click=${() => { this.filter = f }}>${t(FILTER_LABELS[f])} <span class="count">${counts[f]}</span></button>`)}
      </div>
      <input type="search" placeholder=${t('list.search')} aria-label=${t('list.searchLabel')} aria-describedby=${windowed ? 'find-hint' : nothing} .value=${this.query}
        @input=${(e: Event) => { this.query = (e.target as HTMLInputElement).value }}>
      <span class="totals" role="group" aria-label=${t('list.totals')} title=${t('list.totalsHint')}>↓ ${formatSpeed(down)} · ↑ ${formatSpeed(up)}</span>
      ${windowed ? html`<p class="find-hint" id="find-hint">${t('list.findHint')}</p>` : nothing}
    </div>`
  }

  private visible(): TorrentSnapshot[] {
    return this.torrents.filter((t) => matchesFilter(t, this.filter) && matchesSearch(t.name, this.query))
  }

  /** Focuses a torrent's control that opened a dialog (its row may have been redrawn since). */
  focusControlOf(infoHash: string, control: TorrentControl): void {
    const item = this.rowOf(infoHash)
    if (item) item.focusControl(control)
    else void this.drawnRow(infoHash).then((drawn) => drawn?.focusControl(control))
  }

  /** Focuses a torrent's Play button for a file (it opened the player; its row may have been redrawn since). */
  focusPlayOf(infoHash: string, fileIndex: number): void {
    const item = this.rowOf(infoHash)
    if (item) void item.focusPlay(fileIndex)
    else void this.drawnRow(infoHash).then((drawn) => drawn?.focusPlay(fileIndex))
  }

  private showAll(): void {
    this.filter = 'all'
    this.query = ''
  }
}
customElements.define('bt-torrent-list', BtTorrentList)
