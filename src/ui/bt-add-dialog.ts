import { LitElement, css, html, nothing, type TemplateResult } from 'lit'
import { FileTree, folderPath, type Folder as TreeFolder } from '../core/piece-selection/file-tree'
import type { TorrentFile } from '../core/torrent-parser/metainfo'
import type { FileChoice } from '../engine/download-manager/file-choice'
import { formatBytes, t } from '../i18n/i18n'
import { keepTabInside } from './dialog-focus'
import { updateWhenLocaleChanges } from './localized'
import { buttonStyles } from './shared-styles'

/** What the user chose: a priority per file of the torrent (0 skip, 1 download) and whether to start paused. */
export type AddChoice = FileChoice

/** What the dialog shows of a file: a .torrent's metadata, or a magnet's once its metadata arrived. */
export type ChoosableFile = Pick<TorrentFile, 'index' | 'path' | 'name' | 'length' | 'pad'>
/** The torrent being asked about: its name and files (padding files are not shown). */
export interface ChoosableTorrent { name: string; files: readonly ChoosableFile[] }

type Tree = FileTree<ChoosableFile>
type Folder = TreeFolder<ChoosableFile>

/** Folders open at first when the torrent has at most this many files; larger trees start folded. */
const EXPAND_UP_TO = 200
/**
 * Rows a folder shows until "Show more" is pressed: a hostile torrent may hold 100,000 files side
 * by side, and drawing them all was one task of 18.8 s in Chromium 156 (about 190 µs a row).
 */
export const ROWS_AT_A_TIME = 200

/** Files a user can choose: BEP 47 padding files are not shown. */
export function choosableFiles(torrent: ChoosableTorrent): ChoosableFile[] {
  return torrent.files.filter((file) => !file.pad)
}

/**
 * Before a torrent with several files is added (a magnet: once its metadata arrived): its file
 * tree (folders fold), a checkbox per file and per folder, select all / none, the size chosen, and
 * "Start paused". `ask` resolves to the choice, or undefined when the user cancels.
 */
export class BtAddDialog extends LitElement {
  static override properties = {
    torrent: { state: true },
    selected: { state: true },
    open: { state: true },
    shown: { state: true },
    paused: { state: true },
    note: { state: true },
  }
  declare torrent: ChoosableTorrent | undefined
  /** By file index. */
  declare selected: boolean[]
  /** Unfolded folders. */
  declare open: Set<Folder>
  /** Rows shown of a folder's contents, when more than ROWS_AT_A_TIME. */
  declare shown: Map<Folder, number>
  declare paused: boolean
  /** A line under the name saying what Add and Cancel mean here (a magnet is in the list already). */
  declare note: string
  private tree: Tree | undefined
  private resolve: ((choice: AddChoice | undefined) => void) | undefined

  static override styles = [buttonStyles, css`
    dialog { background: var(--surface); color: var(--text); border: 1px solid var(--border); border-radius: var(--radius);
      width: min(620px, calc(100vw - 32px)); max-height: calc(100vh - 48px); padding: 0; box-sizing: border-box; }
    dialog[open] { display: flex; flex-direction: column; }
    dialog::backdrop { background: rgb(0 0 0 / .45); }
    .head { padding: 16px 16px 8px; }
    h2 { margin: 0; font-size: 1.15em; }
    .name { margin: 4px 0 0; color: var(--muted); overflow-wrap: anywhere; }
    .note { margin: 6px 0 0; font-size: .9em; }
    .tools { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; padding: 0 16px 8px; }
    .tree { overflow: auto; flex: 1 1 auto; min-height: 80px; border-top: 1px solid var(--border); border-bottom: 1px solid var(--border);
      padding: 6px 12px; }
    ul { list-style: none; margin: 0; padding: 0; }
    ul ul { padding-left: 18px; }
    .row { display: grid; grid-template-columns: 24px 1fr auto; align-items: center; gap: 4px; min-height: 32px; }
    .row label { display: flex; align-items: center; gap: 8px; min-width: 0; cursor: pointer; }
    .row .label-text { overflow-wrap: anywhere; }
    .folder > .row .label-text { font-weight: 600; }
    input[type=checkbox] { width: 18px; height: 18px; margin: 0; flex: none; accent-color: var(--accent); }
    .size { color: var(--muted); font-size: .87em; font-variant-numeric: tabular-nums; white-space: nowrap; }
    button.twisty { background: none; border: none; min-height: 24px; width: 24px; padding: 0; justify-content: center; color: var(--muted); }
    button.more { margin: 4px 0 4px 28px; }
    .foot { padding: 10px 16px 16px; display: grid; gap: 10px; }
    .total { margin: 0; font-variant-numeric: tabular-nums; }
    .paused { display: flex; align-items: center; gap: 8px; }
    .actions { display: flex; flex-wrap: wrap; justify-content: flex-end; gap: 8px; }
  `]

