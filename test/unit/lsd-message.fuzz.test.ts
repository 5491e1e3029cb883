// Property-based tests (fast-check) of Local Service Discovery messages (core/peer-discovery/lsd-message.ts): a
// datagram any host on the local network may send.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { formatLsdAnnounce, MAX_LSD_COOKIE_CHARS, MAX_LSD_INFOHASHES, MAX_LSD_MESSAGE_BYTES, parseLsdAnnounce } from '../../src/core/peer-discovery/lsd-message'
import { runs, syntaxBytes } from '../support/property'

const hex40 = fc.stringMatching(/^[0-9a-fA-F]{40}$/)
const header = fc.oneof(
  hex40.map((h) => `Infohash: ${h}`),
  fc.integer({ min: -5, max: 70_000 }).map((p) => `Port: ${p}`),
  fc.stringMatching(/^[ -~]{0,70}$/).map((c) => `cookie: ${c}`),
  fc.constant('Host: 239.192.152.143:6771'),
  fc.stringMatching(/^[!-9;-~]{1,12}: [ -~]{0,30}$/),
)
/** A message shaped like an announce: a request line (usually the right one), headers in any order, line ends of both kinds. */
const shaped = fc.tuple(
  fc.constantFrom('BT-SEARCH * HTTP/1.1', 'bt-search * HTTP/1.0', 'NOTIFY * HTTP/1.1'),
  fc.array(header, { maxLength: 40 }),
  fc.constantFrom('\r\n', '\n'),
  fc.boolean(),
).map(([line, headers, eol, end]) => new Uint8Array(Buffer.from([line, ...headers, ...(end ? ['', ''] : [])].join(eol), 'latin1')))

describe('parseLsdAnnounce (properties)', () => {
  it('gives null or an announce within its limits, for any bytes', () => {
    fc.assert(fc.property(fc.oneof(shaped, syntaxBytes('BT-SEARCH *HTP/1.\r\nPortInfohash: 0123456789abcdef', { maxLength: 2000 }), fc.uint8Array({ maxLength: 1600 })), (datagram) => {
      const a = parseLsdAnnounce(datagram)
      if (a === null) return
      expect(datagram.length).toBeLessThanOrEqual(MAX_LSD_MESSAGE_BYTES)
      expect(Number.isInteger(a.port) && a.port >= 1 && a.port <= 65535).toBe(true)
      expect(a.infoHashes.length).toBeGreaterThan(0)
      expect(a.infoHashes.length).toBeLessThanOrEqual(MAX_LSD_INFOHASHES)
      expect(new Set(a.infoHashes).size).toBe(a.infoHashes.length)
      for (const h of a.infoHashes) expect(h).toMatch(/^[0-9a-f]{40}$/)
      if (a.cookie !== null) expect(a.cookie).toMatch(new RegExp(`^[!-~]{1,${MAX_LSD_COOKIE_CHARS}}$`))
    }), runs(300))
  })

  it('reads back every announce it writes', () => {
    fc.assert(fc.property(fc.constantFrom(4 as const, 6 as const), fc.integer({ min: 1, max: 65535 }), hex40, fc.stringMatching(/^[!-~]{1,64}$/), (family, port, infoHash, cookie) => {
      expect(parseLsdAnnounce(formatLsdAnnounce(family, port, infoHash.toLowerCase(), cookie))).toEqual({ port, infoHashes: [infoHash.toLowerCase()], cookie })
    }), runs())
  })
})
