/**
 * Local Service Discovery messages (BEP 14): the datagram a host multicasts on its local network to
 * say which torrents it has and on which TCP port, written as libtorrent writes it and read with
 * limits. Any host on the network (or any process on this machine) can send one, so what is read is
 * only this: a BT-SEARCH request line, a port 1-65535, up to MAX_LSD_INFOHASHES 40-hex info-hashes
 * and a short cookie, from at most MAX_LSD_MESSAGE_BYTES; anything else is no announce. The
 * sender's address is not in the message: it is the datagram's source (the bridge checks it).
 *
 *   BT-SEARCH * HTTP/1.1\r\n
 *   Host: 239.192.152.143:6771\r\n        ([ff15::efc0:988f]:6771 over IPv6)
 *   Port: 6881\r\n
 *   Infohash: 0123…cdef\r\n                (one or more)
 *   cookie: 5d1f3a\r\n                     (optional: a sender knows its own messages by it)
 *   \r\n\r\n
 *
 * Pure and linear in its input.
 */
import { canonicalPort } from '../peer-address'

export const LSD_PORT = 6771
export const LSD_GROUP_V4 = '239.192.152.143'
export const LSD_GROUP_V6 = 'ff15::efc0:988f'
/** libtorrent reads 1500 bytes (an Ethernet frame's worth) of a datagram: longer is no announce. */
export const MAX_LSD_MESSAGE_BYTES = 1500
/**
 * Info-hashes read from one message; the rest are left out. Clients send one a message (libtorrent,
 * Transmission, bittorrent-lsd); 1500 bytes could hold 30, each a peer for the bridge to remember.
 */
export const MAX_LSD_INFOHASHES = 16
/** A cookie longer than this is not one of ours nor anyone's we need to know. */
export const MAX_LSD_COOKIE_CHARS = 64

export interface LsdAnnounce {
  /** The TCP port the sender takes peers on. */
  port: number
  /** Lower-case hex, each once, none all zeros. */
  infoHashes: string[]
  /** The sender's cookie, or null when it gave none (or one that is not short printable text). */
  cookie: string | null
}

const REQUEST_LINE = /^BT-SEARCH \* HTTP\/1\.[01]$/i
const INFO_HASH = /^[0-9a-fA-F]{40}$/
const ALL_ZEROS = '0'.repeat(40)
const COOKIE = /^[\x21-\x7e]+$/

/** The announce a datagram carries, or null when it is none (wrong shape, no port, no info-hash). */
export function parseLsdAnnounce(datagram: Uint8Array): LsdAnnounce | null {
  if (datagram.length > MAX_LSD_MESSAGE_BYTES) return null
  // one byte, one character: the protocol is ASCII, and nothing here is looked up by a stranger's text
  let text = ''
  for (let i = 0; i < datagram.length; i++) text += String.fromCharCode(datagram[i]!)
  const lines = text.split('\n')
  if (!REQUEST_LINE.test(stripCr(lines[0]!))) return null
  let port: number | null = null
  let portSeen = false
  let cookie: string | null = null
  const infoHashes = new Set<string>()
  for (let i = 1; i < lines.length; i++) {
    const line = stripCr(lines[i]!)
    if (line === '') break // the end of the headers
    const colon = line.indexOf(':')
    if (colon <= 0) return null // not a header: not an HTTP-shaped message
    const name = line.slice(0, colon).trim().toLowerCase()
    const value = line.slice(colon + 1).trim()
    if (name === 'port') {
      // a second Port line makes the message ambiguous: which one would the sender listen on?
      if (portSeen) return null
      portSeen = true
      port = canonicalPort(value)
    } else if (name === 'infohash') {
      if (INFO_HASH.test(value) && value !== ALL_ZEROS && infoHashes.size < MAX_LSD_INFOHASHES) infoHashes.add(value.toLowerCase())
    } else if (name === 'cookie') {
      cookie = value.length <= MAX_LSD_COOKIE_CHARS && COOKIE.test(value) ? value : null
    }
  }
  if (port === null || infoHashes.size === 0) return null
  return { port, infoHashes: [...infoHashes], cookie }
}

/** One torrent's announce, as libtorrent sends it (one info-hash a message: Transmission reads only the first). */
export function formatLsdAnnounce(family: 4 | 6, port: number, infoHash: string, cookie: string): Uint8Array {
  const host = family === 4 ? `${LSD_GROUP_V4}:${LSD_PORT}` : `[${LSD_GROUP_V6}]:${LSD_PORT}`
  const text = `BT-SEARCH * HTTP/1.1\r\nHost: ${host}\r\nPort: ${port}\r\nInfohash: ${infoHash}\r\ncookie: ${cookie}\r\n\r\n\r\n`
  const out = new Uint8Array(text.length)
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff
  return out
}

function stripCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line
}
