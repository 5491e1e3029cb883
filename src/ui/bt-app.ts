import { LitElement, css, html } from 'lit'
import { AddFlow } from '../engine/add-flow'
import type { AddOptions } from '../engine/engine'
import { SaveFlow } from '../engine/save-flow'
import { browserSaver } from '../storage/save'
import { parseTorrentFile } from '../engine/parse-service'
import type { EngineApi } from '../engine/engine-api'
import { t } from '../i18n/i18n'
import { AppError } from '../protocol/errors'
import type { BridgeStatus, EngineEvent, TorrentSnapshot } from '../protocol/engine-events'
import type { RuntimeConfig } from '../protocol/runtime-config'
import type { TorrentDb } from '../prefs/db'
import { saveSettings, type Settings } from '../prefs/settings'
import type { Notice } from './bt-notices'
import { choosableFiles, type AddChoice, type BtAddDialog } from './bt-add-dialog'
import type { BtHistory } from './bt-history'
import { MagnetChoices } from './magnet-choices'
import type { BtRemoveDialog } from './bt-remove-dialog'
import type { BtSettings } from './bt-settings'
import { buttonStyles } from './shared-styles'
import './bt-add-dialog'
import type { BtConnectivity } from './bt-connectivity'
import './bt-connectivity'
import type { BtDiagnostics } from './bt-diagnostics'
import './bt-diagnostics'
import './bt-reach-chip'
import './bt-announcer'
import type { BtAnnouncer } from './bt-announcer'
import './bt-help'
import './bt-add-form'
import type { BtAddForm } from './bt-add-form'
import './bt-history'
import './bt-create-dialog'
import type { TorrentCreatedDetail } from './bt-create-dialog'
import './bt-notices'
import './bt-remove-dialog'
import './bt-settings'
import { reachLost, reachText } from './reach-text'
import './bt-storage-bar'
import { applyLanguage } from './language'
import { applyTheme } from './theme'
import type { TorrentCommand } from './torrent-command'
import type { BtTorrentList } from './bt-torrent-list'
import './bt-torrent-list'
import { PasteDropController } from './paste-drop'
import { errorText } from '../i18n/error-text'
import { updateWhenLocaleChanges } from './localized'

const INFO_NOTICE_MS = 6000

/**
 * Asked when the user first adds a torrent (a moment when the reason is obvious), so the
 * browser does not evict downloads under storage pressure. Chromium grants it silently to
 * sites the user engages with, and asks nothing.
 */
async function askPersistentStorage(): Promise<void> {
  if (navigator.storage?.persist && !(await navigator.storage.persisted())) await navigator.storage.persist()
}
const MAX_NOTICES = 4

/** The app: add form, notices, the torrent list; wires UI events to the engine. */
export class BtApp extends LitElement {
  static override properties = {
    engine: { attribute: false },
    config: { attribute: false },
    db: { attribute: false },
    settings: { attribute: false },
    torrents: { state: true },
    notices: { state: true },
    removing: { state: true },
    bridge: { state: true },
    highlighted: { state: true },
  }
  declare engine: EngineApi | undefined
  declare config: RuntimeConfig | undefined
  declare db: TorrentDb | undefined
  declare settings: Settings | undefined
  declare torrents: TorrentSnapshot[]
  declare notices: Notice[]
  declare removing: TorrentSnapshot | undefined
  declare bridge: BridgeStatus
  declare highlighted: string | undefined
  private nextNoticeId = 1
  /** Torrents seen unfinished in this session: only these announce "finished" (a restart re-checks finished ones). */
  private readonly unfinished = new Set<string>()
  /** The add dialog asks about one torrent at a time; several dropped files wait their turn. */
  private addDialogTurn: Promise<unknown> = Promise.resolve()
  private readonly magnetChoices = new MagnetChoices({
    engine: () => this.engine,
    dialog: () => this.addDialog(),
    dialogTurn: (ask) => this.dialogTurn(ask),
    notify: (text) => this.notify('error', text),
  })
  /** Adds what the person types, pastes, drops or picks: the one add flow, which launches use too. */
  private readonly addFlow = new AddFlow({
    engine: () => this.engine,
    chooser: this,
    report: (kind, text) => this.notify(kind, text),
    added: () => void askPersistentStorage(),
  })
  private readonly saveFlow = new SaveFlow({ engine: () => this.engine, report: (kind, text) => this.notify(kind, text), saver: browserSaver })
  private unsubscribe: (() => void) | undefined
  private readonly pasteDrop = new PasteDropController(this, {
    files: (files) => void this.addFlow.addFiles(files),
    text: (text) => void this.addFlow.addText(text),
    refused: () => this.notify('error', t('notice.dropRefused')),
  })

