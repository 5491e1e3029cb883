/// <reference lib="WebWorker" />
/**
 * The app's service worker, its HTTP front door:
 * - precache: the built app shell (injected by vite-plugin-pwa), so the app opens offline;
 *   a new build waits until the user picks "Reload to update" (no skipWaiting by itself);
 * - share target: GET /share?text|url (a magnet) and POST /share (multipart .torrent files)
 *   park the payload in a Cache and 303-redirect to /?share=<id>, where the app adds it;
 * - stream route: /stream/<infoHash>/<fileIndex>/<name> answers Range requests from the
 *   engine in the page (see handleStream).
 */
import { clientsClaim } from 'workbox-core'
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching'
import { NavigationRoute, registerRoute } from 'workbox-routing'
import { NetworkFirst } from 'workbox-strategies'
import { RUNTIME_CONFIG_PATH } from '../src/protocol/runtime-config'
import {
  SHARE_FILES_FIELD, SHARE_INBOX_CACHE, SHARE_INBOX_PREFIX, SHARE_KIND_HEADER, SHARE_NAME_HEADER, SHARE_PATH,
  SHARE_QUERY, STREAM_PREFIX, type PageToSw, type StreamReply, type StreamRequest, type Version,
} from '../src/protocol/sw-messages'

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: (string | { url: string; revision: string | null })[] }
/** Set at build time (vite `define`, from APP_BUILD_ID): a different value is a different SW. */
declare const __APP_BUILD__: string

/** How long the page may take to start answering a stream request. */
const STREAM_REPLY_TIMEOUT_MS = 15_000

precacheAndRoute(self.__WB_MANIFEST)
cleanupOutdatedCaches()
// The first install takes the open page at once (so streaming works on the first visit);
// later versions wait for the user's "Reload to update".
clientsClaim()

self.addEventListener('message', (event: ExtendableMessageEvent) => {
  const message = event.data as PageToSw | undefined
  if (message?.type === 'skip-waiting') void self.skipWaiting()
  if (message?.type === 'get-version') {
    const reply: Version = { type: 'version', build: __APP_BUILD__ }
    if (event.ports[0]) event.ports[0].postMessage(reply)
    else (event.source as Client | null)?.postMessage(reply)
  }
})

// ---- share target -------------------------------------------------------------------------
registerRoute(({ url, sameOrigin }) => sameOrigin && url.pathname === SHARE_PATH, ({ request, url }) => handleShare(request, url), 'POST')
registerRoute(({ url, sameOrigin }) => sameOrigin && url.pathname === SHARE_PATH, ({ request, url }) => handleShare(request, url), 'GET')

async function handleShare(request: Request, url: URL): Promise<Response> {
  const id = crypto.randomUUID()
  const cache = await caches.open(SHARE_INBOX_CACHE)
  const texts: string[] = []
  let n = 0
  const put = (body: BodyInit, headers: Record<string, string>) =>
    cache.put(new URL(`${SHARE_INBOX_PREFIX}${id}/${n++}`, self.location.origin).href, new Response(body, { headers }))
  if (request.method === 'POST') {
    const form = await request.formData().catch(() => new FormData())
    for (const value of form.getAll(SHARE_FILES_FIELD)) {
      if (typeof value === 'string') continue
      await put(value, { [SHARE_KIND_HEADER]: 'file', [SHARE_NAME_HEADER]: encodeURIComponent(value.name), 'content-type': 'application/x-bittorrent' })
    }
    for (const field of ['text', 'url', 'title']) {
      const value = form.get(field)
      if (typeof value === 'string' && value.trim()) texts.push(value)
    }
  } else {
    for (const field of ['text', 'url', 'title']) {
      const value = url.searchParams.get(field)
      if (value?.trim()) texts.push(value)
    }
  }
  if (texts.length) await put(texts.join('\n'), { [SHARE_KIND_HEADER]: 'text', 'content-type': 'text/plain; charset=utf-8' })
  return Response.redirect(new URL(`/?${SHARE_QUERY}=${id}`, self.location.origin).href, 303)
}

