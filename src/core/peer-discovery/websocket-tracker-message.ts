/**
 * A message from a WebSocket tracker (webtorrent's signalling protocol: JSON with an `action`),
 * read once for every torrent on its shared socket: what it is, and which torrents it names. A
 * stranger's bytes: anything but an announce or scrape answer naming torrents comes out `dropped`
 * with a reason, and a message past MAX_TRACKER_MESSAGE_BYTES is never decoded nor parsed.
 *
 * Info-hashes are bittorrent-tracker's "binary strings": 20 characters, one per byte
 * (`hex2bin`, each code 0-255), which is what its client sends as `info_hash` and compares an
 * answer's `info_hash` (and a scrape answer's `files` keys) with.
 *
 * Our own: no library reads this protocol apart from bittorrent-tracker's client, which is what
 * parsed every message once per torrent; this decides what it is before any torrent sees it.
 */

/**
 * The largest message read. A browser WebSocket has no limit of its own, and bittorrent-tracker's
 * client decodes and JSON.parses whatever arrives, in each torrent's tracker on the socket. A real
 * answer is small: an announce answer carries at most one offer or answer (an SDP of 1-5 KiB), a
 * scrape answer under 200 bytes per torrent asked for (its binary key JSON-escaped, 3 counts):
 * 1,000 torrents in one scrape stay under 200 KiB. 1 MiB is 200 times the largest announce
 * answer, and bounds what one message costs the page past its arrival: a
 * bigger one is dropped unread (the browser has already received and kept it; nothing here can
 * help that).
 */
export const MAX_TRACKER_MESSAGE_BYTES = 1024 * 1024

export type DropReason = 'too large' | 'not JSON' | 'not an object' | 'unknown action' | 'no info_hash'

export type WebSocketTrackerMessage =
  | { kind: 'announce'; infoHash: string; message: Record<string, unknown> }
  /** `files` is the answer's (an object), `infoHashes` its keys that are info-hashes with an object as entry. */
  | { kind: 'scrape'; infoHashes: string[]; files: Record<string, unknown>; message: Record<string, unknown> }
  | { kind: 'dropped'; reason: DropReason }

const decoder = new TextDecoder() // as bittorrent-tracker's arr2text: UTF-8, bad bytes replaced

/** A message as simple-websocket hands it over (a Uint8Array; a string or ArrayBuffer in other set-ups). */
export function readWebSocketTrackerMessage(data: unknown): WebSocketTrackerMessage {
  const text = textOf(data)
  if (text === undefined) return { kind: 'dropped', reason: typeof data === 'string' || isBytes(data) ? 'too large' : 'not JSON' }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return { kind: 'dropped', reason: 'not JSON' }
  }
  if (!isRecord(value)) return { kind: 'dropped', reason: 'not an object' }
  const message = value
  if (message.action === 'announce') {
    return isBinaryInfoHash(message.info_hash) ? { kind: 'announce', infoHash: message.info_hash, message } : { kind: 'dropped', reason: 'no info_hash' }
  }
  if (message.action === 'scrape') {
    const files = message.files
    if (!isRecord(files)) return { kind: 'dropped', reason: 'no info_hash' }
    // bittorrent-tracker Object.assigns to each entry: one that is not an object would throw in the socket's emit
    const entries = files as Record<string, unknown>
    const infoHashes = Object.keys(entries).filter((key) => isBinaryInfoHash(key) && isRecord(entries[key]))
    if (infoHashes.length === 0) return { kind: 'dropped', reason: 'no info_hash' }
    return { kind: 'scrape', infoHashes, files: entries, message }
  }
  return { kind: 'dropped', reason: 'unknown action' }
}

/** 20 characters, each one byte (0-255): bittorrent-tracker's `_infoHashBinary`. */
export function isBinaryInfoHash(value: unknown): value is string {
  if (typeof value !== 'string' || value.length !== 20) return false
  for (let i = 0; i < 20; i++) if (value.charCodeAt(i) > 0xff) return false
  return true
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

/** The message's text, or `undefined` if it is too large or not text at all. */
function textOf(data: unknown): string | undefined {
  if (typeof data === 'string') return data.length > MAX_TRACKER_MESSAGE_BYTES ? undefined : data // its UTF-8 is at least as long
  if (!isBytes(data)) return undefined
  return data.byteLength > MAX_TRACKER_MESSAGE_BYTES ? undefined : decoder.decode(data as Uint8Array)
}

function isBytes(data: unknown): data is ArrayBuffer | ArrayBufferView {
  return data instanceof ArrayBuffer || ArrayBuffer.isView(data)
}
