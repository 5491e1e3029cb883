import type { Engine } from '../engine/download-manager/engine'
import type { StreamReply, StreamRequest, SwToPage } from '../protocol/sw-messages'
import { contentType } from './media-types'
import { resolveRange } from './range'

/**
 * The page's end of the service worker's stream route: answers each range request with the
 * engine's stream of those bytes, transferred to the worker (ReadableStream is transferable in
 * Chromium, so no byte crosses as a message of its own).
 */
export function serveStreams(engine: Engine | undefined): void {
  if (!('serviceWorker' in navigator)) return
  navigator.serviceWorker.addEventListener('message', (event: MessageEvent<SwToPage>) => {
    const message = event.data
    const port = event.ports[0]
    if (message?.type !== 'stream-request' || !port) return
    const { reply, transfer } = answer(engine, message)
    try {
      port.postMessage(reply, transfer)
    } catch (err) {
      // A browser that cannot transfer streams: say so rather than leave the request hanging.
      port.postMessage({ type: 'stream-reply', ok: false, status: 500, message: `Streaming is not supported here: ${String(err)}` } satisfies StreamReply)
    }
    port.close()
  })
  // Messages queued while the page was loading are delivered only once this is called.
  navigator.serviceWorker.startMessages()
}

function answer(engine: Engine | undefined, request: StreamRequest): { reply: StreamReply; transfer: Transferable[] } {
  const fail = (status: 404 | 416 | 500, message: string, length?: number) =>
    ({ reply: { type: 'stream-reply', ok: false, status, message, ...(length !== undefined ? { length } : {}) } satisfies StreamReply, transfer: [] })
  // A tab that mirrors another tab's engine says "not here" at once: the worker asks the next.
  if (!engine) return fail(404, 'This tab does not run the engine.')
  const info = engine.streamInfo(request.infoHash, request.fileIndex)
  if (!info) return fail(404, 'That file is not in the list (or its torrent has no metadata yet).')
  const range = resolveRange(request.range, info.length)
  if (range.kind === 'unsatisfiable') return fail(416, 'Range not satisfiable.', info.length)
  const type = contentType(info.name)
  const status = range.kind === 'partial' ? 206 : 200
  let body: ReadableStream<Uint8Array>
  if (info.length === 0) {
    body = new ReadableStream({ start: (controller) => controller.close() })
  } else {
    try {
      body = engine.fileStream(request.infoHash, request.fileIndex, range.start, range.end)
    } catch (err) {
      return fail(404, err instanceof Error ? err.message : String(err))
    }
  }
  return {
    reply: { type: 'stream-reply', ok: true, status, length: info.length, start: range.start, end: Math.max(range.end, range.start - 1), name: info.name, contentType: type, body },
    transfer: [body as unknown as Transferable],
  }
}
