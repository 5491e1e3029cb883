/** Magnet links (BEP 9, and BEP 52's `urn:btmh`): parsing, info-hash normalisation and formatting. */
import { AppError } from '../../protocol/errors'
import { MAX_TRACKERS, trackerUrls, webSeedUrls } from './urls'

export interface MagnetLink {
  /**
   * 40 lowercase hex: the `urn:btih` info-hash, or for a v2-only link (`urn:btmh` alone) the v2
   * info-hash cut to 20 bytes, which is what names the torrent in handshakes and at trackers.
   */
  infoHash: string
  /** 64 lowercase hex: the BitTorrent v2 info-hash (SHA-256) from `xt=urn:btmh:1220…`. */
  infoHashV2?: string
  name?: string
  trackers: string[]
  webSeeds: string[]
  peers: string[] // "host:port" or "[v6]:port"
}

/** Longest magnet we read: real ones are a few KiB; this bounds work on pasted junk. */
export const MAX_MAGNET_LENGTH = 64 * 1024
/** Most trackers (and web seeds) we keep from one magnet. */
export const MAX_MAGNET_TRACKERS = MAX_TRACKERS
/** Most direct peers (x.pe) we keep from one magnet. */
export const MAX_MAGNET_PEERS = 200

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'

/** 40 hex (any case) or 32 base32 (RFC 4648, any case) → 40 lowercase hex; anything else → null. */
export function parseInfoHash(text: string): string | null {
  const t = text.trim()
  if (/^[0-9a-fA-F]{40}$/.test(t)) return t.toLowerCase()
  if (/^[A-Za-z2-7]{32}$/.test(t)) return base32ToHex(t.toUpperCase())
  return null
}

/** The multihash prefix of a SHA-256 digest: function 0x12, 32 bytes (BEP 52 magnet links). */
const SHA256_MULTIHASH = '1220'

/** True for a link that names only a v2 info-hash (no `urn:btih`). */
export function isV2OnlyMagnet(link: MagnetLink): boolean {
  return link.infoHashV2 !== undefined && link.infoHash === link.infoHashV2.slice(0, 40)
}

function base32ToHex(b32: string): string {
  // 32 chars × 5 bits = 160 bits = exactly 20 bytes, so no padding or leftover bits
  let hex = ''
  let bits = 0
  let acc = 0
  for (const ch of b32) {
    acc = (acc << 5) | BASE32.indexOf(ch)
    bits += 5
    while (bits >= 4) {
      bits -= 4
      hex += ((acc >> bits) & 0xf).toString(16)
    }
    acc &= (1 << bits) - 1
  }
  return hex
}

function bad(message: string): never {
  throw new AppError('BAD_MAGNET', message)
}

const PEER = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._-]+):(\d{1,5})$/

function isPeer(text: string): boolean {
  const m = PEER.exec(text)
  if (!m) return false
  const port = Number(m[2])
  return port >= 1 && port <= 65535
}

/** Parses a `magnet:?` URI. Throws AppError('BAD_MAGNET') with a message the user can act on. */
export function parseMagnet(uri: string): MagnetLink {
  const text = uri.trim()
  if (text.length > MAX_MAGNET_LENGTH) {
    bad(`This magnet link is ${Math.ceil(text.length / 1024)} KiB long; magnet links over 64 KiB are not accepted.`)
  }
  if (!/^magnet:\?/i.test(text)) bad('This is not a magnet link: it should start with "magnet:?".')

  // URLSearchParams decodes %xx leniently (never throws) and turns '+' into a space, as in dn
  const params = new URLSearchParams(text.slice(text.indexOf('?') + 1))
  let infoHash: string | null = null
  let infoHashV2: string | undefined
  let badHash: string | undefined
  let badV2: string | undefined
  let name: string | undefined
  const trackers: string[] = []
  const webSeeds: string[] = []
  const peers: string[] = []

  const entries: [string, string][] = []
  // forEach rather than for-of: Node's URLSearchParams typings lack an iterator without DOM libs
  params.forEach((value, key) => entries.push([key, value]))
  for (const [rawKey, rawValue] of entries) {
    // some creators number repeated keys: xt.1, tr.2
    const key = rawKey.toLowerCase().replace(/\.\d+$/, '')
    const value = rawValue.trim()
    if (key === 'xt') {
      const btih = /^urn:btih:(.*)$/i.exec(value)
      if (btih) {
        if (infoHash !== null) continue // the first btih wins
        const parsed = parseInfoHash(btih[1] ?? '')
        if (parsed) infoHash = parsed
        else badHash ??= btih[1] ?? ''
      } else {
        const btmh = /^urn:btmh:(.*)$/i.exec(value)
        if (btmh && infoHashV2 === undefined) {
          const tagged = (btmh[1] ?? '').toLowerCase()
          if (/^[0-9a-f]{68}$/.test(tagged) && tagged.startsWith(SHA256_MULTIHASH)) infoHashV2 = tagged.slice(SHA256_MULTIHASH.length)
          else badV2 ??= tagged
        }
      }
    } else if (key === 'dn') {
      if (value !== '' && name === undefined) name = value
    } else if (key === 'tr') {
      trackers.push(value)
    } else if (key === 'ws') {
      webSeeds.push(value)
    } else if (key === 'x.pe') {
      if (isPeer(value) && !peers.includes(value) && peers.length < MAX_MAGNET_PEERS) peers.push(value)
    }
  }

  if (infoHash === null && infoHashV2 === undefined) {
    if (badHash !== undefined) {
      bad(`The info hash in this magnet link is not valid: it must be 40 hexadecimal or 32 base32 characters, but it has ${badHash.length} characters.`)
    }
    if (badV2 !== undefined) {
      bad(`The v2 info hash in this magnet link is not valid: "urn:btmh:" must be followed by 1220 and 64 hexadecimal characters (a SHA-256 multihash), but it has ${badV2.length} characters${badV2.startsWith(SHA256_MULTIHASH) ? '' : ' and does not start with 1220'}.`)
    }
    bad('This magnet link has no info hash: it needs an "xt=urn:btih:…" or "xt=urn:btmh:…" part.')
  }

  const link: MagnetLink = {
    infoHash: infoHash ?? (infoHashV2 as string).slice(0, 40),
    trackers: trackerUrls(trackers, MAX_MAGNET_TRACKERS),
    webSeeds: webSeedUrls(webSeeds, MAX_MAGNET_TRACKERS),
    peers,
  }
  if (infoHashV2 !== undefined) link.infoHashV2 = infoHashV2
  if (name !== undefined) link.name = name
  return link
}

/** Formats a magnet URI; values are percent-encoded so it round-trips through `parseMagnet`. */
export function magnetUri(link: MagnetLink): string {
  const xts: string[] = []
  if (!isV2OnlyMagnet(link)) xts.push(`xt=urn:btih:${link.infoHash}`)
  if (link.infoHashV2 !== undefined) xts.push(`xt=urn:btmh:${SHA256_MULTIHASH}${link.infoHashV2}`)
  let out = `magnet:?${xts.join('&')}`
  if (link.name !== undefined && link.name !== '') out += `&dn=${encodeURIComponent(link.name)}`
  for (const tr of link.trackers) out += `&tr=${encodeURIComponent(tr)}`
  for (const ws of link.webSeeds) out += `&ws=${encodeURIComponent(ws)}`
  for (const pe of link.peers) out += `&x.pe=${encodeURIComponent(pe)}`
  return out
}
