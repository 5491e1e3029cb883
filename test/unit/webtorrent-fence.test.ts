// The fence around webtorrent's internals for BitTorrent v2 (src/engine/webtorrent/fence.ts): the
// webtorrent installed is one the hooks were checked against, and its prebuilt browser module (what
// the app runs) still has every member they reach. Fails on a webtorrent upgrade until someone
// checks the hooks against it.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { describe, expect, it } from 'vitest'
import { HOOKED_VERSIONS, assertHooksFit } from '../../src/engine/webtorrent/fence'

const require = createRequire(import.meta.url)
const installed = (require('webtorrent/package.json') as { version: string }).version
const bundle = readFileSync(require.resolve('webtorrent/dist/webtorrent.min.js'), 'utf8')

describe('the webtorrent fence', () => {
  it('the installed webtorrent is one the v2 hooks were checked against', () => {
    expect(HOOKED_VERSIONS).toContain(installed)
    expect(() => assertHooksFit(installed)).not.toThrow()
    // the bundle reports the same version at run time (WebTorrent.VERSION, what v2-torrents.ts reads)
    expect(bundle).toContain(`version:"${installed}"`)
    expect(bundle).toContain('.VERSION=')
  })

  it('its browser module still has every member the hooks reach', () => {
    // torrent-hooks.ts, wire-messages.ts, ut-metadata.ts, piece-claims.ts
    for (const member of ['_verifyPiece', '_onMetadata', '_message(', 'unknownmessage', 'setMetadata', '_metadataComplete', '_metadataSize', '_infoHash', 'extendedHandshake', 'sources']) {
      expect(bundle, member).toContain(member)
    }
  })

  it('refuses v2-only torrents with a clear message on any other webtorrent', () => {
    expect(() => assertHooksFit('3.1.0')).toThrow(/written for webtorrent 3\.0\.21; this build has 3\.1\.0/)
    expect(() => assertHooksFit(undefined)).toThrow(/an unknown version/)
  })
})
