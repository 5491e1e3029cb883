/**
 * The fetch() bittorrent-tracker's HTTP announces get in the compiled server (it stands in for
 * cross-fetch-ponyfill there; scripts/build-server.mjs): a GET over node:http(s). Node's own fetch
 * loads undici and compiles its WebAssembly HTTP parser on first use, which cost the bridge 18 MB
 * of RSS for good and a 40 MB spike at its first announce. It does only what http-tracker.js uses
 * (status, arrayBuffer(), body.on, signal, headers), and unlike Node's it follows no redirect: a
 * redirect could point past the address check the announcer made (bridge/policy.ts).
 */
import http from 'node:http'
import https from 'node:https'

/** Peer lists are 6 bytes a peer: a tracker answer beyond this is not one. */
export const MAX_TRACKER_RESPONSE_BYTES = 1024 * 1024

export interface TrackerFetchInit {
  signal?: AbortSignal
  headers?: Record<string, string>
}

export interface TrackerResponse {
  status: number
  body: http.IncomingMessage
  /** The whole body; empty when it failed midway (the body's 'error' says why). */
  arrayBuffer(): Promise<ArrayBuffer>
}

export function fetch(url: string, init: TrackerFetchInit = {}): Promise<TrackerResponse> {
  return new Promise((resolve, reject) => {
    const get = new URL(url).protocol === 'https:' ? https.get : http.get
    const request = get(url, { headers: init.headers ?? {}, ...(init.signal ? { signal: init.signal } : {}) }, (res) => {
      const body = new Promise<ArrayBuffer>((done) => {
        const chunks: Buffer[] = []
        let size = 0
        res.on('data', (chunk: Buffer) => {
          size += chunk.length
          if (size > MAX_TRACKER_RESPONSE_BYTES) res.destroy(new Error(`the tracker's answer is over ${MAX_TRACKER_RESPONSE_BYTES} bytes`))
          else chunks.push(chunk)
        })
        res.on('end', () => {
          const all = Buffer.concat(chunks)
          done(all.buffer.slice(all.byteOffset, all.byteOffset + all.length) as ArrayBuffer)
        })
        // resolves empty rather than rejecting: http-tracker.js awaits this outside any try
        res.on('error', () => done(new ArrayBuffer(0)))
        res.on('aborted', () => done(new ArrayBuffer(0)))
      })
      resolve({ status: res.statusCode ?? 0, body: res, arrayBuffer: () => body })
    })
    request.on('error', reject)
  })
}

export default fetch
