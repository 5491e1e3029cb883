import type { TorrentSnapshot } from '../../protocol/engine-events'

/**
 * Whether a torrent's row offers "Why none?" (what the bridge can reach, with the help link): only
 * when it has no peer and wants data from one, Getting metadata or Downloading ("Looking for
 * peers"). A seed with no one to upload to is normal, not a problem to explain. "queued" with no
 * place in line is a download being (re)started: the link stays through that instead of vanishing
 * and coming back (a stall restart shows its former state anyway: stall.ts shownThroughRestart).
 */
export function offersWhyNone(torrent: Pick<TorrentSnapshot, 'state' | 'peers' | 'queue' | 'progress'>): boolean {
  if (torrent.peers > 0) return false
  if (torrent.state === 'downloading' || torrent.state === 'metadata') return true
  return torrent.state === 'queued' && !torrent.queue && torrent.progress < 1
}
