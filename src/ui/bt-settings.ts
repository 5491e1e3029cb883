import { LitElement, css, html, nothing } from 'lit'
import { parseTrackerLines } from '../core/tracker-list'
import { DEFAULT_SETTINGS, type Settings } from '../prefs/settings'
import type { BridgeRoute } from '../protocol/engine-events'
import type { RuntimeConfig } from '../protocol/runtime-config'
import { buttonStyles } from './shared-styles'

const KB = 1024

/** Settings, applied at once and kept in IndexedDB. Emits `settings-change` with the whole object. */
export class BtSettings extends LitElement {
  static override properties = { config: { attribute: false }, settings: { attribute: false }, route: { attribute: false }, trackerError: { state: true } }
  declare config: RuntimeConfig | undefined
  /** The bridge's proxy and outgoing interface: the server's, shown here, not changed here (README, Security). */
  declare route: BridgeRoute | undefined
  declare settings: Settings | undefined
  /** Names the bad lines of the trackers field; the trackers last valid stay in use meanwhile. */
  declare trackerError: string | null

  constructor() {
    super()
    this.trackerError = null
  }

  static override styles = [buttonStyles, css`
    dialog { background: var(--surface); color: var(--text); border: 1px solid var(--border); border-radius: var(--radius);
      width: min(560px, calc(100vw - 32px)); padding: 20px; }
    dialog::backdrop { background: rgb(0 0 0 / .45); }
    h2 { margin: 0 0 12px; font-size: 1.15em; }
    fieldset { border: 1px solid var(--border); border-radius: 8px; margin: 0 0 12px; padding: 10px 12px; }
    legend { font-weight: 600; padding: 0 4px; }
    label { display: grid; grid-template-columns: 1fr 120px; align-items: center; gap: 8px; margin: 6px 0; }
    label.wide { grid-template-columns: 1fr; }
    input[type=checkbox] { justify-self: end; width: 18px; height: 18px; accent-color: var(--accent); }
    input, select, textarea { font: inherit; color: var(--text); background: var(--bg); border: 1px solid var(--border);
      border-radius: 6px; padding: 5px 8px; min-width: 0; }
    textarea { min-height: 54px; resize: vertical; }
    p { color: var(--muted); margin: 4px 0; font-size: .9em; }
    p.error { color: var(--danger); }
    .actions { display: flex; justify-content: flex-end; gap: 8px; margin-top: 8px; }
  `]

  open(): void {
    this.renderRoot.querySelector('dialog')?.showModal()
  }

