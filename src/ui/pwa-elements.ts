import type { BtPlayer } from './bt-player'
import type { BtToast } from './bt-toast'
import './bt-magnet-handler'
import './bt-player'
import './bt-toast'

/** Mounts the PWA's own elements after <bt-app> (outside it); src/pwa/ drives them. */
export function mountPwaElements(): { toast: BtToast; player: BtPlayer } {
  const toast = document.createElement('bt-toast') as BtToast
  const player = document.createElement('bt-player') as BtPlayer
  document.body.append(document.createElement('bt-magnet-handler'), player, toast)
  return { toast, player }
}
