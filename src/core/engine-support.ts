/**
 * What the engine cannot run yet, said where a torrent is added: the parsers read BitTorrent v2
 * (BEP 52) torrents and magnet links whole, but the engine downloads only through v1, so a hybrid
 * torrent runs on its v1 half and a v2-only one is refused (issue 16: the v2 engine comes next).
 */
import { AppError } from '../protocol/errors'
import { isV2OnlyMagnet, type MagnetLink } from './magnet'
import type { Metainfo } from './metainfo'

/** Throws AppError('BAD_TORRENT') for a torrent the engine cannot download. */
export function assertEngineSupports(metainfo: Pick<Metainfo, 'version'>): void {
  if (metainfo.version === 'v2') throw new AppError('BAD_TORRENT', 'BitTorrent v2-only torrents are not supported yet.')
}

/** Throws AppError('BAD_MAGNET') for a magnet link the engine cannot download. */
export function assertEngineSupportsMagnet(link: MagnetLink): void {
  if (isV2OnlyMagnet(link)) throw new AppError('BAD_MAGNET', 'This is a BitTorrent v2-only magnet link (urn:btmh), and v2-only magnet links are not supported yet.')
}
