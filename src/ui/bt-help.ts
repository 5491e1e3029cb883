import { LitElement, css, html, nothing } from 'lit'
import { formatBytes, t, type MessageId } from '../i18n/i18n'
import type { BridgeStatus } from '../protocol/engine-events'
import { canPickFolder } from '../storage/file-assembly/save'
import { keepTabInside } from './dialog-focus'
import { updateWhenLocaleChanges } from './localized'
import { reachText } from './reach-text'
import { buttonStyles } from './shared-styles'

/** The help page's topics, in order; `#help-TOPIC` opens it at one (`#help` at the top). */
const TOPICS = ['bridge', 'metadata', 'peers', 'save', 'storage'] as const
type Topic = (typeof TOPICS)[number]
const TITLES: Record<Topic, MessageId> = {
  bridge: 'help.bridgeTitle', metadata: 'help.metadataTitle', peers: 'help.peersTitle', save: 'help.saveTitle', storage: 'help.storageTitle',
}

/** The topic a `#help…` address asks for: null for another address, undefined for the top. */
function topicOf(hash: string): Topic | undefined | null {
  if (hash === '#help') return undefined
  const topic = /^#help-(\w+)$/.exec(hash)?.[1]
  return TOPICS.find((name) => name === topic) ?? null
}

/**
 * A short help page where newcomers get stuck: what the bridge is and whether it is connected,
 * "Getting metadata", why a magnet waits, how Save works in this browser, where the data lives
 * and how to free space. A dialog opened by links to `#help` or `#help-TOPIC`, so the empty list
 * and a torrent that finds no peers link straight to the answer; closing it clears the address.
 */
export class BtHelp extends LitElement {
  static override properties = { bridge: { attribute: false }, usage: { state: true }, quota: { state: true } }
  declare bridge: BridgeStatus | undefined
  declare usage: number
  declare quota: number

  static override styles = [buttonStyles, css`
    dialog { background: var(--surface); color: var(--text); border: 1px solid var(--border); border-radius: var(--radius);
      width: min(640px, calc(100vw - 32px)); max-height: calc(100dvh - 32px); padding: 20px; box-sizing: border-box; }
    dialog::backdrop { background: rgb(0 0 0 / .45); }
    h2 { margin: 0 0 6px; font-size: 1.2em; }
    h3 { margin: 18px 0 4px; font-size: 1.02em; }
    h3:focus { outline: none; }
    h3:focus-visible { outline: 2px solid var(--focus); outline-offset: 2px; }
    p { margin: 4px 0; line-height: 1.5; }
    nav ul { display: flex; flex-wrap: wrap; gap: 4px 14px; list-style: none; margin: 0; padding: 0; font-size: .92em; }
    a { color: var(--accent); }
    a:focus-visible { outline: 2px solid var(--focus); outline-offset: 2px; border-radius: 2px; }
    .now { border-left: 3px solid var(--accent); padding-left: 10px; }
    .actions { display: flex; justify-content: flex-end; margin-top: 16px; }
  `]

  constructor() {
    super()
    updateWhenLocaleChanges(this)
    this.usage = 0
    this.quota = 0
  }

  override connectedCallback(): void {
    super.connectedCallback()
    window.addEventListener('hashchange', this.onHashChange)
    // opened at an address that asks for help (a bookmark, a reload)
    void this.updateComplete.then(this.onHashChange)
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback()
    window.removeEventListener('hashchange', this.onHashChange)
  }

  /** Opens the page, at `topic` when given (its heading takes the focus, so a screen reader starts there). */
  async open(topic?: Topic): Promise<void> {
    const dialog = this.renderRoot.querySelector('dialog')
    if (!dialog) return
    if (!dialog.open) dialog.showModal()
    void this.refreshStorage()
    if (!topic) return
    const heading = this.renderRoot.querySelector<HTMLElement>(`#help-${topic}`)
    heading?.focus()
    heading?.scrollIntoView({ block: 'start' })
  }

  override render() {
    return html`
      <dialog aria-labelledby="help-title" @keydown=${keepTabInside} @close=${this.onClose}>
        <h2 id="help-title">${t('help.title')}</h2>
        <nav aria-label=${t('help.topics')}><ul>${TOPICS.map((topic) => html`
          <li><a href="#help-${topic}">${t(TITLES[topic])}</a></li>`)}</ul></nav>

        <h3 id="help-bridge" tabindex="-1">${t('help.bridgeTitle')}</h3>
        <p>${t('help.bridgeText')}</p>
        <p class="now">${t('help.bridgeNow', { state: this.bridge ? reachText(this.bridge) : t('reach.connecting') })}</p>

        <h3 id="help-metadata" tabindex="-1">${t('help.metadataTitle')}</h3>
        <p>${t('help.metadataText')}</p>

        <h3 id="help-peers" tabindex="-1">${t('help.peersTitle')}</h3>
        <p>${t('help.peersText')}</p>
        <p>${t('help.peersCheck')}</p>

        <h3 id="help-save" tabindex="-1">${t('help.saveTitle')}</h3>
        <p>${t('help.saveText')}</p>
        <p>${t(canPickFolder() ? 'help.saveFolder' : 'help.saveEach')}</p>

        <h3 id="help-storage" tabindex="-1">${t('help.storageTitle')}</h3>
        <p>${t('help.storageText')}</p>
        ${this.quota ? html`<p class="now">${t('help.storageUsage', { used: formatBytes(this.usage), quota: formatBytes(this.quota) })}</p>` : nothing}
        <p>${t('help.storageFree')}</p>

        <div class="actions"><button class="primary" @click=${() => this.renderRoot.querySelector('dialog')?.close()}>${t('common.close')}</button></div>
      </dialog>`
  }

  private async refreshStorage(): Promise<void> {
    if (!navigator.storage?.estimate) return
    const { usage = 0, quota = 0 } = await navigator.storage.estimate()
    this.usage = usage
    this.quota = quota
  }

  /** Links within the page (the topics) change the address too: follow them while it is open. */
  private readonly onHashChange = (): void => {
    const topic = topicOf(window.location.hash)
    if (topic !== null) void this.open(topic)
  }

  /** The address no longer asks for help, so the same link opens it again. */
  private readonly onClose = (): void => {
    if (topicOf(window.location.hash) !== null) history.replaceState(history.state, '', window.location.pathname + window.location.search)
  }
}
customElements.define('bt-help', BtHelp)
