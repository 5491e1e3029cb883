import type { TorrentSnapshot } from '../protocol/engine-events'

/** The state of a torrent in the user's words. */
export function stateLabel(torrent: TorrentSnapshot): string {
  switch (torrent.state) {
    case 'queued': return 'Queued'
    case 'metadata': return 'Getting metadata'
    case 'choosing': return 'Waiting for you to choose files'
    case 'checking': return 'Checking'
    case 'downloading': return torrent.peers === 0 ? 'Downloading (looking for peers)' : 'Downloading'
    case 'seeding': return 'Seeding'
    case 'paused': return torrent.error ? `Paused: ${torrent.error.message}` : 'Paused'
    case 'done': return 'Done'
    case 'error': return `Error: ${torrent.error?.message ?? 'unknown'}`
  }
}
