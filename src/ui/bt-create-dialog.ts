import { LitElement, css, html, nothing } from 'lit'
import {
  createTorrent, filesOfDirectory, filesOfInput, isCancelled, planPicked,
  type CreateResult, type PickedFile, type PickedPlan,
} from '../engine/file-assembly/create-service'
import { formatBytes, formatPercent, t } from '../i18n/i18n'
import type { TorrentVersion } from '../protocol/create-messages'
import { AppError } from '../protocol/errors'
import { downloadFile } from '../storage/file-assembly/save'
import { barWidth } from './cssom-style'
import { errorText } from '../i18n/error-text'
import { keepTabInside } from './dialog-focus'
import { updateWhenLocaleChanges } from './localized'
import { buttonStyles } from './shared-styles'

type Phase = 'form' | 'hashing' | 'done'
const VERSIONS: readonly TorrentVersion[] = ['hybrid', 'v2', 'v1']
type DirectoryPicker = (opts?: { id?: string; mode?: 'read' }) => Promise<FileSystemDirectoryHandle>

export interface TorrentCreatedDetail {
  torrentFile: Uint8Array
  infoHash: string
  name: string
  magnetURI: string
}

/**
 * "Create torrent": pick files or a folder, name it, hash it in a worker (the files are copied
 * into OPFS on the way), then show its magnet link and a .torrent to download. Emits a bubbling,
 * composed `torrent-created` with TorrentCreatedDetail; the app adds it to the engine to seed.
 */
export class BtCreateDialog extends LitElement {
  static override properties = {
    trackers: { attribute: false },
    phase: { state: true },
    plan: { state: true },
    name: { state: true },
    hashed: { state: true },
    total: { state: true },
    result: { state: true },
    error: { state: true },
    copied: { state: true },
  }
  /** Prefilled into "Trackers" each time the dialog opens. */
  declare trackers: string[]
  declare phase: Phase
  declare plan: PickedPlan | undefined
  declare name: string
  declare hashed: number
  declare total: number
  declare result: CreateResult | undefined
  declare error: string | undefined
  declare copied: boolean
  /** The job in progress: aborting it cancels it. */
  private creating: AbortController | undefined

  static override styles = [buttonStyles, css`
    :host { display: contents; }
    dialog { background: var(--surface); color: var(--text); border: 1px solid var(--border); border-radius: var(--radius);
      width: min(520px, calc(100vw - 32px)); box-sizing: border-box; padding: 20px; }
    dialog::backdrop { background: rgb(0 0 0 / .45); }
    h2 { margin: 0 0 12px; font-size: 1.15em; overflow-wrap: anywhere; }
    .pickers { display: flex; flex-wrap: wrap; gap: 8px; }
    .pickers input[type=file] { position: absolute; opacity: 0; width: 1px; height: 1px; }
    .summary { color: var(--muted); margin: 8px 0 12px; font-size: .92em; overflow-wrap: anywhere; }
    label.field { display: grid; gap: 4px; margin: 10px 0; font-size: .92em; }
    label.check { display: flex; gap: 8px; align-items: flex-start; margin: 10px 0; font-size: .92em; }
    label.check input { margin-top: 3px; }
    .hint { color: var(--muted); }
    input[type=text], textarea, select { font: inherit; color: var(--text); background: var(--bg); border: 1px solid var(--border);
      border-radius: 6px; padding: 6px 8px; min-width: 0; box-sizing: border-box; width: 100%; }
    textarea { min-height: 58px; resize: vertical; font-size: .9em; }
    input[readonly] { font-family: ui-monospace, monospace; font-size: .85em; }
    .bar { height: 10px; border-radius: 5px; background: var(--bar); overflow: hidden; margin: 12px 0 6px; }
    .bar > div { height: 100%; background: var(--accent); transition: width .15s linear; }
    .status { color: var(--muted); font-size: .92em; font-variant-numeric: tabular-nums; }
    .error { color: var(--danger); margin: 8px 0; }
    .actions { display: flex; flex-wrap: wrap; gap: 8px; justify-content: flex-end; margin-top: 14px; }
    .row { display: flex; gap: 8px; flex-wrap: wrap; margin-top: 8px; }
  `]

  constructor() {
    super()
    updateWhenLocaleChanges(this)
    this.trackers = []
    this.phase = 'form'
    this.name = ''
    this.hashed = 0
    this.total = 0
    this.copied = false
  }

