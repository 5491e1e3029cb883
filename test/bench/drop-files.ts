/**
 * Drops files on the page as a person's drag from the file manager does: Chromium's own drag
 * events (CDP `Input.dispatchDragEvent`: dragEnter, dragOver, drop, with `data.files` the paths),
 * handled by the page's document-wide drop handler (src/ui/paste-drop.ts). Playwright's
 * `setInputFiles` instead has Chromium make every File object in one task of its own
 * (`DOM.setFileInputFiles`, 117 ms for 1,000 files before any page script runs), which is not
 * what a user's drop costs; the bench measures both and says which is which.
 */
import type { BrowserContext, Page } from '@playwright/test'

/** DragOperation "copy", what a file manager's drag offers; the page's dragover accepts it. */
const COPY = 1

export async function dropFiles(context: BrowserContext, page: Page, paths: string[]): Promise<void> {
  const cdp = await context.newCDPSession(page)
  try {
    const size = page.viewportSize() ?? { width: 800, height: 600 }
    const at = { x: Math.round(size.width / 2), y: Math.round(size.height / 2) }
    const data = { items: [], files: paths, dragOperationsMask: COPY }
    for (const type of ['dragEnter', 'dragOver', 'drop'] as const) await cdp.send('Input.dispatchDragEvent', { type, ...at, data })
  } finally {
    await cdp.detach()
  }
}
