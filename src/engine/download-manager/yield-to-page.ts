/**
 * Ends the current task so the page can draw and take input, and resumes soon after: long loops
 * (1,000 .torrent files dropped at once) call it between items, so no task holds the main thread
 * for all of them (issue 17: no task over 50 ms).
 *
 * scheduler.yield where the browser has it (Chromium 129+, Firefox 142+): the continuation goes
 * ahead of other queued work, so the loop is not slowed by it. Elsewhere a MessageChannel message,
 * not setTimeout(0): timers nested more than five deep wait at least 4 ms each (HTML spec), 4 s
 * over 1,000 files; a message is not clamped.
 */
export function yieldToPage(): Promise<void> {
  const scheduler = (globalThis as { scheduler?: { yield?: () => Promise<void> } }).scheduler
  if (typeof scheduler?.yield === 'function') return scheduler.yield()
  return new Promise((resolve) => {
    const { port1, port2 } = new MessageChannel()
    port1.addEventListener('message', () => {
      port1.close()
      resolve()
    }, { once: true })
    port1.start()
    port2.postMessage(null)
  })
}
