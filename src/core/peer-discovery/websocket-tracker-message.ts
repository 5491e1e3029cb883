/**
 * A message from a WebSocket tracker (webtorrent's signalling protocol: JSON with an `action`),
 * read once for every torrent on its shared socket: what it is, and which torrents it names. A
 * stranger's bytes: anything but an announce or scrape answer naming torrents comes out `dropped`
 * with a reason.
 *
 * Info-hashes are bittorrent-tracker's "binary strings": 20 characters, one per byte
 * (`hex2bin`, each code 0-255), which is what its client sends as `info_hash` and compares an
 * answer's `info_hash` (and a scrape answer's `files` keys) with.
 *
 * Our own: no library reads this protocol apart from bittorrent-tracker's client, which is what
 * parsed every message once per torrent; this decides what it is before any torrent sees it.
 */

export type DropReason = 'not JSON' | 'not an object' | 'unknown action' | 'no info_hash'

export type WebSocketTrackerMessage =
  | { kind: 'announce'; infoHash: string; message: Record<string, unknown> }
  /** `files` is the answer's (an object), `infoHashes` its keys that are info-hashes with an object as entry. */
  | { kind: 'scrape'; infoHashes: string[]; files: Record<string, unknown>; message: Record<string, unknown> }
  | { kind: 'dropped'; reason: DropReason }

const decoder = new TextDecoder() // as bittorrent-tracker's arr2text: UTF-8, bad bytes replaced

/** A message as simple-websocket hands it over (a Uint8Array; a string or ArrayBuffer in other set-ups). */
export function readWebSocketTrackerMessage(data: unknown): WebSocketTrackerMessage {
  const text = textOf(data)
  if (text === undefined) return { kind: 'dropped', reason: 'not JSON' }
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

/** The message's text, or `undefined` if it is not text at all. */
function textOf(data: unknown): string | undefined {
  if (typeof data === 'string') return data
  return isBytes(data) ? decoder.decode(data as Uint8Array) : undefined
}

function isBytes(data: unknown): data is ArrayBuffer | ArrayBufferView {
  return data instanceof ArrayBuffer || ArrayBuffer.isView(data)
}