  constructor() {
    super()
    updateWhenLocaleChanges(this)
    this.selected = []
    this.open = new Set()
    this.shown = new Map()
    this.paused = false
    this.note = ''
  }

  /** Shows the dialog for one torrent; resolves when the user adds (with the choice) or cancels. */
  ask(torrent: ChoosableTorrent, defaults: { paused?: boolean; note?: string } = {}): Promise<AddChoice | undefined> {
    this.resolve?.(undefined)
    this.torrent = torrent
    this.tree = new FileTree(choosableFiles(torrent))
    this.selected = []
    for (const file of torrent.files) this.selected[file.index] = !file.pad
    this.open = new Set(torrent.files.length > EXPAND_UP_TO ? [] : this.tree.allFolders())
    this.shown = new Map()
    this.paused = Boolean(defaults.paused)
    this.note = defaults.note ?? ''
    return new Promise((resolve) => {
      this.resolve = resolve
      void this.updateComplete.then(() => this.renderRoot.querySelector('dialog')?.showModal())
    })
  }

  /** Closes the dialog as a cancel would: what it asked about was settled elsewhere (another tab). */
  dismiss(): void {
    this.finish(false)
  }

  override render() {
    const torrent = this.torrent
    if (!torrent || !this.tree) return html`<dialog aria-labelledby="add-title"><h2 id="add-title">${t('addDialog.title')}</h2></dialog>`
    const files = choosableFiles(torrent)
    const chosen = files.filter((file) => this.selected[file.index])
    const chosenBytes = chosen.reduce((sum, file) => sum + file.length, 0)
    const totalBytes = files.reduce((sum, file) => sum + file.length, 0)
    return html`
      <dialog aria-labelledby="add-title" aria-describedby="add-name" @keydown=${keepTabInside} @cancel=${() => this.finish(false)}>
        <div class="head">
          <h2 id="add-title">${t('addDialog.title')}</h2>
          <p class="name" id="add-name">${torrent.name}</p>
          ${this.note ? html`<p class="note">${this.note}</p>` : nothing}
        </div>
        <div class="tools">
          <button @click=${() => this.selectAll(true)}>${t('addDialog.selectAll')}</button>
          <button @click=${() => this.selectAll(false)}>${t('addDialog.selectNone')}</button>
        </div>
        <div class="tree">
          <ul role="list" aria-label=${t('files.of', { name: torrent.name })}>${this.renderFolderContents(this.tree.root)}</ul>
        </div>
        <div class="foot">
          <p class="total" role="status" aria-label=${t('addDialog.selectedSize')}>${t('addDialog.selected', {
            chosen: chosen.length, total: files.length, chosenSize: formatBytes(chosenBytes), totalSize: formatBytes(totalBytes) })}</p>
          <label class="paused"><input type="checkbox" .checked=${this.paused}
            @change=${(e: Event) => { this.paused = (e.target as HTMLInputElement).checked }}>${t('addDialog.startPaused')}</label>
          <div class="actions">
            <button @click=${() => this.finish(false)}>${t('common.cancel')}</button>
            <button class="primary" ?disabled=${chosen.length === 0} title=${chosen.length ? '' : t('addDialog.chooseOne')}
              @click=${() => this.finish(true)}>${t('add.add')}</button>
          </div>
        </div>
      </dialog>`
  }

