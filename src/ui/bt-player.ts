import { LitElement, css, html, nothing, type PropertyValues } from 'lit'
import type { EngineApi } from '../engine/download-manager/engine-api'
import { formatPercent, t } from '../i18n/i18n'
import type { FileSnapshot, TorrentSnapshot } from '../protocol/engine-events'
import { contentType, extensionOf, mediaKind, streamUrl, type MediaKind } from '../pwa/media-types'
import { srtToVtt } from '../pwa/subtitles'
import type { PlayFileDetail } from './bt-file-list'
import type { BtTorrentList } from './bt-torrent-list'
import { OpenerFocus, keepTabInside } from './dialog-focus'
import { updateWhenLocaleChanges } from './localized'
import { buttonStyles } from './shared-styles'

/** How much of a text file the preview shows. */
const TEXT_PREVIEW_BYTES = 256 * 1024

interface Playing { infoHash: string; fileIndex: number; name: string; kind: MediaKind }

/**
 * Plays video and audio while they download (through the service worker's stream route), shows
 * images and text, turns on subtitles (.srt converted, .vtt) from the same folder, and says so
 * when the browser cannot play a file, offering Save (a `save-file` event, as the list sends).
 * Listens for `play-file` on the document, so the list needs no wiring to it.
 */
export class BtPlayer extends LitElement {
  static override properties = {
    engine: { attribute: false },
    playing: { state: true },
    file: { state: true },
    unsupported: { state: true },
    text: { state: true },
    subtitle: { state: true },
  }
  declare engine: EngineApi | undefined
  declare playing: Playing | undefined
  declare file: FileSnapshot | undefined
  declare unsupported: boolean
  declare text: string | undefined
  declare subtitle: string
  private unsubscribe: (() => void) | undefined
  private subtitleUrls: string[] = []
  private readonly openerFocus = new OpenerFocus()

  static override styles = [buttonStyles, css`
    dialog { width: min(960px, calc(100vw - 16px)); max-height: calc(100dvh - 16px); box-sizing: border-box; padding: 0;
      border: 1px solid var(--border); border-radius: var(--radius); background: var(--surface); color: var(--text); }
    dialog::backdrop { background: rgb(0 0 0 / .6); }
    .head { display: flex; align-items: center; gap: 10px; padding: 10px 12px 10px 16px; }
    h2 { flex: 1; margin: 0; font-size: 1em; font-weight: 600; overflow-wrap: anywhere; }
    .stage { background: #000; display: grid; place-items: center; }
    video, img { display: block; max-width: 100%; max-height: calc(100dvh - 160px); margin: 0 auto; }
    video { width: 100%; }
    audio { width: calc(100% - 32px); margin: 24px 16px; }
    .audio-stage { background: var(--surface-2); }
    pre { margin: 0; padding: 14px 16px; max-height: calc(100dvh - 160px); overflow: auto; white-space: pre-wrap;
      overflow-wrap: anywhere; background: var(--surface-2); font-size: .9em; }
    .foot { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 14px; padding: 10px 16px 12px; color: var(--muted);
      font-size: .9em; font-variant-numeric: tabular-nums; }
    .foot .grow { flex: 1; }
    select { font: inherit; color: var(--text); background: var(--surface-2); border: 1px solid var(--border);
      border-radius: 8px; padding: 6px 8px; min-height: 36px; }
    .unsupported { padding: 28px 16px; text-align: center; background: var(--surface-2); color: var(--text); }
    .unsupported p { margin: 0 0 14px; }
  `]

  constructor() {
    super()
    updateWhenLocaleChanges(this)
    this.unsupported = false
    this.subtitle = ''
  }

  override connectedCallback(): void {
    super.connectedCallback()
    document.addEventListener('play-file', this.onPlayFile)
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback()
    document.removeEventListener('play-file', this.onPlayFile)
    this.unsubscribe?.()
  }