  /** Opens the dialog on an empty form (or on the job in progress). */
  open(): void {
    if (this.phase === 'done') this.reset()
    const dialog = this.dialog()
    if (!dialog?.open) dialog?.showModal()
    if (this.phase === 'form') this.fillTrackers()
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback()
    this.creating?.abort()
  }

  override render() {
    return html`
      <button @click=${() => this.open()}>${t('create.open')}</button>
      <dialog aria-labelledby="create-title" @keydown=${keepTabInside} @cancel=${this.onEscape} @close=${this.onClose}>
        <h2 id="create-title">${this.phase === 'done' ? t('create.seeding', { name: this.result?.name ?? '' })
          : this.phase === 'hashing' ? t('create.creating', { name: this.name }) : t('create.open')}</h2>
        ${this.phase !== 'done' ? this.renderForm() : nothing}
        ${this.phase === 'hashing' ? this.renderHashing() : this.phase === 'done' ? this.renderDone() : nothing}
      </dialog>`
  }

  private renderForm() {
    const plan = this.plan
    return html`
      <form @submit=${this.onSubmit} ?hidden=${this.phase !== 'form'}>
        <div class="pickers">
          <label class="button">
            <input type="file" multiple aria-label=${t('create.files')} @change=${this.onInput}>
            <span aria-hidden="true">${t('create.files')}</span>
          </label>
          <label class="button">
            <input type="file" webkitdirectory aria-label=${t('create.folder')} @click=${this.onFolderClick} @change=${this.onInput}>
            <span aria-hidden="true">${t('create.folder')}</span>
          </label>
        </div>
        <p class="summary" aria-live="polite">${plan
          ? t('create.picked', { count: plan.files.length, size: formatBytes(plan.totalBytes) })
          : t('create.pickHint')}</p>
        <label class="field">${t('create.name')}
          <input type="text" name="name" required autocomplete="off" spellcheck="false" .value=${this.name}
            @input=${(e: Event) => { this.name = (e.target as HTMLInputElement).value }}></label>
        <label class="field">${t('create.trackers')}
          <textarea name="trackers" spellcheck="false"></textarea></label>
        <label class="field">${t('create.version')}
          <select name="version">
            <option value="hybrid" selected>${t('create.versionHybrid')}</option>
            <option value="v2">${t('create.versionV2')}</option>
            <option value="v1">${t('create.versionV1')}</option>
          </select></label>
        <label class="check"><input type="checkbox" name="private">
          <span>${t('create.private')} <span class="hint">${t('create.privateHint')}</span></span></label>
        ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
        <div class="actions">
          <button type="button" @click=${() => this.dialog()?.close()}>${t('common.cancel')}</button>
          <button class="primary" type="submit" ?disabled=${!plan}>${t('create.submit')}</button>
        </div>
      </form>`
  }

  private renderHashing() {
    const share = this.total > 0 ? this.hashed / this.total : 0
    const percent = Math.floor(share * 100)
    return html`
      <div role="progressbar" aria-label=${t('create.hashingName', { name: this.name })} aria-valuemin="0" aria-valuemax="100"
        aria-valuenow=${percent} aria-valuetext=${formatPercent(share, 0)} class="bar"><div style=${barWidth(percent)}></div></div>
      <p class="status">${t('create.hashing', { percent: formatPercent(share, 0), done: formatBytes(this.hashed), total: formatBytes(this.total) })}</p>
      <div class="actions"><button @click=${() => this.cancel()}>${t('common.cancel')}</button></div>`
  }

  private renderDone() {
    const result = this.result!
    return html`
      <p class="summary">${t('create.done')}</p>
      <label class="field">${t('create.magnet')}
        <input type="text" readonly .value=${result.magnetURI} @focus=${(e: Event) => (e.target as HTMLInputElement).select()}></label>
      <div class="row">
        <button @click=${() => void this.copyMagnet()}>${t('create.copy')}</button>
        <button @click=${() => this.downloadTorrent()}>${t('create.download')}</button>
        <span class="status" role="status">${this.copied ? t('create.copied') : ''}</span>
      </div>
      <div class="actions"><button class="primary" @click=${() => this.dialog()?.close()}>${t('common.close')}</button></div>`
  }

  private dialog(): HTMLDialogElement | null {
    return this.renderRoot.querySelector('dialog')
  }

