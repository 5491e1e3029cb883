import { LitElement, html } from 'lit'
import { withTorrent, withoutTorrent } from '../core/download-manager/torrent-list-update'
import { AddFlow } from '../engine/download-manager/add-flow'
import type { AddOptions } from '../engine/download-manager/engine'
import { SaveFlow } from '../engine/file-assembly/save-flow'
import { browserSaver } from '../storage/file-assembly/save'
import type { EngineApi } from '../engine/download-manager/engine-api'
import { t } from '../i18n/i18n'
import { AppError } from '../protocol/errors'
import type { BridgeStatus, EngineEvent, TorrentSnapshot } from '../protocol/engine-events'
import type { RuntimeConfig } from '../protocol/runtime-config'
import type { TorrentDb } from '../prefs/db'
import { saveSettings, type Settings } from '../prefs/settings'
import { AddChoices } from './add-choices'
import type { Notice } from './bt-notices'
import { NoticeQueue } from './notice-queue'
import type { BtAddDialog } from './bt-add-dialog'
import type { BtHistory } from './bt-history'
import { MagnetChoices } from './magnet-choices'
import type { BtRemoveDialog } from './bt-remove-dialog'
import type { BtSettings } from './bt-settings'
import { appStyles } from './bt-app-styles'
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
import { runTorrentCommand, type TorrentCommand } from './torrent-command'
import type { TorrentControl } from './bt-torrent-item'
import type { BtTorrentList } from './bt-torrent-list'
import './bt-torrent-list'
import { PasteDropController } from './paste-drop'
import { errorText } from '../i18n/error-text'
import { updateWhenLocaleChanges } from './localized'

/**
 * Asked when the user first adds a torrent (a moment when the reason is obvious), so the
 * browser does not evict downloads under storage pressure. Chromium grants it silently to
 * sites the user engages with, and asks nothing.
 */
async function askPersistentStorage(): Promise<void> {
  if (navigator.storage?.persist && !(await navigator.storage.persisted())) await navigator.storage.persist()
}

/** The app: add form, notices, the torrent list; wires UI events to the engine. */
export class BtApp extends LitElement {
  static override properties = {
    engine: { attribute: false },
    config: { attribute: false },
    db: { attribute: false },
    settings: { attribute: false },
    torrents: { state: true },
    removing: { state: true },
    bridge: { state: true },
    highlighted: { state: true },
  }
  declare engine: EngineApi | undefined
  declare config: RuntimeConfig | undefined
  declare db: TorrentDb | undefined
  declare settings: Settings | undefined
  declare torrents: TorrentSnapshot[]
  declare removing: TorrentSnapshot | undefined
  declare bridge: BridgeStatus
  declare highlighted: string | undefined
  /** Torrents seen unfinished in this session: only these announce "finished" (a restart re-checks finished ones). */
  private readonly unfinished = new Set<string>()
  private readonly noticeQueue = new NoticeQueue(this, (text) => this.announce(text))
  private readonly addChoices = new AddChoices({ settings: () => this.settings, torrents: () => this.torrents, dialog: () => this.addDialog() })
  private readonly magnetChoices = new MagnetChoices({
    engine: () => this.engine,
    dialog: () => this.addDialog(),
    dialogTurn: (ask) => this.addChoices.dialogTurn(ask),
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

  static override styles = [buttonStyles, appStyles]

  constructor() {
    super()
    updateWhenLocaleChanges(this)
    this.torrents = []
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
      <bt-notices .notices=${this.noticeQueue.notices} @dismiss=${(e: CustomEvent<number>) => this.noticeQueue.dismiss(e.detail)}></bt-notices>
      <bt-torrent-list .torrents=${this.torrents} .highlighted=${this.highlighted} .ready=${Boolean(this.engine)} .engine=${this.engine}
        @save-file=${(e: CustomEvent<{ infoHash: string; fileIndex: number }>) => void this.saveFlow.saveFile(e.detail.infoHash, e.detail.fileIndex)}
        @save-all=${(e: CustomEvent<{ infoHash: string }>) => void this.saveFlow.saveAll(e.detail.infoHash)}
        @remove=${(e: CustomEvent<{ infoHash: string }>) => this.askRemove(e.detail.infoHash)}
        @torrent-command=${(e: CustomEvent<TorrentCommand>) => this.command(e.detail)}
        @show-connectivity=${(e: CustomEvent<{ infoHash: string }>) => this.showConnectivity(this.refocus(e.detail.infoHash, 'peers'))}
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
    this.renderRoot.querySelector<BtDiagnostics>('bt-diagnostics')?.open(infoHash, name, this.refocus(infoHash, 'diagnostics'))
  }

  /** Focuses a torrent's control that opened a dialog, found again: its row may have been redrawn while the dialog was open. */
  private refocus(infoHash: string, control: TorrentControl): () => void {
    return () => this.renderRoot.querySelector<BtTorrentList>('bt-torrent-list')?.focusControlOf(infoHash, control)
  }

  private showConnectivity(giveFocusBack?: () => void): void {
    this.renderRoot.querySelector<BtConnectivity>('bt-connectivity')?.open(giveFocusBack)
  }

  private onEngineEvent(event: EngineEvent): void {
    switch (event.type) {
      case 'progress': this.torrents = event.torrents; break
      // one torrent changed: its own snapshot, not a re-list of every torrent (core/download-manager/torrent-list-update.ts)
      case 'metadata': this.torrents = withTorrent(this.torrents, event.torrent); break
      case 'removed': this.torrents = withoutTorrent(this.torrents, event.infoHash); break
      case 'added':
        this.torrents = withTorrent(this.torrents, event.torrent)
        this.announce(t('announce.added', { name: event.torrent.name }))
        break
      case 'done':
        this.torrents = withTorrent(this.torrents, event.torrent)
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

  /** How a magnet is added (launches ask too). */
  magnetOptions(): AddOptions {
    return this.addChoices.magnetOptions()
  }

  /** How a .torrent is added, or null when the user cancelled (launches ask too). */
  torrentOptions(bytes: Uint8Array): Promise<AddOptions | null> {
    return this.addChoices.torrentOptions(bytes)
  }

  private addDialog(): BtAddDialog {
    return this.renderRoot.querySelector<BtAddDialog>('bt-add-dialog')!
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
    void this.updateComplete.then(() => this.renderRoot.querySelector<BtRemoveDialog>('bt-remove-dialog')?.open(this.refocus(infoHash, 'remove')))
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
      await runTorrentCommand(engine, command)
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
    this.noticeQueue.notify(kind, text)
  }
}
customElements.define('bt-app', BtApp)
