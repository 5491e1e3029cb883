/** Classifies what the user pasted into the "Magnet link, info hash or torrent URL" box. */
import { AppError } from '../../protocol/errors'
import { parseInfoHash, parseMagnet, type MagnetLink } from './magnet'

export type AddInput = { kind: 'magnet'; magnet: MagnetLink } | { kind: 'url'; url: string }

const HELP = 'Paste a magnet link (magnet:?xt=…), a 40-character info hash, or the http(s) address of a .torrent file.'

/** Throws AppError('BAD_MAGNET') for a broken magnet link and AppError('BAD_INPUT') for anything unrecognised. */
export function parseAddInput(text: string): AddInput {
  const t = text.trim()
  if (/^magnet:/i.test(t)) return { kind: 'magnet', magnet: parseMagnet(t) }
  const infoHash = parseInfoHash(t)
  if (infoHash) return { kind: 'magnet', magnet: { infoHash, trackers: [], webSeeds: [], peers: [] } }
  if (/^https?:\/\//i.test(t)) {
    try {
      const url = new URL(t)
      if ((url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '') return { kind: 'url', url: url.href }
    } catch {
      // fall through to the help message: the address is malformed
    }
  }
  throw new AppError('BAD_INPUT', HELP)
}