// ---- stream route -------------------------------------------------------------------------
/*
 * Why our own route over the engine's file stream, not webtorrent's stream server
 * (`client.createServer({ controller })`): that server needs webtorrent's own service worker
 * (sw.min.js) on its own scope and pulls every chunk with a postMessage round trip, whereas a
 * page gets one service worker per scope and ours already owns the front door (precache,
 * share target). Here one typed message asks the page for a byte range and the page transfers
 * back webtorrent's own ReadableStream (file.stream(), which makes the pieces it waits for
 * `critical`): bytes flow with the stream's back-pressure and no per-chunk messages, and a
 * cancelled request (a seek) cancels the stream, which deprioritises what it no longer needs.
 * It also keys files by our info hash (magnets learn webtorrent's late) and stays typed.
 */
registerRoute(({ url, sameOrigin }) => sameOrigin && url.pathname.startsWith(STREAM_PREFIX), ({ request, url, event }) =>
  handleStream(request, url, (event as FetchEvent).clientId), 'GET')

async function handleStream(request: Request, url: URL, clientId: string): Promise<Response> {
  const [infoHash = '', index = ''] = url.pathname.slice(STREAM_PREFIX.length).split('/')
  const fileIndex = Number(index)
  if (!/^[0-9a-f]{40}$/.test(infoHash) || !Number.isInteger(fileIndex) || fileIndex < 0) return text(404, 'No such stream.')
  const message: StreamRequest = { type: 'stream-request', infoHash, fileIndex, range: request.headers.get('range') }
  for (const client of await candidateClients(clientId)) {
    const reply = await ask(client, message)
    if (!reply) continue
    if (!reply.ok) {
      if (reply.status === 404) continue // another window may have it
      const headers: Record<string, string> = reply.length !== undefined ? { 'content-range': `bytes */${reply.length}` } : {}
      return text(reply.status, reply.message, headers)
    }
    const headers = new Headers({
      'content-type': reply.contentType,
      'content-length': String(reply.end - reply.start + 1),
      'accept-ranges': 'bytes',
      'cache-control': 'no-store',
      'content-disposition': `inline; filename*=UTF-8''${encodeURIComponent(reply.name)}`,
    })
    if (reply.status === 206) headers.set('content-range', `bytes ${reply.start}-${reply.end}/${reply.length}`)
    return new Response(reply.body, { status: reply.status, headers })
  }
  return text(404, 'That file is not open in this app: open the app and press Play again.')
}

/** The requesting page first (a <video> element's own document), then every other window. */
async function candidateClients(clientId: string): Promise<Client[]> {
  const all = await self.clients.matchAll({ type: 'window' })
  const own = clientId ? all.filter((c) => c.id === clientId) : []
  return [...own, ...all.filter((c) => c.id !== clientId)]
}

function ask(client: Client, message: StreamRequest): Promise<StreamReply | undefined> {
  return new Promise((resolve) => {
    const channel = new MessageChannel()
    const timer = setTimeout(() => resolve(undefined), STREAM_REPLY_TIMEOUT_MS)
    channel.port1.onmessage = (event: MessageEvent<StreamReply>) => {
      clearTimeout(timer)
      channel.port1.close()
      resolve(event.data)
    }
    client.postMessage(message, [channel.port2])
  })
}

function text(status: number, body: string, headers: Record<string, string> = {}): Response {
  return new Response(body, { status, headers: { 'content-type': 'text/plain; charset=utf-8', ...headers } })
}

// ---- runtime config and the app shell -----------------------------------------------------
// The server's configuration (loopback trackers in tests, a user's own elsewhere): fresh when
// online, the last one seen when offline.
registerRoute(({ url, sameOrigin }) => sameOrigin && url.pathname === RUNTIME_CONFIG_PATH,
  new NetworkFirst({ cacheName: 'runtime-config', networkTimeoutSeconds: 3 }))

// Every other navigation inside the app gets the precached shell (the app routes by query).
registerRoute(new NavigationRoute(createHandlerBoundToURL('/index.html'), {
  denylist: [new RegExp(`^${STREAM_PREFIX}`), new RegExp(`^${SHARE_PATH}$`), /^\/bridge/],
}))

// ---- notifications ------------------------------------------------------------------------
// "Download finished": a click brings the app to the front (or opens it).
self.addEventListener('notificationclick', (event: NotificationEvent) => {
  event.notification.close()
  event.waitUntil((async () => {
    const [client] = await self.clients.matchAll({ type: 'window', includeUncontrolled: true })
    if (client) await (client as WindowClient).focus()
    else await self.clients.openWindow('/')
  })())
})
