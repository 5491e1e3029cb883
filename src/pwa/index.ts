import type { Engine } from '../engine/engine'
import type { EngineApi } from '../engine/engine-api'
import { t } from '../i18n/i18n'
import { AppError } from '../protocol/errors'
import { downloadFile } from '../storage/save'
import type { BtPlayer } from '../ui/bt-player'
import type { BtToast } from '../ui/bt-toast'
import { errorText } from '../ui/error-text'
import '../ui/bt-magnet-handler'
import '../ui/bt-player'
import '../ui/bt-toast'
import { handleLaunches, type AddChooser } from './launch'
import { startNotices } from './notices'
import { registerServiceWorker } from './register-sw'
import { serveStreams } from './stream-host'

export interface PwaElements { toast: BtToast; player: BtPlayer }

/** Mounts the PWA's own elements after <bt-app> (outside it). */
export function mountPwaElements(): PwaElements {
  const toast = document.createElement('bt-toast') as BtToast
  const player = document.createElement('bt-player') as BtPlayer
  document.body.append(document.createElement('bt-magnet-handler'), player, toast)
  return { toast, player }
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
  document.addEventListener('save-file', (event) => {
    if (event.target !== player) return
    const { infoHash, fileIndex } = (event as CustomEvent<{ infoHash: string; fileIndex: number }>).detail
    const name = engine.list().find((t) => t.infoHash === infoHash)?.files.find((f) => f.index === fileIndex)?.name ?? 'file'
    engine.fileForSave(infoHash, fileIndex).then(
      (file) => downloadFile(file, name),
      (err: unknown) => report('error', t('notice.saveFailed', { name, reason: errorText(AppError.from(err, 'STORAGE')) })),
    )
  })
  startNotices(engine, { notify: local !== undefined })
  void handleLaunches(engine, chooser, report)
}
