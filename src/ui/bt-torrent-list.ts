import { LitElement, css, html } from 'lit'
import { repeat } from 'lit/directives/repeat.js'
import type { TorrentSnapshot } from '../protocol/engine-events'
import './bt-torrent-item'

/** The list of torrents, newest first, or an empty state that tells a newcomer what to do. */
export class BtTorrentList extends LitElement {
  static override properties = { torrents: { attribute: false }, highlighted: { attribute: false }, ready: { attribute: false } }
  declare torrents: TorrentSnapshot[]
  declare highlighted: string | undefined
  declare ready: boolean

  static override styles = css`
    ul { list-style: none; margin: 0; padding: 0; display: grid; gap: var(--gap); }
    .empty { text-align: center; padding: 48px 20px; border: 2px dashed var(--border); border-radius: var(--radius);
      color: var(--muted); }
    .empty h2 { color: var(--text); font-size: 1.15em; margin: 0 0 8px; }
    .empty p { margin: 4px 0; }
  `

  constructor() {
    super()
    this.torrents = []
    this.ready = false
  }

  override render() {
    if (this.torrents.length === 0) {
      return html`<div class="empty" role="status">
        <h2>${this.ready ? 'No torrents yet' : 'Starting…'}</h2>
        <p>Paste a magnet link above, open a .torrent file, or drop one anywhere on this page.</p>
        <p>Files download into your browser's storage; save them when they are complete.</p>
      </div>`
    }
    const sorted = [...this.torrents].sort((a, b) => b.addedAt - a.addedAt)
    return html`<ul aria-label="Torrents">${repeat(sorted, (t) => t.infoHash, (t) => html`
      <li aria-label=${t.name}><bt-torrent-item .torrent=${t} ?highlighted=${t.infoHash === this.highlighted}></bt-torrent-item></li>`)}</ul>`
  }
}
customElements.define('bt-torrent-list', BtTorrentList)
