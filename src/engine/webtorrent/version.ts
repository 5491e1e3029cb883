import { AppError } from '../../protocol/errors'

/**
 * The webtorrent release every file in this folder was written against: each one reaches a
 * private member or patches a prototype that no public API offers, and a patch release may rename
 * or reshape any of them (the minified names the piece-check hook matches change with every
 * build). package.json pins this exact version; the build refuses another (piece-check-hook.ts),
 * and the engine refuses to start on one (assertWebtorrentVersion), so an upgrade is a deliberate
 * step: bump this, run test/unit/webtorrent-door.test.ts, fix what it names.
 */
export const WEBTORRENT_VERSION = '3.0.21'

/** Throws a clear error when the webtorrent the page loaded is not the one this folder fits. */
export function assertWebtorrentVersion(loaded: string | undefined): void {
  if (loaded === WEBTORRENT_VERSION) return
  throw new AppError(
    'ENGINE',
    `This build of the app was made for webtorrent ${WEBTORRENT_VERSION} but loaded ${loaded ?? 'an unknown version'}; ` +
      'reinstall with `npm ci` (package-lock.json pins it) and build again.',
  )
}
