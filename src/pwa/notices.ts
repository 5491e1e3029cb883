import { coalescedUpdate } from '../core/download-manager/coalesced-update'
import type { EngineApi } from '../engine/download-manager/engine-api'
import { t } from '../i18n/i18n'
import type { TorrentSnapshot } from '../protocol/engine-events'

const ASKED_KEY = 'torrent-web:notifications-asked'

type Badging = Navigator & { setAppBadge?: (n?: number) => Promise<void>; clearAppBadge?: () => Promise<void> }

/** Torrents still fetching: what the badge counts and the title's progress covers. */
function active(torrents: TorrentSnapshot[]): TorrentSnapshot[] {
  return torrents.filter((t) => t.state === 'downloading' || t.state === 'metadata')
}

/** Pure: the page title for a list of torrents ("42% · Torrent Web" while downloading). */
export function progressTitle(torrents: TorrentSnapshot[], base: string): string {
  const downloading = active(torrents)
  // downloaded counts the wanted files only, and never passes wantedLength (core/download-manager/progress.ts)
  const length = downloading.reduce((sum, t) => sum + t.wantedLength, 0)
  if (!downloading.length || !length) return base
  const downloaded = downloading.reduce((sum, t) => sum + t.downloaded, 0)
  return `${Math.floor((downloaded / length) * 100)}% · ${base}`
}

/**
 * Notices outside the page: a notification when a download finishes (permission asked when the
 * user first adds a torrent, never at load), the app badge (number of active downloads, where the
 * browser has one), and the page title (overall progress). `notify`: only the tab that runs the
 * engine notifies, so two tabs do not notify twice.
 */
export function startNotices(engine: EngineApi, options: { notify: boolean }): () => void {
  const base = document.title
  // Only downloads seen unfinished in this session notify: a restart re-checks finished torrents.
  const unfinished = new Set<string>()
  let badge = -1
  const markUnfinished = (t: TorrentSnapshot) => {
    // at once, not in the coalesced update: a 'done' in the same task must still notify
    if (t.progress < 1 && t.state !== 'error') unfinished.add(t.infoHash)
  }
  const update = (torrents: TorrentSnapshot[]) => {
    for (const t of torrents) markUnfinished(t)
    // Only when it changes: each assignment costs the browser a title update, every tick.
    const title = progressTitle(torrents, base)
    if (document.title !== title) document.title = title
    const count = active(torrents).length
    if (count === badge) return
    badge = count
    const nav = navigator as Badging
    const done = count ? nav.setAppBadge?.(count) : nav.clearAppBadge?.()
    done?.catch(() => {}) // not installed, or no badge on this platform
  }
  // 'added' and 'removed' come once per torrent: one update in the next task covers a bulk add
  const listUpdate = coalescedUpdate(() => update(engine.list()))
  update(engine.list())
  const off = engine.on((event) => {
    switch (event.type) {
      case 'added':
        askPermission()
        markUnfinished(event.torrent)
        listUpdate.request()
        break
      case 'progress': update(event.torrents); break
      case 'removed': unfinished.delete(event.infoHash); listUpdate.request(); break
      case 'done':
        listUpdate.request()
        if (options.notify && unfinished.delete(event.torrent.infoHash)) void notifyDone(event.torrent)
        break
      default: break
    }
  })
  return () => {
    off()
    listUpdate.cancel()
  }
}

/** Called on the user's add: once ever, and only while the browser has not been told yet. */
let permissionAsked = false

function askPermission(): void {
  // once per page: each look costs a storage read and a permission query, and 1,000 files
  // dropped at once made 1,000 'added' events, 0.3 s of one task (issue 17's profile)
  if (permissionAsked) return
  permissionAsked = true
  if (!('Notification' in window) || Notification.permission !== 'default') return
  if (localStorage.getItem(ASKED_KEY)) return
  localStorage.setItem(ASKED_KEY, String(Date.now()))
  void Notification.requestPermission().catch(() => {})
}

async function notifyDone(torrent: TorrentSnapshot): Promise<void> {
  if (!('Notification' in window) || Notification.permission !== 'granted') return
  const title = t('notify.done')
  const options: NotificationOptions = { body: torrent.name, tag: `done-${torrent.infoHash}`, icon: '/icon-192.png', data: { infoHash: torrent.infoHash } }
  try {
    // Through the service worker where there is one: the only way on Android, and a click focuses the app.
    const registration = await navigator.serviceWorker?.getRegistration()
    if (registration) return await registration.showNotification(title, options)
    new Notification(title, options)
  } catch {
    // Notifications blocked by the platform: the list and the title still say it.
  }
}
