import { LitElement, html, nothing } from 'lit'
import { buttonStyles } from './shared-styles'

/**
 * What a screen reader says on its own: the changes that matter to a person (a torrent added,
 * finished, failed), once each. Nothing that ticks (speeds, percentages, time left) lives in a
 * live region, so nothing chatters while a download runs. Invisible: the list shows the same.
 */
export class BtAnnouncer extends LitElement {
  static override properties = { polite: { state: true }, urgent: { state: true } }
  declare polite: string
  declare urgent: string

  static override styles = [buttonStyles]

  constructor() {
    super()
    this.polite = ''
    this.urgent = ''
  }

  /** Says `text`; `urgent` interrupts (an error), otherwise it waits for a pause in speech. */
  announce(text: string, urgent = false): void {
    // emptied first, so the same words said twice are announced twice
    if (urgent) this.urgent = ''
    else this.polite = ''
    void this.updateComplete.then(() => {
      if (urgent) this.urgent = text
      else this.polite = text
    })
  }

  override render() {
    // A status region must be there before its words change; an alert is announced as it appears.
    return html`<div class="visually-hidden" role="status" data-testid="announce-polite">${this.polite}</div>
      ${this.urgent ? html`<div class="visually-hidden" role="alert" data-testid="announce-urgent">${this.urgent}</div>` : nothing}`
  }
}
customElements.define('bt-announcer', BtAnnouncer)
