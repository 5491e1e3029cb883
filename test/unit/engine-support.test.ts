// Until the engine speaks BEP 52, v2-only torrents and magnets are refused where they are added
// (engine.add), with the message the parser used to give; hybrids run through their v1 half.
import { describe, expect, it } from 'vitest'
import { assertEngineSupports, assertEngineSupportsMagnet } from '../../src/core/engine-support'
import { parseMagnet } from '../../src/core/magnet'
import { parseTorrent } from '../../src/core/metainfo'
import { AppError } from '../../src/protocol/errors'
import { v2Torrent, v2TorrentFile } from '../support/v2-torrents'

const refusal = (fn: () => void): AppError => {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(AppError)
    return err as AppError
  }
  throw new Error('expected a refusal')
}

describe('what the engine runs', () => {
  it('refuses a v2-only torrent and runs a hybrid or v1 one', async () => {
    const files = [{ path: ['a.bin'], length: 40_000 }]
    const v2 = await parseTorrent(v2TorrentFile(await v2Torrent('x', files, 16_384)))
    const err = refusal(() => assertEngineSupports(v2))
    expect(err.code).toBe('BAD_TORRENT')
    expect(err.message).toBe('BitTorrent v2-only torrents are not supported yet.')
    const hybrid = await parseTorrent(v2TorrentFile(await v2Torrent('a.bin', files, 16_384, { hybrid: true, single: true })))
    expect(hybrid.version).toBe('hybrid')
    expect(() => assertEngineSupports(hybrid)).not.toThrow()
    expect(() => assertEngineSupports({ version: 'v1' })).not.toThrow()
  })

  it('refuses a btmh-only magnet and runs one with a btih beside it', () => {
    const v2 = 'ab'.repeat(32)
    const err = refusal(() => assertEngineSupportsMagnet(parseMagnet(`magnet:?xt=urn:btmh:1220${v2}`)))
    expect(err.code).toBe('BAD_MAGNET')
    expect(err.message).toMatch(/v2-only magnet links are not supported yet/)
    expect(() => assertEngineSupportsMagnet(parseMagnet(`magnet:?xt=urn:btmh:1220${v2}&xt=urn:btih:${'c'.repeat(40)}`))).not.toThrow()
  })
})
