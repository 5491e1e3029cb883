import { formatOrdinal } from '../core/format'
import type { TorrentSnapshot } from '../protocol/engine-events'

/** The state of a torrent in the user's words. */
export function stateLabel(torrent: TorrentSnapshot): string {
  switch (torrent.state) {
    case 'queued': return queuedLabel(torrent)
    case 'metadata': return 'Getting metadata'
    case 'choosing': return 'Waiting for you to choose files'
    case 'checking': return 'Checking'
    case 'downloading': return torrent.peers === 0 ? 'Downloading (looking for peers)' : 'Downloading'
    case 'seeding': return 'Seeding'
    case 'paused': return torrent.error ? `Paused: ${torrent.error.message}` : 'Paused'
    case 'done': return doneLabel(torrent)
    case 'error': return `Error: ${torrent.error?.message ?? 'unknown'}`
  }
}

/** The list is newest first, the queue oldest first: the place in line says what starts next. */
function queuedLabel({ queue }: TorrentSnapshot): string {
  if (!queue) return 'Queued'
  return `${queue.toSeed ? 'Queued to seed' : 'Queued'} (${formatOrdinal(queue.position)} in line)`
}

function doneLabel(torrent: TorrentSnapshot): string {
  switch (torrent.seedingGoal) {
    case 'ratio': return `Done: ratio goal reached (${torrent.ratio.toFixed(2)})`
    case 'time': return 'Done: seeding time goal reached'
    default: return 'Done'
  }
}
