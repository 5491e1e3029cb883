import { LitElement, css, html } from 'lit'
import { formatBytes } from '../core/format'
import type { FileSnapshot } from '../protocol/engine-events'
import { buttonStyles } from './shared-styles'

/** A torrent's files: size, progress, and "Save NAME" once complete. Emits `save-file` with the index. */
export class BtFileList extends LitElement {
  static override properties = { files: { attribute: false }, torrentName: { attribute: false } }
  declare files: FileSnapshot[]
  declare torrentName: string

  static override styles = [buttonStyles, css`
    ul { list-style: none; margin: 0; padding: 0; }
    li { display: grid; grid-template-columns: 1fr auto; gap: 4px 12px; align-items: center;
      padding: 8px 0; border-top: 1px solid var(--border); }
    .path { overflow-wrap: anywhere; }
    .meta { color: var(--muted); font-size: .87em; font-variant-numeric: tabular-nums; }
    .bar { grid-column: 1 / -1; height: 4px; background: var(--bar); border-radius: 2px; overflow: hidden; }
    .bar > div { height: 100%; background: var(--accent); }
    .done .bar > div { background: var(--ok); }
  `]

  constructor() {
    super()
    this.files = []
    this.torrentName = ''
  }

  override render() {
    return html`<ul aria-label="Files of ${this.torrentName}">${this.files.map((file) => this.renderFile(file))}</ul>`
  }

  private renderFile(file: FileSnapshot) {
    const percent = file.length ? Math.floor((file.downloaded / file.length) * 100) : (file.done ? 100 : 0)
    return html`
      <li class=${file.done ? 'done' : ''}>
        <div>
          <div class="path">${file.path}</div>
          <div class="meta">${formatBytes(file.length)} · ${file.done ? 'complete' : `${percent}%`}</div>
        </div>
        <button ?disabled=${!file.done} aria-label="Save ${file.name}" title=${file.done ? `Save ${file.name}` : 'Available when this file is complete'}
          @click=${() => this.dispatchEvent(new CustomEvent('save-file', { detail: file.index, bubbles: true, composed: true }))}>Save</button>
        <div class="bar" aria-hidden="true"><div style="width:${percent}%"></div></div>
      </li>`
  }
}
customElements.define('bt-file-list', BtFileList)
