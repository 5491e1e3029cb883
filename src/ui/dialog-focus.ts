/** What Tab can reach inside a dialog. */
const FOCUSABLE = [
  'a[href]', 'button:not([disabled])', 'input:not([disabled]):not([type=hidden])', 'select:not([disabled])',
  'textarea:not([disabled])', 'summary', 'video[controls]', 'audio[controls]', '[tabindex]:not([tabindex="-1"])',
].join(',')

function focusables(dialog: HTMLElement): HTMLElement[] {
  return [...dialog.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((el) => el.getClientRects().length > 0 && !el.closest('[hidden], [inert]'))
}

/**
 * A dialog's `keydown` handler: Tab from its last control goes to its first, Shift+Tab from its
 * first to its last. A modal <dialog> makes the page behind it inert, but Chromium still lets Tab
 * leave it for the browser's own UI (or, headless, for nothing); a keyboard user stays inside.
 */
export function keepTabInside(event: KeyboardEvent): void {
  if (event.key !== 'Tab' || event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return
  const dialog = event.currentTarget as HTMLElement
  const items = focusables(dialog)
  const first = items[0]
  const last = items[items.length - 1]
  if (!first || !last) return
  const active = (dialog.getRootNode() as Document | ShadowRoot).activeElement
  const outside = !active || !dialog.contains(active)
  if (event.shiftKey ? active === first || outside : active === last || outside) {
    event.preventDefault()
    ;(event.shiftKey ? last : first).focus()
  }
}

/** Nothing has the focus (it fell back to the body): the element that had it was removed. */
export function focusLost(): boolean {
  const active = document.activeElement
  return active === null || active === document.body
}

/** The element that has the focus, inside shadow roots too. */
function focusedElement(): Element | null {
  let el = document.activeElement
  while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement
  return el
}

/** `node` is `root` or inside it, across shadow roots. */
function within(node: Node, root: Node): boolean {
  for (let at: Node | null = node; at; at = at.parentNode ?? (at instanceof ShadowRoot ? at.host : null)) if (at === root) return true
  return false
}

/**
 * Gives the focus back to a dialog's opener when the browser cannot: a modal <dialog> gives it back
 * to the element that had it, but when the list re-rendered while the dialog was open (a torrent's
 * row redrawn, moved or filtered out and back) that element is gone and the focus falls to the
 * page's body. `opened` takes how to find the opener again (say, by the torrent's id and the
 * button's role); `closed`, called from the dialog's `close` event, uses it only then.
 */
export class OpenerFocus {
  private refocus: (() => void) | undefined

  opened(refocus?: () => void): void {
    this.refocus = refocus
  }

  /**
   * When the browser could not give the focus back, it is still on the closed dialog's control at
   * the `close` event (Chromium moves it to the body only at its next rendering), or already lost.
   */
  closed(dialog: Element): void {
    const refocus = this.refocus
    this.refocus = undefined
    const focused = focusedElement()
    if (refocus && (focusLost() || !focused || within(focused, dialog))) refocus()
  }
}