  static override styles = [buttonStyles, css`
    :host { display: block; max-width: 980px; margin: 0 auto; padding: 16px max(16px, env(safe-area-inset-left)) 40px; }
    header { display: flex; align-items: center; justify-content: space-between; gap: 12px; margin-bottom: 14px; }
    .header-actions { display: flex; gap: 8px; flex-wrap: wrap; justify-content: flex-end; }
    .brand { display: flex; align-items: center; gap: 12px; min-width: 0; }
    h1 { font-size: 1.3em; margin: 0; display: flex; align-items: center; gap: 10px; }
    h1 img { width: 28px; height: 28px; }
    @media (max-width: 480px) {
      h1 { font-size: 1.1em; white-space: nowrap; } h1 img { width: 24px; height: 24px; }
      /* a phone: the title on its own line, the three buttons in one row under it (not a column beside it) */
      header { flex-wrap: wrap; gap: 10px; } .header-actions { width: 100%; justify-content: flex-start; }
    }
    bt-notices { margin: 12px 0; }
    .mirror { background: var(--surface); border: 1px solid var(--accent); border-radius: 8px; padding: 10px 14px; }
    .reach { color: var(--muted); font-size: .85em; margin-top: 18px; text-align: center; }
    .help { text-align: center; font-size: .87em; margin: 10px 0 0; }
    .help a { color: var(--accent); }
    .help a:focus-visible { outline: 2px solid var(--focus); outline-offset: 2px; border-radius: 2px; }
    /* Losing the bridge changes what the user gets: say it where it is seen. */
    .reach.lost { color: var(--warn); border: 1px solid var(--warn); border-radius: 8px; padding: 8px 12px; font-size: .9em; }
    .drop { position: fixed; inset: 0; display: grid; place-items: center; background: rgb(31 111 235 / .18);
      border: 3px dashed var(--accent); font-size: 1.3em; font-weight: 600; pointer-events: none; z-index: 10; }
  `]