  private fillTrackers(): void {
    void this.updateComplete.then(() => {
      const area = this.renderRoot.querySelector<HTMLTextAreaElement>('textarea[name=trackers]')
      if (area && area.value === '') area.value = this.trackers.join('\n')
    })
  }

  private reset(): void {
    this.phase = 'form'
    this.plan = undefined
    this.name = ''
    this.result = undefined
    this.error = undefined
    this.copied = false
    this.hashed = 0
    this.total = 0
    const form = this.renderRoot.querySelector('form')
    form?.reset()
  }

  private pick(picked: PickedFile[]): void {
    this.error = undefined
    try {
      this.plan = planPicked(picked)
      this.name = this.plan.suggestedName
    } catch (err) {
      this.plan = undefined
      this.error = AppError.from(err, 'BAD_INPUT').message
    }
  }

  private readonly onInput = (event: Event): void => {
    const input = event.target as HTMLInputElement
    const files = filesOfInput(input.files ?? [])
    input.value = ''
    if (files.length) this.pick(files)
  }

  /** Where the browser has showDirectoryPicker, use it: no "upload N files?" prompt, and handles. */
  private readonly onFolderClick = (event: Event): void => {
    const picker = (window as { showDirectoryPicker?: DirectoryPicker }).showDirectoryPicker
    if (typeof picker !== 'function') return
    event.preventDefault()
    picker({ id: 'create-torrent', mode: 'read' }).then(
      async (dir) => this.pick(await filesOfDirectory(dir)),
      (err: unknown) => {
        if (!(err instanceof DOMException && err.name === 'AbortError')) this.error = AppError.from(err, 'UNSUPPORTED').message
      },
    )
  }

  private readonly onSubmit = (event: SubmitEvent): void => {
    event.preventDefault()
    const plan = this.plan
    if (!plan) return
    const form = event.target as HTMLFormElement
    const data = new FormData(form)
    const trackers = String(data.get('trackers') ?? '').split(/\s+/).map((s) => s.trim())
      .filter((url) => /^(wss?|https?|udp):\/\//i.test(url))
    this.error = undefined
    const creating = new AbortController()
    let result: Promise<CreateResult>
    try {
      result = createTorrent({
        plan,
        name: this.name,
        trackers,
        private: data.get('private') === 'on',
        version: VERSIONS.find((v) => v === data.get('version')) ?? 'hybrid',
        onProgress: (hashed, total) => {
          this.hashed = hashed
          this.total = total
        },
        signal: creating.signal,
      })
    } catch (err) {
      this.error = AppError.from(err, 'BAD_INPUT').message
      return
    }
    this.creating = creating
    this.hashed = 0
    this.total = plan.totalBytes
    this.phase = 'hashing'
    result.then(
      (result) => {
        this.creating = undefined
        this.result = result
        this.phase = 'done'
        const detail: TorrentCreatedDetail = { ...result }
        this.dispatchEvent(new CustomEvent('torrent-created', { detail, bubbles: true, composed: true }))
      },
      (err: unknown) => {
        this.creating = undefined
        this.phase = 'form'
        this.error = isCancelled(err) ? undefined : errorText(AppError.from(err, 'STORAGE'))
      },
    )
  }

  private cancel(): void {
    this.creating?.abort()
  }

  /** Escape while hashing cancels the job rather than hiding it. */
  private readonly onEscape = (event: Event): void => {
    if (this.phase !== 'hashing') return
    event.preventDefault()
    this.cancel()
  }

  private readonly onClose = (): void => {
    if (this.phase === 'done') this.reset()
  }

  private async copyMagnet(): Promise<void> {
    const magnet = this.result?.magnetURI
    if (!magnet) return
    try {
      await navigator.clipboard.writeText(magnet)
    } catch {
      // No clipboard permission (or an insecure origin): select the text so Ctrl+C works.
      const field = this.renderRoot.querySelector<HTMLInputElement>('input[readonly]')
      field?.focus()
      field?.select()
      if (!document.execCommand('copy')) return
    }
    this.copied = true
    setTimeout(() => { this.copied = false }, 2500)
  }

  private downloadTorrent(): void {
    const result = this.result
    if (!result) return
    const blob = new Blob([result.torrentFile as Uint8Array<ArrayBuffer>], { type: 'application/x-bittorrent' })
    downloadFile(blob, `${result.name}.torrent`)
  }
}
customElements.define('bt-create-dialog', BtCreateDialog)

declare global {
  interface HTMLElementTagNameMap {
    'bt-create-dialog': BtCreateDialog
  }
}
