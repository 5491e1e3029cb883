import type { EngineApi as Engine } from '../engine/download-manager/engine-api'
import { AddFlow, type AddChooser, type Report } from '../engine/download-manager/add-flow'
import { errorText } from '../i18n/error-text'
import { t } from '../i18n/i18n'
import { AppError } from '../protocol/errors'
import {
  MAGNET_QUERY, SHARE_INBOX_CACHE, SHARE_INBOX_PREFIX, SHARE_KIND_HEADER, SHARE_NAME_HEADER, SHARE_PATH, SHARE_QUERY,
} from '../protocol/sw-messages'

interface LaunchParams { targetURL?: string; files: FileSystemFileHandle[] }
interface LaunchQueue { setConsumer(consumer: (params: LaunchParams) => void): void }

/**
 * Everything that opens the app with something to add: `/?magnet=` (protocol handler),
 * `/?share=<id>` (the service worker's share target inbox), `/share?text=` reached without the
 * service worker (first visit), and launchQueue (.torrent file handler; with
 * `launch_handler: focus-existing` also the URLs of launches into an already open window), each
 * added by the app's one add flow (engine/download-manager/add-flow.ts), reported in the toast.
 */
export async function handleLaunches(engine: Engine, chooser: AddChooser, report: Report): Promise<void> {
  const adder = new Adder(new AddFlow({ engine: () => engine, chooser, report }), report)
  const launchQueue = (window as { launchQueue?: LaunchQueue }).launchQueue
  launchQueue?.setConsumer((params) => {
    for (const handle of params.files ?? []) void adder.addHandle(handle)
    // The URL of the first launch is this page's own URL, handled below.
    if (params.targetURL && params.targetURL !== window.location.href) void adder.addFromUrl(new URL(params.targetURL))
  })
  await adder.addFromUrl(new URL(window.location.href))
}

class Adder {
  constructor(private readonly flow: AddFlow, private readonly report: Report) {}

  async addFromUrl(url: URL): Promise<void> {
    const magnet = url.searchParams.get(MAGNET_QUERY)
    const share = url.searchParams.get(SHARE_QUERY)
    const clean = () => {
      if (url.href === window.location.href) window.history.replaceState(null, '', '/')
    }
    if (magnet) {
      clean()
      await this.flow.addSharedText(magnet)
    } else if (share) {
      clean()
      await this.addFromInbox(share)
    } else if (url.pathname === SHARE_PATH) {
      // No service worker yet: the server answered the share GET with the app itself.
      const text = ['text', 'url', 'title'].map((field) => url.searchParams.get(field) ?? '').join('\n')
      clean()
      if (text.trim()) await this.flow.addSharedText(text)
    }
  }

  async addHandle(handle: FileSystemFileHandle): Promise<void> {
    let file: File
    try {
      file = await handle.getFile()
    } catch (err) {
      return this.report('error', t('launch.openFailed', { name: handle.name, reason: errorText(AppError.from(err)) }))
    }
    await this.flow.addFiles([file])
  }

  private async addFromInbox(id: string): Promise<void> {
    if (!('caches' in window) || !/^[\w-]+$/.test(id)) return
    const cache = await caches.open(SHARE_INBOX_CACHE)
    const prefix = new URL(`${SHARE_INBOX_PREFIX}${id}/`, window.location.origin).href
    const requests = (await cache.keys()).filter((request) => request.url.startsWith(prefix))
    if (!requests.length) return this.report('error', t('launch.shareGone'))
    for (const request of requests) {
      const response = await cache.match(request)
      await cache.delete(request)
      if (!response) continue
      if (response.headers.get(SHARE_KIND_HEADER) === 'file') {
        const name = decodeURIComponent(response.headers.get(SHARE_NAME_HEADER) ?? 'shared.torrent')
        await this.flow.addFileBytes(name, new Uint8Array(await response.arrayBuffer()))
      } else {
        await this.flow.addSharedText(await response.text())
      }
    }
  }
}