  constructor() {
    super()
    updateWhenLocaleChanges(this)
    this.torrents = []
    this.notices = []
    // until the engine says (a server without a bridge says 'none' at once)
    this.bridge = { state: 'connecting', reason: null }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback()
    this.unsubscribe?.()
  }

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('engine') && this.engine) {
      this.unsubscribe?.()
      this.unsubscribe = this.engine.on((event) => this.onEngineEvent(event))
      this.torrents = this.engine.list()
      this.bridge = this.engine.bridgeStatus()
    }
  }

  override updated(changed: Map<string, unknown>): void {
    if (!changed.has('torrents')) return
    this.magnetChoices.update(this.torrents)
    for (const torrent of this.torrents) if (torrent.progress < 1 && torrent.state !== 'error') this.unfinished.add(torrent.infoHash)
  }

  private announce(text: string, urgent = false): void {
    this.renderRoot.querySelector<BtAnnouncer>('bt-announcer')?.announce(text, urgent)
  }

  override render() {
    return html`
      <header>
        <span class="brand"><h1><img src="/icon.svg" alt="">Torrent Web</h1>
          <bt-reach-chip .bridge=${this.bridge} @click=${() => this.showConnectivity()}></bt-reach-chip></span>
        <span class="header-actions">
          <bt-create-dialog .trackers=${this.settings?.trackers.length ? this.settings.trackers : this.config?.trackers ?? []}
            @torrent-created=${(e: CustomEvent<TorrentCreatedDetail>) => void this.addCreated(e.detail.torrentFile)}></bt-create-dialog>
          <button @click=${() => void this.renderRoot.querySelector<BtHistory>('bt-history')?.open()}>${t('history.title')}</button>
          <button @click=${() => this.renderRoot.querySelector<BtSettings>('bt-settings')?.open()}>${t('settings.title')}</button>
        </span>
      </header>
      <main>
      <bt-add-form @add-text=${(e: CustomEvent<string>) => void this.addFlow.addText(e.detail)}
        @add-files=${(e: CustomEvent<File[]>) => void this.addFlow.addFiles(e.detail)}></bt-add-form>
      <bt-notices .notices=${this.notices} @dismiss=${(e: CustomEvent<number>) => this.dismiss(e.detail)}></bt-notices>
      <bt-torrent-list .torrents=${this.torrents} .highlighted=${this.highlighted} .ready=${Boolean(this.engine)} .engine=${this.engine}
        @save-file=${(e: CustomEvent<{ infoHash: string; fileIndex: number }>) => void this.saveFlow.saveFile(e.detail.infoHash, e.detail.fileIndex)}
        @save-all=${(e: CustomEvent<{ infoHash: string }>) => void this.saveFlow.saveAll(e.detail.infoHash)}
        @remove=${(e: CustomEvent<{ infoHash: string }>) => this.askRemove(e.detail.infoHash)}
        @torrent-command=${(e: CustomEvent<TorrentCommand>) => this.command(e.detail)}
        @show-connectivity=${(e: CustomEvent<{ infoHash: string }>) => this.showConnectivity(() => this.renderRoot.querySelector<BtTorrentList>('bt-torrent-list')?.focusPeersOf(e.detail.infoHash))}
        @show-diagnostics=${(e: CustomEvent<{ infoHash: string }>) => this.showDiagnostics(e.detail.infoHash)}></bt-torrent-list>
      <bt-storage-bar .torrents=${this.torrents}></bt-storage-bar>
      ${this.engine && !this.engine.local ? html`<p class="mirror" role="status">${t('app.otherTab')}</p>` : ''}
      <p class="reach ${reachLost(this.bridge) ? 'lost' : ''}" role="status" aria-label=${t('reach.label')}>${reachText(this.bridge)}</p>
      <p class="help"><a href="#help">${t('help.open')}</a></p>
      </main>
      <bt-remove-dialog .torrentName=${this.removing?.name ?? ''} @confirm=${(e: CustomEvent<{ deleteData: boolean }>) => this.removeTorrent(e.detail.deleteData)}></bt-remove-dialog>
      <bt-settings .config=${this.config} .settings=${this.settings} .route=${this.bridge.route}
        @settings-change=${(e: CustomEvent<Settings>) => this.changeSettings(e.detail)}></bt-settings>
      <bt-add-dialog></bt-add-dialog>
      <bt-history .engine=${this.engine}></bt-history>
      <bt-connectivity .bridge=${this.bridge}></bt-connectivity>
      <bt-diagnostics .engine=${this.engine} .bridge=${this.bridge} .token=${this.settings?.bridgeToken ?? ''}></bt-diagnostics>
      <bt-help .bridge=${this.bridge}></bt-help>
      <bt-announcer></bt-announcer>
      ${this.pasteDrop.dragging ? html`<div class="drop" aria-hidden="true">${t('app.dropHint')}</div>` : ''}`
  }

  private showDiagnostics(infoHash: string): void {
    const name = this.torrents.find((torrent) => torrent.infoHash === infoHash)?.name ?? infoHash
    this.renderRoot.querySelector<BtDiagnostics>('bt-diagnostics')?.open(infoHash, name)
  }

  private showConnectivity(giveFocusBack?: () => void): void {
    this.renderRoot.querySelector<BtConnectivity>('bt-connectivity')?.open(giveFocusBack)
  }

  private onEngineEvent(event: EngineEvent): void {
    switch (event.type) {
      case 'progress': this.torrents = event.torrents; break
      case 'metadata': case 'removed': this.torrents = this.engine?.list() ?? []; break
      case 'added':
        this.torrents = this.engine?.list() ?? []
        this.announce(t('announce.added', { name: event.torrent.name }))
        break
      case 'done':
        this.torrents = this.engine?.list() ?? []
        if (this.unfinished.delete(event.torrent.infoHash)) this.announce(t('announce.done', { name: event.torrent.name }))
        break
      case 'error': {
        this.torrents = this.engine?.list() ?? []
        if (!event.infoHash) this.notify('error', errorText(event.error))
        const name = this.torrents.find((torrent) => torrent.infoHash === event.infoHash)?.name
        if (name) this.announce(t('announce.failed', { name, reason: errorText(event.error) }), true)
        break
      }
      case 'duplicate':
        this.notify('info', t('notice.duplicate', { name: event.name }))
        this.highlight(event.infoHash)
        break
      case 'notice': this.notify(event.level, event.message); break
      case 'bridge': this.bridge = event.status; break
      case 'history': {
        const history = this.renderRoot.querySelector<BtHistory>('bt-history')
        if (history?.isOpen) void history.refresh()
        break
      }
      case 'warning': break // peer-level trouble: not the user's to act on
    }
  }

  /** How a magnet is added: asking which files once its metadata is here, if the setting says so. Launches use it too. */
  magnetOptions(): AddOptions {
    return { askFiles: this.settings?.askFilesOnAdd ?? true }
  }

  /**
   * How a .torrent is added: with several files (and the setting on), as the add dialog's choice
   * after it showed the tree; null when the user cancelled. Launches use it too.
   */
  async torrentOptions(bytes: Uint8Array): Promise<AddOptions | null> {
    if (!(this.settings?.askFilesOnAdd ?? true)) return {}
    const metainfo = await parseTorrentFile(bytes)
    const known = this.torrents.some((t) => t.infoHash === metainfo.infoHash) // the engine shows it, not twice
    if (known || choosableFiles(metainfo).length <= 1) return {}
    return (await this.dialogTurn(() => this.addDialog().ask(metainfo))) ?? null
  }

  private addDialog(): BtAddDialog {
    return this.renderRoot.querySelector<BtAddDialog>('bt-add-dialog')!
  }

  /** The add dialog asks about one torrent at a time: `ask` runs once the ones before it are answered. */
  private dialogTurn(ask: () => Promise<AddChoice | undefined>): Promise<AddChoice | undefined> {
    const turn = this.addDialogTurn.then(ask)
    this.addDialogTurn = turn.catch(() => undefined)
    return turn
  }

  /** A torrent just created here from the user's files: every piece is on disk and verified. */
  private async addCreated(bytes: Uint8Array): Promise<void> {
    try {
      await this.engine?.add({ kind: 'file', bytes }, { complete: true })
    } catch (err) {
      this.notify('error', errorText(AppError.from(err)))
    }
  }

  private askRemove(infoHash: string): void {
    this.removing = this.torrents.find((t) => t.infoHash === infoHash)
    void this.updateComplete.then(() => this.renderRoot.querySelector<BtRemoveDialog>('bt-remove-dialog')?.open())
  }

  private async removeTorrent(deleteData: boolean): Promise<void> {
    const torrent = this.removing
    this.removing = undefined
    if (!torrent || !this.engine) return
    try {
      await this.engine.remove(torrent.infoHash, deleteData)
      this.notify('info', t(deleteData ? 'notice.removedDeleted' : 'notice.removedKept', { name: torrent.name }))
      // The focus was on its Remove button, which went with it: the add field is where to go on.
      this.torrents = this.engine.list()
      await this.updateComplete
      if (!document.activeElement || document.activeElement === document.body) this.renderRoot.querySelector<BtAddForm>('bt-add-form')?.focusField()
    } catch (err) {
      this.notify('error', t('notice.removeFailed', { name: torrent.name, reason: errorText(AppError.from(err, 'STORAGE')) }))
    }
  }

  private async command(command: TorrentCommand): Promise<void> {
    const engine = this.engine
    if (!engine) return
    try {
      switch (command.type) {
        case 'pause': await engine.pause(command.infoHash); break
        case 'resume': await engine.resume(command.infoHash); break
        case 'recheck': await engine.recheck(command.infoHash); break
        case 'up': await engine.move(command.infoHash, -1); break
        case 'down': await engine.move(command.infoHash, 1); break
        case 'sequential': await engine.setSequential(command.infoHash, command.sequential); break
        case 'priority': await engine.setFilePriority(command.infoHash, command.fileIndex, command.priority); break
        case 'downloadLimit': await engine.setSpeedLimits(command.infoHash, { downloadLimit: command.bytesPerSecond }); break
        case 'uploadLimit': await engine.setSpeedLimits(command.infoHash, { uploadLimit: command.bytesPerSecond }); break
      }
    } catch (err) {
      this.notify('error', errorText(AppError.from(err)))
    }
  }

  private async changeSettings(settings: Settings): Promise<void> {
    this.settings = settings
    this.engine?.applySettings(settings)
    applyTheme(settings.theme)
    applyLanguage(settings.language)
    if (this.db) await saveSettings(this.db, settings)
  }

  private highlight(infoHash: string): void {
    this.highlighted = infoHash
    setTimeout(() => { if (this.highlighted === infoHash) this.highlighted = undefined }, 2500)
  }

  private notify(kind: Notice['kind'], text: string): void {
    const notice = { id: this.nextNoticeId++, kind, text }
    // Newest last; a burst of errors (say, ten bad files dropped at once) shows the latest few.
    this.notices = [...this.notices, notice].slice(-MAX_NOTICES)
    if (kind === 'info') {
      this.announce(text)
      setTimeout(() => this.dismiss(notice.id), INFO_NOTICE_MS)
    }
  }

  private dismiss(id: number): void {
    this.notices = this.notices.filter((notice) => notice.id !== id)
  }
}
customElements.define('bt-app', BtApp)
