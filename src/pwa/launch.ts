import { parseAddInput, type AddInput } from '../core/add-input'
import type { AddOptions } from '../engine/engine'
import type { EngineApi as Engine } from '../engine/engine-api'
import { fetchTorrent } from '../engine/fetch-torrent'
import { t } from '../i18n/i18n'
import { AppError } from '../protocol/errors'
import { errorText } from '../ui/error-text'
import {
  MAGNET_QUERY, SHARE_INBOX_CACHE, SHARE_INBOX_PREFIX, SHARE_KIND_HEADER, SHARE_NAME_HEADER, SHARE_PATH, SHARE_QUERY,
} from '../protocol/sw-messages'

export type Report = (kind: 'error' | 'info', text: string) => void

interface LaunchParams { targetURL?: string; files: FileSystemFileHandle[] }
interface LaunchQueue { setConsumer(consumer: (params: LaunchParams) => void): void }

/**
 * How the app adds what the user typed or dropped (<bt-app>), so a launch adds it the same way:
 * per the setting "ask which files", a magnet waits for a choice once its metadata is here and a
 * .torrent with several files shows the add dialog first (null: the user cancelled it).
 */
export interface AddChooser {
  magnetOptions(): AddOptions
  torrentOptions(bytes: Uint8Array): Promise<AddOptions | null>
}

/**
 * Everything that opens the app with something to add: `/?magnet=` (protocol handler),
 * `/?share=<id>` (the service worker's share target inbox), `/share?text=` reached without the
 * service worker (first visit), and launchQueue (.torrent file handler; with
 * `launch_handler: focus-existing` also the URLs of launches into an already open window).
 */
export async function handleLaunches(engine: Engine, chooser: AddChooser, report: Report): Promise<void> {
  const adder = new Adder(engine, chooser, report)
  const launchQueue = (window as { launchQueue?: LaunchQueue }).launchQueue
  launchQueue?.setConsumer((params) => {
    for (const handle of params.files ?? []) void adder.addHandle(handle)
    // The URL of the first launch is this page's own URL, handled below.
    if (params.targetURL && params.targetURL !== window.location.href) void adder.addFromUrl(new URL(params.targetURL))
  })
  await adder.addFromUrl(new URL(window.location.href))
}

class Adder {
  constructor(private readonly engine: Engine, private readonly chooser: AddChooser, private readonly report: Report) {}

  async addFromUrl(url: URL): Promise<void> {
    const magnet = url.searchParams.get(MAGNET_QUERY)
    const share = url.searchParams.get(SHARE_QUERY)
    const clean = () => {
      if (url.href === window.location.href) window.history.replaceState(null, '', '/')
    }
    if (magnet) {
      clean()
      await this.addText(magnet)
    } else if (share) {
      clean()
      await this.addFromInbox(share)
    } else if (url.pathname === SHARE_PATH) {
      // No service worker yet: the server answered the share GET with the app itself.
      const text = ['text', 'url', 'title'].map((field) => url.searchParams.get(field) ?? '').join('\n')
      clean()
      if (text.trim()) await this.addText(text)
    }
  }

  async addHandle(handle: FileSystemFileHandle): Promise<void> {
    try {
      const file = await handle.getFile()
      await this.addFile(file.name, new Uint8Array(await file.arrayBuffer()))
    } catch (err) {
      this.report('error', t('launch.openFailed', { name: handle.name, reason: errorText(AppError.from(err)) }))
    }
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
        await this.addFile(name, new Uint8Array(await response.arrayBuffer()))
      } else {
        await this.addText(await response.text())
      }
    }
  }

  /** Shared text often wraps the link in words ("Look at this: magnet:?…"): take the link. */
  private async addText(text: string): Promise<void> {
    const candidate = /magnet:\?\S+/i.exec(text)?.[0] ?? /https?:\/\/\S+/i.exec(text)?.[0] ?? text.trim()
    let input: AddInput
    try {
      input = parseAddInput(candidate)
    } catch (err) {
      // the add box's own help, in the person's language; a broken magnet's reason names its field
      const error = AppError.from(err, 'BAD_INPUT')
      return this.report('error', error.code === 'BAD_INPUT' ? t('add.help') : error.message)
    }
    try {
      if (input.kind === 'magnet') await this.engine.add({ kind: 'magnet', magnet: input.magnet }, this.chooser.magnetOptions())
      else await this.addTorrent(await fetchTorrent(input.url))
    } catch (err) {
      this.report('error', errorText(AppError.from(err, 'BAD_INPUT')))
    }
  }

  private async addFile(name: string, bytes: Uint8Array): Promise<void> {
    try {
      await this.addTorrent(bytes, name)
    } catch (err) {
      this.report('error', t('notice.fileFailed', { name, reason: errorText(AppError.from(err, 'BAD_TORRENT')) }))
    }
  }

  private async addTorrent(bytes: Uint8Array, fileName?: string): Promise<void> {
    const options = await this.chooser.torrentOptions(bytes)
    if (options) await this.engine.add(fileName ? { kind: 'file', bytes, fileName } : { kind: 'file', bytes }, options)
  }
}
