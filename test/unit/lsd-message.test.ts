// Local Service Discovery messages (BEP 14, core/peer-discovery/lsd-message.ts): what libtorrent, Transmission and
// bittorrent-lsd send is read; anything else from the network is no announce.
import { describe, expect, it } from 'vitest'
import { formatLsdAnnounce, MAX_LSD_INFOHASHES, MAX_LSD_MESSAGE_BYTES, parseLsdAnnounce } from '../../src/core/peer-discovery/lsd-message'

const H1 = '0123456789abcdef0123456789abcdef01234567'
const H2 = 'fedcba9876543210fedcba9876543210fedcba98'
const bytes = (text: string) => new Uint8Array(Buffer.from(text, 'latin1'))

describe('parseLsdAnnounce', () => {
  it('reads libtorrent\'s announce (qBittorrent, Deluge) byte for byte', () => {
    // render_lsd_packet in libtorrent 2.0's src/lsd.cpp
    const msg = `BT-SEARCH * HTTP/1.1\r\nHost: 239.192.152.143:6771\r\nPort: 51413\r\nInfohash: ${H1.toUpperCase()}\r\ncookie: 5d1f3a\r\n\r\n\r\n`
    expect(parseLsdAnnounce(bytes(msg))).toEqual({ port: 51413, infoHashes: [H1], cookie: '5d1f3a' })
  })

  it('reads several info-hashes in one message (BEP 14 allows it), each once, and no cookie', () => {
    const msg = `BT-SEARCH * HTTP/1.1\r\nHost: [ff15::efc0:988f]:6771\r\nPort: 6881\r\nInfohash: ${H1}\r\nInfohash: ${H2}\r\nInfohash: ${H1}\r\n\r\n\r\n`
    expect(parseLsdAnnounce(bytes(msg))).toEqual({ port: 6881, infoHashes: [H1, H2], cookie: null })
  })

  it('takes bare line feeds and any case in header names', () => {
    expect(parseLsdAnnounce(bytes(`bt-search * HTTP/1.0\nPORT: 7000\nINFOHASH: ${H1}\n\n`))).toEqual({ port: 7000, infoHashes: [H1], cookie: null })
  })

  it('leaves out info-hashes that are not 40 hex digits, or all zeros, and keeps the rest', () => {
    const msg = `BT-SEARCH * HTTP/1.1\r\nPort: 6881\r\nInfohash: xyz\r\nInfohash: ${'0'.repeat(40)}\r\nInfohash: ${H1}0\r\nInfohash: ${H2}\r\n\r\n`
    expect(parseLsdAnnounce(bytes(msg))?.infoHashes).toEqual([H2])
  })

  it('is no announce without a valid port, with two ports, without an info-hash, or in another shape', () => {
    const head = 'BT-SEARCH * HTTP/1.1\r\n'
    for (const msg of [
      `${head}Infohash: ${H1}\r\n\r\n`, // no port
      `${head}Port: 0\r\nInfohash: ${H1}\r\n\r\n`,
      `${head}Port: 65536\r\nInfohash: ${H1}\r\n\r\n`,
      `${head}Port: 6881x\r\nInfohash: ${H1}\r\n\r\n`,
      `${head}Port: -1\r\nInfohash: ${H1}\r\n\r\n`,
      `${head}Port: 6881\r\nPort: 22\r\nInfohash: ${H1}\r\n\r\n`, // which one?
      `${head}Port: 6881\r\n\r\n`, // no info-hash
      `${head}Port: 6881\r\nInfohash: xyz\r\n\r\n`,
      `M-SEARCH * HTTP/1.1\r\nPort: 6881\r\nInfohash: ${H1}\r\n\r\n`, // SSDP, on the same kind of group
      `BT-SEARCH / HTTP/1.1\r\nPort: 6881\r\nInfohash: ${H1}\r\n\r\n`,
      `${head}Port 6881\r\nInfohash: ${H1}\r\n\r\n`, // a line that is no header
      '',
      '\r\n\r\n',
    ]) expect(parseLsdAnnounce(bytes(msg)), JSON.stringify(msg)).toBeNull()
  })

  it('reads nothing after the blank line that ends the headers', () => {
    const msg = `BT-SEARCH * HTTP/1.1\r\nPort: 6881\r\nInfohash: ${H1}\r\n\r\nInfohash: ${H2}\r\nPort: 1\r\n`
    expect(parseLsdAnnounce(bytes(msg))).toEqual({ port: 6881, infoHashes: [H1], cookie: null })
  })

  it('reads at most MAX_LSD_MESSAGE_BYTES and MAX_LSD_INFOHASHES', () => {
    const many = Array.from({ length: 40 }, (_, i) => `Infohash: ${i.toString(16).padStart(40, 'a')}\r\n`).join('')
    const msg = `BT-SEARCH * HTTP/1.1\r\nPort: 6881\r\n${many}\r\n`
    expect(msg.length).toBeGreaterThan(MAX_LSD_MESSAGE_BYTES)
    expect(parseLsdAnnounce(bytes(msg))).toBeNull()
    // within the size, a message of short lines still gives at most MAX_LSD_INFOHASHES
    const short = `BT-SEARCH * HTTP/1.1\nPort:1\n${Array.from({ length: 20 }, (_, i) => `Infohash:${i.toString(16).padStart(40, 'b')}\n`).join('')}\n`
    expect(short.length).toBeLessThanOrEqual(MAX_LSD_MESSAGE_BYTES)
    expect(parseLsdAnnounce(bytes(short))?.infoHashes).toHaveLength(MAX_LSD_INFOHASHES)
  })

  it('drops a cookie that is long or not printable, and keeps the announce', () => {
    const with_ = (cookie: string) => parseLsdAnnounce(bytes(`BT-SEARCH * HTTP/1.1\r\nPort: 6881\r\nInfohash: ${H1}\r\ncookie: ${cookie}\r\n\r\n`))
    expect(with_('a'.repeat(65))?.cookie).toBeNull()
    expect(with_('a b')?.cookie).toBeNull()
    expect(with_('\u00e9t\u00e9')?.cookie).toBeNull()
    expect(with_('bittorrent-lsd-2d5757303030')?.cookie).toBe('bittorrent-lsd-2d5757303030')
  })
})

describe('formatLsdAnnounce', () => {
  it('writes what libtorrent writes, and reads back', () => {
    const v4 = formatLsdAnnounce(4, 6881, H1, 'tw-1a2b')
    expect(Buffer.from(v4).toString('latin1')).toBe(`BT-SEARCH * HTTP/1.1\r\nHost: 239.192.152.143:6771\r\nPort: 6881\r\nInfohash: ${H1}\r\ncookie: tw-1a2b\r\n\r\n\r\n`)
    expect(parseLsdAnnounce(v4)).toEqual({ port: 6881, infoHashes: [H1], cookie: 'tw-1a2b' })
    expect(Buffer.from(formatLsdAnnounce(6, 1, H2, 'c')).toString('latin1')).toContain('Host: [ff15::efc0:988f]:6771\r\n')
  })
})