  override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('engine')) {
      this.unsubscribe?.()
      this.unsubscribe = this.engine?.on((event) => {
        if (this.playing && (event.type === 'progress' || event.type === 'done')) this.refreshFile()
        if (event.type === 'removed' && event.infoHash === this.playing?.infoHash) this.close()
      })
    }
  }

  /** Opens the player on one file of a torrent; `refocus` finds its opener again should that be redrawn meanwhile (dialog-focus.ts). */
  async play(infoHash: string, fileIndex: number, name: string, refocus?: () => void): Promise<void> {
    this.stop()
    const kind = mediaKind(name)
    if (!kind) return
    this.playing = { infoHash, fileIndex, name, kind }
    this.unsupported = (kind === 'video' || kind === 'audio') && document.createElement(kind).canPlayType(contentType(name)) === ''
    this.text = undefined
    this.subtitle = ''
    this.refreshFile()
    // The engine downloads in order, with the next few MiB critical, while the stream is open.
    await this.updateComplete
    const dialog = this.renderRoot.querySelector('dialog')
    if (dialog && !dialog.open) {
      this.openerFocus.opened(refocus)
      dialog.showModal()
    }
    if (kind === 'text' || kind === 'subtitle') void this.loadText()
  }

  override render() {
    const p = this.playing
    return html`<dialog aria-label=${p ? t('player.of', { name: p.name }) : t('player.label')} @keydown=${keepTabInside} @close=${(e: Event) => this.onClose(e.currentTarget as Element)}>
      ${p ? html`
        <div class="head">
          <h2>${p.name}</h2>
          <button aria-label=${t('player.close')} @click=${() => this.close()}>${t('common.close')}</button>
        </div>
        ${this.unsupported ? this.renderUnsupported(p) : this.renderStage(p)}
        <div class="foot">
          <span class="grow" data-testid="player-progress">${this.progressText()}</span>
          ${p.kind === 'video' && !this.unsupported ? this.renderSubtitles() : nothing}
        </div>` : nothing}
    </dialog>`
  }

  private renderStage(p: Playing) {
    const src = streamUrl(p.infoHash, p.fileIndex, p.name)
    switch (p.kind) {
      case 'video':
        return html`<div class="stage"><video aria-label=${p.name} controls autoplay playsinline preload="auto" src=${src}
          @error=${this.onMediaError}></video></div>`
      case 'audio':
        return html`<div class="audio-stage"><audio aria-label=${p.name} controls autoplay preload="auto" src=${src}
          @error=${this.onMediaError}></audio></div>`
      case 'image':
        return html`<div class="stage"><img alt=${p.name} src=${src} @error=${() => { this.unsupported = true }}></div>`
      default:
        return html`<pre tabindex="0" aria-label=${t('player.contentsOf', { name: p.name })}>${this.text ?? t('common.loading')}</pre>`
    }
  }

  private renderUnsupported(p: Playing) {
    const done = this.file?.done ?? false
    return html`<div class="unsupported" role="alert">
      <p>${t('player.cannotPlay', { name: p.name })}</p>
      <button class="primary" ?disabled=${!done} aria-label=${t('files.saveName', { name: p.name })} @click=${() => this.save()}
        title=${done ? t('files.saveName', { name: p.name }) : t('files.saveLater')}>${t('files.save')}</button>
      ${done ? nothing : html`<p class="muted">${t('player.saveLater')}</p>`}
    </div>`
  }

  private renderSubtitles() {
    const tracks = this.subtitleFiles()
    if (!tracks.length) return nothing
    return html`<label>${t('player.subtitles')}
      <select .value=${this.subtitle} @change=${(e: Event) => void this.chooseSubtitle((e.target as HTMLSelectElement).value)}>
        <option value="">${t('player.subtitlesOff')}</option>
        ${tracks.map((file) => html`<option value=${String(file.index)}>${file.name}</option>`)}
      </select></label>`
  }

  private progressText(): string {
    const file = this.file
    if (!file) return ''
    if (file.done) return t('player.downloaded')
    return t('player.progress', { percent: formatPercent(file.length ? file.downloaded / file.length : 0, 0) })
  }

  private torrent(): TorrentSnapshot | undefined {
    return this.engine?.list().find((t) => t.infoHash === this.playing?.infoHash)
  }

  private refreshFile(): void {
    this.file = this.torrent()?.files.find((f) => f.index === this.playing?.fileIndex)
  }

  /** .srt and .vtt files in the same folder as the video. */
  private subtitleFiles(): FileSnapshot[] {
    const torrent = this.torrent()
    if (!torrent || !this.file) return []
    const folder = this.file.path.slice(0, this.file.path.lastIndexOf('/') + 1)
    return torrent.files.filter((f) => {
      const ext = extensionOf(f.name)
      return (ext === 'srt' || ext === 'vtt') && f.path.startsWith(folder) && !f.path.slice(folder.length).includes('/')
    })
  }

  private async chooseSubtitle(value: string): Promise<void> {
    this.subtitle = value
    const video = this.renderRoot.querySelector('video')
    if (!video || !this.playing) return
    for (const track of video.textTracks) track.mode = 'disabled'
    if (!value) return
    const file = this.torrent()?.files.find((f) => f.index === Number(value))
    if (!file) return
    let track = video.querySelector<HTMLTrackElement>(`track[data-index="${file.index}"]`)
    if (!track) {
      const response = await fetch(streamUrl(this.playing.infoHash, file.index, file.name))
      const source = await response.text()
      const vtt = extensionOf(file.name) === 'srt' ? srtToVtt(source) : source
      const url = URL.createObjectURL(new Blob([vtt], { type: 'text/vtt' }))
      this.subtitleUrls.push(url)
      track = document.createElement('track')
      Object.assign(track, { kind: 'subtitles', label: file.name, srclang: 'und', src: url })
      track.dataset.index = String(file.index)
      video.append(track)
    }
    track.track.mode = 'showing'
  }

  private async loadText(): Promise<void> {
    const p = this.playing
    if (!p) return
    try {
      const response = await fetch(streamUrl(p.infoHash, p.fileIndex, p.name), { headers: { range: `bytes=0-${TEXT_PREVIEW_BYTES - 1}` } })
      if (!response.ok) throw new Error(await response.text())
      const text = new TextDecoder().decode(await response.arrayBuffer())
      const total = Number(response.headers.get('content-range')?.split('/')[1] ?? text.length)
      if (this.playing === p) this.text = total > TEXT_PREVIEW_BYTES ? `${text}\n…` : text
    } catch (err) {
      if (this.playing === p) this.text = t('player.textFailed', { reason: err instanceof Error ? err.message : String(err) })
    }
  }

  private readonly onMediaError = (event: Event): void => {
    const error = (event.target as HTMLMediaElement).error
    // Not supported, or not decodable: either way this browser cannot play it.
    if (error && (error.code === MediaError.MEDIA_ERR_SRC_NOT_SUPPORTED || error.code === MediaError.MEDIA_ERR_DECODE)) this.unsupported = true
  }

  private save(): void {
    const p = this.playing
    if (!p) return
    this.dispatchEvent(new CustomEvent('save-file', { detail: { infoHash: p.infoHash, fileIndex: p.fileIndex }, bubbles: true, composed: true }))
  }

  private onClose(dialog: Element): void {
    this.openerFocus.closed(dialog)
    this.stop()
  }

  private close(): void {
    this.renderRoot.querySelector('dialog')?.close()
    this.stop()
  }

  /** Stops playback and releases the stream (a cancelled request cancels the engine's stream). */
  private stop(): void {
    const media = this.renderRoot.querySelector<HTMLMediaElement>('video, audio')
    if (media) {
      media.pause()
      media.removeAttribute('src')
      media.load()
    }
    for (const url of this.subtitleUrls.splice(0)) URL.revokeObjectURL(url)
    this.playing = undefined
    this.file = undefined
  }

  private readonly onPlayFile = (event: Event): void => {
    const detail = (event as CustomEvent<PlayFileDetail>).detail
    const infoHash = detail.infoHash ?? infoHashFromPath(event)
    if (infoHash) void this.play(infoHash, detail.fileIndex, detail.name, playOpener(event, infoHash, detail.fileIndex))
  }
}

/** How to focus the Play button again: through the torrent list the event came through (its rows may be redrawn). */
function playOpener(event: Event, infoHash: string, fileIndex: number): (() => void) | undefined {
  const list = event.composedPath().find((node): node is BtTorrentList => node instanceof HTMLElement && node.localName === 'bt-torrent-list')
  return list ? () => list.focusPlayOf(infoHash, fileIndex) : undefined
}

/** The list item the event came through knows its torrent (bt-file-list may not). */
function infoHashFromPath(event: Event): string | undefined {
  for (const node of event.composedPath()) {
    const torrent = (node as { torrent?: { infoHash?: unknown } }).torrent
    if (node instanceof HTMLElement && node.localName === 'bt-torrent-item' && typeof torrent?.infoHash === 'string') return torrent.infoHash
  }
  return undefined
}
customElements.define('bt-player', BtPlayer)
