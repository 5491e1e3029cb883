import { LitElement, html, nothing } from 'lit'
import { buttonStyles } from './shared-styles'

/** Long enough for any screen reader to have said it; as long as an information notice shows. */
const CLEAR_MS = 7000

/**
 * What a screen reader says on its own: the changes that matter to a person (a torrent added,
 * finished, failed), once each. Nothing that ticks (speeds, percentages, time left) lives in a
 * live region, so nothing chatters while a download runs. Invisible: the list shows the same.
 */
export class BtAnnouncer extends LitElement {
  static override properties = { polite: { state: true }, urgent: { state: true } }
  declare polite: string
  declare urgent: string
  private clearTimer: ReturnType<typeof setTimeout> | undefined

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
    // said, then gone: a reader who browses the page later does not come upon old news
    clearTimeout(this.clearTimer)
    this.clearTimer = setTimeout(() => { this.polite = ''; this.urgent = '' }, CLEAR_MS)
  }

  override render() {
    // A status region must be there before its words change; an alert is announced as it appears.
    return html`<div class="visually-hidden" role="status" data-testid="announce-polite">${this.polite}</div>
      ${this.urgent ? html`<div class="visually-hidden" role="alert" data-testid="announce-urgent">${this.urgent}</div>` : nothing}`
  }
}
customElements.define('bt-announcer', BtAnnouncer)
