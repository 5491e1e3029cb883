/**
 * The trackers announced to for every torrent, as an operator (`--trackers`) or a user (Settings)
 * typed them: ws:// and wss:// ones go to webtorrent in the page, http(s):// and udp:// ones to the
 * bridge. Unlike URLs taken from torrents, a bad one is reported, not dropped in silence.
 */
import { MAX_URL_BYTES } from '../../protocol/bridge-frames'
import { trackerUrlProblem } from '../torrent-parser/urls'

export interface BadTracker {
  /** 1-based position among the entries given (the line, in a text area). */
  line: number
  url: string
  /** Why, in words that follow the URL: `"x" is not a URL`. */
  reason: string
}

export interface TrackerList {
  /** The valid ones, trimmed and deduplicated, in order. */
  trackers: string[]
  bad: BadTracker[]
}

/** Checks each entry; blank ones are skipped but still counted, so `line` matches what the user sees. */
export function parseTrackerList(entries: readonly string[]): TrackerList {
  const trackers: string[] = []
  const bad: BadTracker[] = []
  entries.forEach((entry, i) => {
    const url = entry.trim()
    if (url === '') return
    // the bridge's announce frame carries URLs up to this size; a longer one would be dropped there
    const reason = trackerUrlProblem(url) ?? (new TextEncoder().encode(url).length > MAX_URL_BYTES ? `is longer than ${MAX_URL_BYTES} bytes` : null)
    if (reason) bad.push({ line: i + 1, url, reason })
    else if (!trackers.includes(url)) trackers.push(url)
  })
  return { trackers, bad }
}

/** The Settings text area's lines; `error` names every bad line, or is null. */
export function parseTrackerLines(text: string): { trackers: string[]; error: string | null } {
  const { trackers, bad } = parseTrackerList(text.split('\n'))
  const error = bad.length ? bad.map((b) => `Line ${b.line}: "${b.url}" ${b.reason}.`).join(' ') : null
  return { trackers, error }
}
