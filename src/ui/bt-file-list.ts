import { LitElement, css, html, nothing } from 'lit'
import { formatBytes, formatPercent, t } from '../i18n/i18n'
import { barWidth } from './cssom-style'
import type { FileSnapshot } from '../protocol/engine-events'
import type { FilePriority } from '../protocol/stored-torrent'
import { isPlayable } from '../pwa/media-types'
import { updateWhenLocaleChanges } from './localized'
import { buttonStyles } from './shared-styles'
import type { FilePriorityChange } from './torrent-command'

/** The priority select's option values. */
const PRIORITY_OPTIONS = new Map<string, FilePriority>([['0', 0], ['1', 1], ['2', 2]])

/** Rows of a file list drawn at first and added by "Show more". */
export const FILE_ROWS_AT_A_TIME = 50

/** The `play-file` event's detail; `infoHash` when the list was given it. */
export interface PlayFileDetail { fileIndex: number; name: string; infoHash?: string }

/**
 * A torrent's files: size, progress, "Save NAME" once complete, and "Play NAME" for what the
 * browser can play or show (while it downloads). Emits `save-file` with the index, and bubbling,
 * composed `play-file` with PlayFileDetail and `file-priority` with FilePriorityChange.
 */
export class BtFileList extends LitElement {
  static override properties = { files: { attribute: false }, torrentName: { attribute: false }, infoHash: { attribute: false }, limit: { state: true } }
  declare files: FileSnapshot[]
  /**
   * Rows drawn, FILE_ROWS_AT_A_TIME a time ("Show more"): a torrent of 10,000 files drew every
   * row, one task of 5.6 to 9.7 s when its list was opened; 200 rows took 106 to 128 ms (each
   * row has its priority menu and bar), over the 50 ms a task may take (docs/BENCHMARKS.md).
   */
  declare limit: number
  declare torrentName: string
  declare infoHash: string | undefined

  static override styles = [buttonStyles, css`
    ul { list-style: none; margin: 0; padding: 0; }
    li { display: grid; grid-template-columns: 1fr auto auto; gap: 4px 8px; align-items: center;
      padding: 8px 0; border-top: 1px solid var(--border); }
    .path { overflow-wrap: anywhere; }
    .meta { color: var(--muted); font-size: .87em; font-variant-numeric: tabular-nums; }
    .bar { grid-column: 1 / -1; height: 4px; background: var(--bar); border-radius: 2px; overflow: hidden; }
    .bar > div { height: 100%; background: var(--accent); }
    .done .bar > div { background: var(--ok); }
    button.more { margin-top: 8px; }
    select { font: inherit; font-size: .95em; color: var(--muted); background: transparent; border: 1px solid var(--border);
      border-radius: 6px; margin-left: 6px; padding: 1px 4px; }
  `]

  constructor() {
    super()
    updateWhenLocaleChanges(this)
    this.files = []
    this.torrentName = ''
    this.limit = FILE_ROWS_AT_A_TIME
  }

  override render() {
    const more = this.files.length - this.limit
    return html`<ul aria-label=${t('files.of', { name: this.torrentName })}>${this.files.slice(0, this.limit).map((file) => this.renderFile(file))}</ul>
      ${more > 0 ? html`<button class="more" @click=${() => { this.limit += FILE_ROWS_AT_A_TIME }}>${t('files.showMore', { count: Math.min(more, FILE_ROWS_AT_A_TIME), hidden: more })}</button>` : nothing}`
  }

  private renderFile(file: FileSnapshot) {
    const share = file.length ? file.downloaded / file.length : (file.done ? 1 : 0)
    const percent = Math.floor(share * 100)
    const status = file.done ? t('files.complete') : file.priority === 0 ? t('files.skipped') : formatPercent(share, 0)
    return html`
      <li class=${file.done ? 'done' : ''}>
        <div>
          <div class="path">${file.path}</div>
          <div class="meta">${t('files.meta', { size: formatBytes(file.length), status })}
            <select aria-label=${t('files.priorityOf', { name: file.name })} .value=${String(file.priority)}
              @change=${(e: Event) => this.setPriority(file, (e.target as HTMLSelectElement).value)}>
              <option value="0">${t('priority.skip')}</option><option value="1">${t('priority.normal')}</option><option value="2">${t('priority.high')}</option>
            </select></div>
        </div>
        ${isPlayable(file.name) ? html`<button data-play=${file.index} aria-label=${t('files.playName', { name: file.name })} title=${t('files.playHint', { name: file.name })}
          @click=${() => this.play(file)}>${t('files.play')}</button>` : html`<span></span>`}
        <button ?disabled=${!file.done} aria-label=${t('files.saveName', { name: file.name })}
          title=${file.done ? t('files.saveName', { name: file.name }) : t('files.saveLater')}
          @click=${() => this.dispatchEvent(new CustomEvent('save-file', { detail: file.index, bubbles: true, composed: true }))}>${t('files.save')}</button>
        <div class="bar" aria-hidden="true"><div style=${barWidth(percent)}></div></div>
      </li>`
  }

  private setPriority(file: FileSnapshot, option: string): void {
    const priority = PRIORITY_OPTIONS.get(option)
    if (priority === undefined) return
    const detail: FilePriorityChange = { fileIndex: file.index, priority }
    this.dispatchEvent(new CustomEvent('file-priority', { detail, bubbles: true, composed: true }))
  }

  /** Focuses the file's Play button (the player's opener, found again after the player closed). */
  focusPlay(fileIndex: number): boolean {
    const button = this.renderRoot.querySelector<HTMLElement>(`button[data-play="${fileIndex}"]`)
    button?.focus()
    return Boolean(button)
  }

  private play(file: FileSnapshot): void {
    const detail: PlayFileDetail = { fileIndex: file.index, name: file.name, ...(this.infoHash ? { infoHash: this.infoHash } : {}) }
    this.dispatchEvent(new CustomEvent('play-file', { detail, bubbles: true, composed: true }))
  }
}
customElements.define('bt-file-list', BtFileList)
