/**
 * Headers the static server sends with every response (issue 13). The Content-Security-Policy is
 * what the built app needs and no more, checked in Chromium 156 by the browser tests, which fail
 * on any violation (test/e2e/harness.ts, expectNoCspViolations):
 */
const CSP_DIRECTIVES: readonly (readonly [string, string])[] = [
  // anything not named below: this origin only
  ['default-src', "'self'"],
  // the built modules only: no inline script, no eval. No 'wasm-unsafe-eval': the browser build
  // holds no WebAssembly (the bridge's RC4 in WebAssembly runs in Node, where no CSP applies)
  ['script-src', "'self'"],
  // Lit's styles are constructed style sheets (adoptedStyleSheets), which CSP does not govern;
  // progress bars set their width through styleMap (CSSOM), not a style attribute, and the
  // page's palette is a file, not an inline <style>: so no 'unsafe-inline'
  ['style-src', "'self'"],
  // the parse, storage and create workers, the bridge socket's worker (which holds the page's
  // WebSocket to the bridge) and the service worker, all files of this origin
  ['worker-src', "'self'"],
  // trackers are WebSocket URLs on any host; "add by URL" fetches a .torrent from any http(s)
  // host; the bridge is this origin's ws: (opened in the bridge socket's worker, whose script
  // this server sends with this same policy). WebRTC (peers) is not governed by connect-src.
  ['connect-src', "'self' ws: wss: http: https:"],
  // "Play" shows images, audio and video from the service worker's /stream/ URLs on this
  // origin; subtitles are blob: URLs made in the page from the .srt or .vtt file
  ['img-src', "'self'"],
  ['media-src', "'self' blob:"],
  ['object-src', "'none'"],
  ['base-uri', "'none'"],
  // the app's forms are handled in script; a form may post only to this origin (the share
  // target's /share, which the tests post from a page as the share sheet would)
  ['form-action', "'self'"],
  ['frame-src', "'none'"],
  // no page may frame the app (clickjacking: "Remove and delete data" is one click away)
  ['frame-ancestors', "'none'"],
]

export const CONTENT_SECURITY_POLICY = CSP_DIRECTIVES.map(([name, value]) => `${name} ${value}`).join('; ')

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  // a file is what its content-type says, never sniffed into a script or a page
  'x-content-type-options': 'nosniff',
  // frame-ancestors for browsers that predate it
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
}

/** Whether a request path asks for a source map (after decoding, as the file server decodes it). */
export function isSourceMapPath(path: string): boolean {
  let decoded: string
  try {
    decoded = decodeURIComponent(path)
  } catch {
    return false // not a path the file server can serve either
  }
  return decoded.toLowerCase().endsWith('.map')
}
