/** Filters tracker and web-seed URLs taken from torrents and magnets (both untrusted). */

/** Tracker schemes we can use: HTTP(S) via the bridge or fetch, UDP via the bridge, WebSocket for WebRTC. */
export const TRACKER_PROTOCOLS: ReadonlySet<string> = new Set(['http:', 'https:', 'udp:', 'ws:', 'wss:'])
/** Web seeds (BEP 19) are plain HTTP servers. */
export const WEB_SEED_PROTOCOLS: ReadonlySet<string> = new Set(['http:', 'https:'])

/** Most trackers we keep from one torrent or magnet; more only adds announce load. */
export const MAX_TRACKERS = 200

/** Longest URL we keep; anything longer is junk or an attempt to bloat state. */
export const MAX_URL_LENGTH = 2048

/** Why `text` is not a usable URL of one of `protocols`, in words for the user; null when it is. */
function urlProblem(text: string, protocols: ReadonlySet<string>): string | null {
  const t = text.trim()
  if (t === '') return 'is empty'
  if (t.length > MAX_URL_LENGTH) return `is longer than ${MAX_URL_LENGTH} characters`
  let url: URL
  try {
    url = new URL(t)
  } catch {
    return 'is not a URL'
  }
  if (!protocols.has(url.protocol)) {
    const schemes = [...protocols].map((p) => `${p}//`)
    return `needs ${schemes.length > 1 ? `${schemes.slice(0, -1).join(', ')} or ${schemes.at(-1)}` : schemes[0]}`
  }
  if (url.hostname === '') return 'names no host'
  return null
}

function keepUrl(text: string, protocols: ReadonlySet<string>): string | null {
  return urlProblem(text, protocols) === null ? text.trim() : null
}

/** Why `text` cannot be a tracker URL (ws, wss, http, https or udp, with a host); null when it can. */
export function trackerUrlProblem(text: string): string | null {
  return urlProblem(text, TRACKER_PROTOCOLS)
}

function filter(urls: Iterable<string>, protocols: ReadonlySet<string>, max: number): string[] {
  const out: string[] = []
  const seen = new Set<string>()
  for (const raw of urls) {
    if (out.length >= max) break
    const url = keepUrl(raw, protocols)
    if (url !== null && !seen.has(url)) {
      seen.add(url)
      out.push(url)
    }
  }
  return out
}

/** Valid, deduplicated tracker URLs in their original order, at most `max`. */
export function trackerUrls(urls: Iterable<string>, max: number): string[] {
  return filter(urls, TRACKER_PROTOCOLS, max)
}

/** Valid, deduplicated web-seed URLs in their original order, at most `max`. */
export function webSeedUrls(urls: Iterable<string>, max: number): string[] {
  return filter(urls, WEB_SEED_PROTOCOLS, max)
}
