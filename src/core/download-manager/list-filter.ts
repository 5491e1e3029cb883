import type { TorrentSnapshot } from '../../protocol/engine-events'

/**
 * The torrent list's filters, as qBittorrent's sidebar has them (fewer): what is still coming,
 * what is going out, what is complete, what the user stopped, what went wrong.
 */
export const LIST_FILTERS = ['all', 'downloading', 'seeding', 'completed', 'paused', 'errors'] as const
export type ListFilter = (typeof LIST_FILTERS)[number]

type Row = Pick<TorrentSnapshot, 'state' | 'progress' | 'queue' | 'error'>

export function matchesFilter(t: Row, filter: ListFilter): boolean {
  switch (filter) {
    case 'all': return true
    // still to come: waiting in line to download, getting metadata, choosing files, checking or downloading
    case 'downloading': return t.progress < 1 && (t.state === 'metadata' || t.state === 'choosing' || t.state === 'checking'
      || t.state === 'downloading' || (t.state === 'queued' && !t.queue?.toSeed))
    case 'seeding': return t.state === 'seeding' || (t.state === 'queued' && Boolean(t.queue?.toSeed))
    case 'completed': return t.progress >= 1
    case 'paused': return t.state === 'paused'
    case 'errors': return t.state === 'error' || Boolean(t.error)
  }
}

export function filterCounts(list: readonly Row[]): Record<ListFilter, number> {
  const counts = Object.fromEntries(LIST_FILTERS.map((f) => [f, 0])) as Record<ListFilter, number>
  for (const t of list) for (const f of LIST_FILTERS) if (matchesFilter(t, f)) counts[f]++
  return counts
}

/** Every word of `query` in `name`, ignoring case and accents ("amelie" finds "Amélie"). */
export function matchesSearch(name: string, query: string): boolean {
  const fold = (s: string) => s.normalize('NFD').replace(/\p{Diacritic}/gu, '').toLowerCase()
  const hay = fold(name)
  return fold(query).split(/\s+/).filter(Boolean).every((word) => hay.includes(word))
}

/** Download and upload speed of the whole list, bytes per second. */
export function totalSpeeds(list: readonly Pick<TorrentSnapshot, 'downloadSpeed' | 'uploadSpeed'>[]): { down: number; up: number } {
  let down = 0
  let up = 0
  for (const t of list) {
    down += t.downloadSpeed
    up += t.uploadSpeed
  }
  return { down, up }
}
