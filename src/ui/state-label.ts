import { formatRatio, t } from '../i18n/i18n'
import type { TorrentSnapshot } from '../protocol/engine-events'
import { errorText } from './error-text'

/** The state of a torrent in the user's words. */
export function stateLabel(torrent: TorrentSnapshot): string {
  switch (torrent.state) {
    case 'queued': return queuedLabel(torrent)
    case 'metadata': return t('state.metadata')
    case 'choosing': return t('state.choosing')
    case 'checking': return t('state.checking')
    case 'downloading': return torrent.peers === 0 ? t('state.lookingForPeers') : t('state.downloading')
    case 'seeding': return t('state.seeding')
    case 'paused': return torrent.error ? t('state.pausedBecause', { reason: errorText(torrent.error) }) : t('state.paused')
    case 'done': return doneLabel(torrent)
    case 'error': return t('state.error', { reason: torrent.error ? errorText(torrent.error) : t('state.unknownError') })
  }
}

/** The list is newest first, the queue oldest first: the place in line says what starts next. */
function queuedLabel({ queue }: TorrentSnapshot): string {
  if (!queue) return t('state.queued')
  return t(queue.toSeed ? 'state.queuedToSeedInLine' : 'state.queuedInLine', { position: queue.position })
}

function doneLabel(torrent: TorrentSnapshot): string {
  switch (torrent.seedingGoal) {
    case 'ratio': return t('state.ratioGoal', { ratio: formatRatio(torrent.ratio) })
    case 'time': return t('state.timeGoal')
    default: return t('state.done')
  }
}