  override render() {
    const s = this.settings ?? DEFAULT_SETTINGS
    const served = this.config
    return html`
      <dialog aria-labelledby="settings-title">
        <h2 id="settings-title">Settings</h2>
        <form @change=${this.onChange} @submit=${(e: Event) => e.preventDefault()}>
          <fieldset><legend>Speed</legend>
            <label>Download limit, KiB/s (0 = none)<input name="downloadLimit" type="number" min="0" .value=${String(s.downloadLimit / KB)}></label>
            <label>Upload limit, KiB/s (0 = none)<input name="uploadLimit" type="number" min="0" .value=${String(s.uploadLimit / KB)}></label>
          </fieldset>
          <fieldset><legend>Queue</legend>
            <label>Active downloads at most (0 = no limit)<input name="maxActiveDownloads" type="number" min="0" .value=${String(s.maxActiveDownloads)}></label>
            <label>Active seeds at most (0 = no limit)<input name="maxActiveSeeds" type="number" min="0" .value=${String(s.maxActiveSeeds)}></label>
            <label>Stop seeding at ratio (0 = never)<input name="seedRatio" type="number" min="0" step="0.1" .value=${String(s.seedRatio)}></label>
            <label>Stop seeding after minutes (0 = never)<input name="seedMinutes" type="number" min="0" step="any" .value=${String(s.seedMinutes)}></label>
          </fieldset>
          <fieldset><legend>Adding</legend>
            <label>Ask which files to download when adding<input name="askFilesOnAdd" type="checkbox" .checked=${s.askFilesOnAdd}></label>
            <p>For a .torrent with several files: show its files first, to choose some or start it paused.</p>
          </fieldset>
          <fieldset><legend>Network</legend>
            <label class="wide">Trackers for every torrent, one a line (empty: the server's)
              <textarea name="trackers" spellcheck="false" aria-invalid=${this.trackerError ? 'true' : 'false'} aria-describedby="trackers-hint"
                placeholder=${served?.trackers.join('\n') ?? ''}>${s.trackers.join('\n')}</textarea></label>
            ${this.trackerError ? html`<p class="error" role="alert">${this.trackerError} Still using: ${s.trackers.length ? s.trackers.join(', ') : 'the server\'s trackers'}.</p>` : nothing}
            <p id="trackers-hint">ws:// and wss:// trackers find WebRTC peers from the page; http://, https:// and udp:// ones are
              announced to by the bridge, so they are not used when there is none.</p>
            <label class="wide">ICE servers (stun:/turn:), one a line (empty: the server's)
              <textarea name="iceServers" placeholder=${served?.iceServers.flatMap((i) => [i.urls].flat()).join('\n') ?? ''}>${s.iceServers.join('\n')}</textarea></label>
            <label class="wide">Bridge token (only when the server asks for one)
              <input name="bridgeToken" type="password" autocomplete="off" .value=${s.bridgeToken}></label>
            <p>Tracker changes apply to torrents started from now on; ICE servers and the bridge token after a reload.
              The bridge (part of the server) reaches ordinary BitTorrent peers over TCP, HTTP/UDP trackers and the DHT.</p>
            ${this.route ? this.renderRoute(this.route) : nothing}
          </fieldset>
          <fieldset><legend>Appearance</legend>
            <label>Theme<select name="theme" .value=${s.theme}>
              <option value="system">Follow the system</option><option value="light">Light</option><option value="dark">Dark</option>
            </select></label>
          </fieldset>
        </form>
        <div class="actions"><button @click=${() => this.renderRoot.querySelector('dialog')?.close()}>Close</button></div>
      </dialog>`
  }

  /** Read-only: a page may not change where the bridge's traffic goes for every page it serves. */
  private renderRoute(route: BridgeRoute) {
    return html`
      ${route.proxy ? html`<label class="wide">Bridge proxy (set by the server, --proxy)
        <input name="bridgeProxy" readonly .value=${route.proxy}></label>` : nothing}
      ${route.outgoingInterface ? html`<label class="wide">Bridge outgoing interface (set by the server, --outgoing-interface)
        <input name="bridgeInterface" readonly .value=${route.outgoingInterface}></label>` : nothing}
      ${route.state === 'down' ? html`<p class="error">${route.message.charAt(0).toUpperCase()}${route.message.slice(1)}.</p>` : nothing}
      <p>${route.proxy ? 'Every peer connection and tracker request of the bridge goes through this proxy, and nothing around it (no DHT). ' : ''}WebRTC
        peers, WebSocket trackers and ICE servers are reached by this browser itself, not by the bridge.</p>`
  }

  private onChange(): void {
    const form = this.renderRoot.querySelector('form')!
    const data = new FormData(form)
    const number = (name: string, scale = 1) => Math.max(0, Number(data.get(name)) || 0) * scale
    const lines = (name: string) => String(data.get(name) ?? '').split('\n').map((line) => line.trim()).filter(Boolean)
    const trackers = parseTrackerLines(String(data.get('trackers') ?? ''))
    this.trackerError = trackers.error
    const settings: Settings = {
      downloadLimit: number('downloadLimit', KB),
      uploadLimit: number('uploadLimit', KB),
      maxActiveDownloads: Math.floor(number('maxActiveDownloads')),
      maxActiveSeeds: Math.floor(number('maxActiveSeeds')),
      seedRatio: number('seedRatio'),
      seedMinutes: number('seedMinutes'),
      trackers: trackers.error ? (this.settings ?? DEFAULT_SETTINGS).trackers : trackers.trackers,
      iceServers: lines('iceServers').filter((url) => /^(stun|stuns|turn|turns):/i.test(url)),
      theme: (['system', 'light', 'dark'] as const).find((t) => t === data.get('theme')) ?? 'system',
      bridgeToken: String(data.get('bridgeToken') ?? '').trim(),
      askFilesOnAdd: data.get('askFilesOnAdd') === 'on',
    }
    this.dispatchEvent(new CustomEvent('settings-change', { detail: settings }))
  }
}
customElements.define('bt-settings', BtSettings)
