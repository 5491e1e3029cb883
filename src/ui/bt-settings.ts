import { LitElement, css, html, nothing } from 'lit'
import { parseTrackerLines } from '../core/tracker-communication/tracker-list'
import { t } from '../i18n/i18n'
import { LOCALES, LOCALE_NAMES, negotiateLocale, type LanguageSetting } from '../i18n/locales'
import { DEFAULT_SETTINGS, type Settings } from '../prefs/settings'
import type { BridgeRoute } from '../protocol/engine-events'
import type { RuntimeConfig } from '../protocol/runtime-config'
import { keepTabInside } from './dialog-focus'
import { updateWhenLocaleChanges } from './localized'
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
    updateWhenLocaleChanges(this)
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
    /* a menu as wide as its longest choice ("Seguir el sistema"), not cut at 120px */
    label:has(select) { grid-template-columns: 1fr minmax(120px, max-content); }
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
      <dialog aria-labelledby="settings-title" @keydown=${keepTabInside}>
        <h2 id="settings-title">${t('settings.title')}</h2>
        <form @change=${this.onChange} @submit=${(e: Event) => e.preventDefault()}>
          <fieldset><legend>${t('settings.appearance')}</legend>
            <label>${t('settings.language')}<select name="language" .value=${s.language}>
              <option value="auto">${t('settings.languageAuto', { language: LOCALE_NAMES[negotiateLocale(navigator.languages ?? [])] })}</option>
              ${LOCALES.map((locale) => html`<option value=${locale} lang=${locale}>${LOCALE_NAMES[locale]}</option>`)}
            </select></label>
            <label>${t('settings.theme')}<select name="theme" .value=${s.theme}>
              <option value="system">${t('settings.themeSystem')}</option><option value="light">${t('settings.themeLight')}</option>
              <option value="dark">${t('settings.themeDark')}</option>
            </select></label>
          </fieldset>
          <fieldset><legend>${t('settings.speed')}</legend>
            <label>${t('settings.downloadLimit')}<input name="downloadLimit" type="number" min="0" .value=${String(s.downloadLimit / KB)}></label>
            <label>${t('settings.uploadLimit')}<input name="uploadLimit" type="number" min="0" .value=${String(s.uploadLimit / KB)}></label>
          </fieldset>
          <fieldset><legend>${t('settings.queue')}</legend>
            <label>${t('settings.maxDownloads')}<input name="maxActiveDownloads" type="number" min="0" .value=${String(s.maxActiveDownloads)}></label>
            <label>${t('settings.maxSeeds')}<input name="maxActiveSeeds" type="number" min="0" .value=${String(s.maxActiveSeeds)}></label>
            <label>${t('settings.seedRatio')}<input name="seedRatio" type="number" min="0" step="0.1" .value=${String(s.seedRatio)}></label>
            <label>${t('settings.seedMinutes')}<input name="seedMinutes" type="number" min="0" step="any" .value=${String(s.seedMinutes)}></label>
          </fieldset>
          <fieldset><legend>${t('settings.adding')}</legend>
            <label>${t('settings.askFiles')}<input name="askFilesOnAdd" type="checkbox" .checked=${s.askFilesOnAdd}></label>
            <p>${t('settings.askFilesHint')}</p>
          </fieldset>
          <fieldset><legend>${t('settings.network')}</legend>
            <label class="wide">${t('settings.trackers')}
              <textarea name="trackers" spellcheck="false" aria-invalid=${this.trackerError ? 'true' : 'false'} aria-describedby="trackers-hint"
                placeholder=${served?.trackers.join('\n') ?? ''}>${s.trackers.join('\n')}</textarea></label>
            ${this.trackerError ? html`<p class="error" role="alert">${t('settings.trackerError', { error: this.trackerError,
              trackers: s.trackers.length ? s.trackers.join(', ') : t('settings.serverTrackers') })}</p>` : nothing}
            <p id="trackers-hint">${t('settings.trackersHint')}</p>
            <label class="wide">${t('settings.iceServers')}
              <textarea name="iceServers" placeholder=${served?.iceServers.flatMap((i) => [i.urls].flat()).join('\n') ?? ''}>${s.iceServers.join('\n')}</textarea></label>
            <label class="wide">${t('settings.bridgeToken')}
              <input name="bridgeToken" type="password" autocomplete="off" .value=${s.bridgeToken}></label>
            <p>${t('settings.networkHint')}</p>
            ${this.route ? this.renderRoute(this.route) : nothing}
          </fieldset>
        </form>
        <div class="actions"><button @click=${() => this.renderRoot.querySelector('dialog')?.close()}>${t('common.close')}</button></div>
      </dialog>`
  }

  /** Read-only: a page may not change where the bridge's traffic goes for every page it serves. */
  private renderRoute(route: BridgeRoute) {
    return html`
      ${route.proxy ? html`<label class="wide">${t('settings.bridgeProxy')}
        <input name="bridgeProxy" readonly .value=${route.proxy}></label>` : nothing}
      ${route.outgoingInterface ? html`<label class="wide">${t('settings.bridgeInterface')}
        <input name="bridgeInterface" readonly .value=${route.outgoingInterface}></label>` : nothing}
      ${route.state === 'down' ? html`<p class="error">${route.message.charAt(0).toUpperCase()}${route.message.slice(1)}.</p>` : nothing}
      <p>${t(route.proxy ? 'settings.routeProxy' : 'settings.routeBrowser')}</p>`
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
      language: (['auto', ...LOCALES] as const).find((l): l is LanguageSetting => l === data.get('language')) ?? 'auto',
      bridgeToken: String(data.get('bridgeToken') ?? '').trim(),
      askFilesOnAdd: data.get('askFilesOnAdd') === 'on',
    }
    this.dispatchEvent(new CustomEvent('settings-change', { detail: settings }))
  }
}
customElements.define('bt-settings', BtSettings)
