import { Workbox } from 'workbox-window'
import type { PageToSw } from '../protocol/sw-messages'

export interface UpdatePrompt {
  /** Shows "Reload to update"; calls `apply` when the user takes it. */
  offerUpdate(apply: () => void): void
}

/**
 * Registers sw.js (built from sw/sw.ts). A new version installs in the background and then
 * waits: the page offers "Reload to update" instead of changing under the user; taking it
 * tells the waiting worker to skip waiting and reloads once it controls the page.
 */
export function registerServiceWorker(prompt: UpdatePrompt): Workbox | undefined {
  if (!('serviceWorker' in navigator) || import.meta.env.DEV) return undefined
  const wb = new Workbox('/sw.js', { scope: '/' })
  const offer = () => prompt.offerUpdate(() => {
    wb.addEventListener('controlling', () => window.location.reload())
    const message: PageToSw = { type: 'skip-waiting' }
    // Not wb.messageSkipWaiting(): it sends workbox's untyped {type: 'SKIP_WAITING'}.
    navigator.serviceWorker.getRegistration().then((registration) => registration?.waiting?.postMessage(message))
  })
  wb.addEventListener('waiting', offer)
  void wb.register().catch((err: unknown) => console.warn('[sw] registration failed', err))
  return wb
}
