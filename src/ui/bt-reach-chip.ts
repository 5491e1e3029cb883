import { LitElement, css, html } from 'lit'
import { t, type MessageId } from '../i18n/i18n'
import type { BridgeStatus } from '../protocol/engine-events'
import { reachable } from './bt-connectivity'
import { updateWhenLocaleChanges } from './localized'
import { buttonStyles } from './shared-styles'

const SHORT: Record<'yes' | 'partly' | 'no' | 'wait', MessageId> = {
  yes: 'chip.yes', partly: 'chip.partly', no: 'chip.no', wait: 'chip.wait',
}

/** The header's glance at reach: a dot and a word; it opens the Connectivity panel (the host listens for the click). */
export class BtReachChip extends LitElement {
  static override properties = { bridge: { attribute: false } }
  declare bridge: BridgeStatus

  static override styles = [buttonStyles, css`
    button { min-height: 28px; padding: 3px 10px; border-radius: 999px; font-size: .82em; color: var(--muted); max-width: 45vw; }
    /* a long word in some language is cut with an ellipsis, never widens a phone's header (the full text is its title) */
    .word { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; min-width: 0; }
    .dot { width: 8px; height: 8px; border-radius: 50%; background: var(--muted); flex: none; }
    .dot.yes { background: var(--ok); } .dot.no, .dot.partly { background: var(--warn); }
  `]

  constructor() {
    super()
    updateWhenLocaleChanges(this)
    this.bridge = { state: 'none', reason: null }
  }

  override render() {
    const c = this.bridge.state === 'connected' ? this.bridge.connectivity : undefined
    const reach = reachable(this.bridge, c)
    return html`<button aria-label=${t('chip.label', { reach: reach.text })} title=${reach.text}><span class="dot ${reach.tone}"></span><span class="word">${t(SHORT[reach.tone])}</span></button>`
  }
}
customElements.define('bt-reach-chip', BtReachChip)
