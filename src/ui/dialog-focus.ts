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
