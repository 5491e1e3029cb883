import type { Engine } from '../engine/download-manager/engine'
import type { EngineApi } from '../engine/download-manager/engine-api'
import { SaveFlow } from '../engine/file-assembly/save-flow'
import { browserSaver } from '../storage/file-assembly/save'
import type { AddChooser } from '../engine/download-manager/add-flow'
import { handleLaunches } from './launch'
import { startNotices } from './notices'
import { registerServiceWorker, type UpdatePrompt } from './register-sw'
import { serveStreams } from './stream-host'

/**
 * What the PWA needs of its own elements, which the UI mounts (ui/pwa-elements.ts): a toast that
 * reports and offers updates, and the player.
 */
export interface PwaElements {
  toast: UpdatePrompt & { report(kind: 'error' | 'info', text: string): void }
  player: EventTarget & { engine: EngineApi | undefined }
}

/** Before the engine exists: the service worker (and its update prompt). */
export function startServiceWorker(elements: PwaElements): void {
  registerServiceWorker(elements.toast)
}

/**
 * Once the engine exists: the stream route's page side, the player, notices, then whatever the
 * app was opened with, added the way `chooser` (<bt-app>) adds. `local` is the engine when this
 * tab runs it, undefined in a tab that mirrors another tab's (that tab then answers the stream
 * route; adds go through `engine`).
 */
export function startPwa(engine: EngineApi, local: Engine | undefined, elements: PwaElements, chooser: AddChooser): void {
  const { toast, player } = elements
  const report = (kind: 'error' | 'info', text: string) => toast.report(kind, text)
  serveStreams(local)
  player.engine = engine
  // The player's "Save" sends the list's `save-file` shape; <bt-app> only hears its own list's.
  const saveFlow = new SaveFlow({ engine: () => engine, report, saver: browserSaver })
  document.addEventListener('save-file', (event) => {
    if (event.target !== player) return
    const { infoHash, fileIndex } = (event as CustomEvent<{ infoHash: string; fileIndex: number }>).detail
    void saveFlow.saveFile(infoHash, fileIndex)
  })
  startNotices(engine, { notify: local !== undefined })
  void handleLaunches(engine, chooser, report)
}
