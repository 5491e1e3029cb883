/**
 * Messages between the page and the service worker (`sw/sw.ts`), and the URLs the service
 * worker answers. Types and constants only: both realms import this file.
 */

/** `/stream/<infoHash>/<fileIndex>/<name>`: a torrent file over HTTP, with Range support. */
export const STREAM_PREFIX = '/stream/'
/** The manifest's share target (GET: `text`/`url`/`title`; POST multipart: `torrents` files). */
export const SHARE_PATH = '/share'
/** The form field that carries shared .torrent files (manifest `share_target.params.files`). */
export const SHARE_FILES_FIELD = 'torrents'
/** Cache the service worker parks shared payloads in until the app picks them up. */
export const SHARE_INBOX_CACHE = 'share-inbox'
/** Keys in SHARE_INBOX_CACHE: `/share-inbox/<id>/<n>`. */
export const SHARE_INBOX_PREFIX = '/share-inbox/'
/** The app URL the service worker 303-redirects a share to: `/?share=<id>`. */
export const SHARE_QUERY = 'share'
/** `protocol_handlers` / registerProtocolHandler target: `/?magnet=%s`. */
export const MAGNET_QUERY = 'magnet'
/** Header on an inbox entry: 'text' (shared text/url/title joined) or 'file' (a .torrent). */
export const SHARE_KIND_HEADER = 'x-share-kind'
/** Header on a file inbox entry: its file name, URI-encoded. */
export const SHARE_NAME_HEADER = 'x-share-name'

/** SW -> page, over a MessageChannel whose port 2 travels with it: "answer this range request". */
export interface StreamRequest {
  type: 'stream-request'
  infoHash: string
  fileIndex: number
  /** The request's Range header, verbatim, or null. */
  range: string | null
}

/** Page -> SW, on the request's port. The body stream is transferred, not copied. */
export type StreamReply =
  | {
    type: 'stream-reply'
    ok: true
    /** 200 (no Range) or 206. */
    status: 200 | 206
    /** Total file length. */
    length: number
    /** First and last byte (inclusive) of the body. */
    start: number
    end: number
    name: string
    contentType: string
    body: ReadableStream<Uint8Array>
  }
  | { type: 'stream-reply'; ok: false; status: 404 | 416 | 500; message: string; length?: number }

/** Page -> SW: the user chose "Reload to update". */
export interface SkipWaiting { type: 'skip-waiting' }

/** Page -> SW: the build the page runs (answered with the SW's own, for diagnostics and tests). */
export interface GetVersion { type: 'get-version' }
export interface Version { type: 'version'; build: string }

export type PageToSw = SkipWaiting | GetVersion
export type SwToPage = StreamRequest | Version