  /** Its folders, then its files, ROWS_AT_A_TIME at a time. */
  private renderFolderContents(folder: Folder): TemplateResult {
    const listing = this.tree!.list(folder)
    const total = listing.folders.length + listing.files.length
    const limit = this.shown.get(folder) ?? ROWS_AT_A_TIME
    const folders = listing.folders.slice(0, limit)
    const files = listing.files.slice(0, Math.max(0, limit - folders.length))
    const more = total - folders.length - files.length
    return html`${folders.map((child) => this.renderFolder(child))}${files.map((file) => this.renderFile(file))}${more > 0
      ? html`<li><button class="more" @click=${() => this.showMore(folder, limit)}>${t('addDialog.showMore', { count: Math.min(more, ROWS_AT_A_TIME), hidden: more })}</button></li>`
      : nothing}`
  }

  private renderFolder(folder: Folder): TemplateResult {
    const files = this.tree!.ordered
    let count = 0
    for (let i = folder.from; i < folder.to; i++) if (this.selected[files[i]!.index]) count++
    const all = folder.to - folder.from
    const open = this.open.has(folder)
    const path = folderPath(folder)
    return html`
      <li class="folder">
        <div class="row">
          <button class="twisty" aria-expanded=${String(open)} aria-label=${t(open ? 'addDialog.fold' : 'addDialog.unfold', { path })}
            @click=${() => this.toggleFolder(folder)}>${open ? '▾' : '▸'}</button>
          <label><input type="checkbox" aria-label=${t('addDialog.folder', { path })} .checked=${count === all}
            .indeterminate=${count > 0 && count < all}
            @change=${(e: Event) => this.setFiles(files.slice(folder.from, folder.to), (e.target as HTMLInputElement).checked)}><span class="label-text">${folder.name}/</span></label>
          <span class="size">${formatBytes(folder.size)}</span>
        </div>
        ${open ? html`<ul role="list">${this.renderFolderContents(folder)}</ul>` : nothing}
      </li>`
  }

  private renderFile(file: ChoosableFile): TemplateResult {
    const name = file.path[file.path.length - 1] ?? file.name
    return html`
      <li>
        <div class="row">
          <span></span>
          <label><input type="checkbox" aria-label=${file.name} .checked=${Boolean(this.selected[file.index])}
            @change=${(e: Event) => this.setFiles([file], (e.target as HTMLInputElement).checked)}><span class="label-text">${name}</span></label>
          <span class="size">${formatBytes(file.length)}</span>
        </div>
      </li>`
  }

  private toggleFolder(folder: Folder): void {
    const open = new Set(this.open)
    if (!open.delete(folder)) open.add(folder)
    this.open = open
  }

  private showMore(folder: Folder, limit: number): void {
    this.shown = new Map(this.shown).set(folder, limit + ROWS_AT_A_TIME)
  }

  private setFiles(files: ChoosableFile[], on: boolean): void {
    const selected = [...this.selected]
    for (const file of files) selected[file.index] = on
    this.selected = selected
  }

  private selectAll(on: boolean): void {
    if (this.torrent) this.setFiles(choosableFiles(this.torrent), on)
  }

  private finish(add: boolean): void {
    const resolve = this.resolve
    this.resolve = undefined
    this.renderRoot.querySelector('dialog')?.close()
    if (!resolve || !this.torrent) return
    // One priority per file index, padding files (and any index not shown) skipped.
    const count = this.torrent.files.reduce((max, file) => Math.max(max, file.index + 1), 0)
    resolve(add ? { priorities: Array.from({ length: count }, (_, index) => (this.selected[index] ? 1 : 0)), paused: this.paused } : undefined)
  }
}
customElements.define('bt-add-dialog', BtAddDialog)
