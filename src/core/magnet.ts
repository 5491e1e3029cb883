/** Magnet links (BEP 9): parsing, info-hash normalisation and formatting. */
import { AppError } from '../protocol/errors'
import { MAX_TRACKERS, trackerUrls, webSeedUrls } from './urls'

export interface MagnetLink {
  infoHash: string // 40 lowercase hex
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
  let badHash: string | undefined
  let sawV2 = false
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
      } else if (/^urn:btmh:/i.test(value)) {
        sawV2 = true
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

  if (infoHash === null) {
    if (badHash !== undefined) {
      bad(`The info hash in this magnet link is not valid: it must be 40 hexadecimal or 32 base32 characters, but it has ${badHash.length} characters.`)
    }
    if (sawV2) bad('This is a BitTorrent v2-only magnet link (urn:btmh), and v2-only magnet links are not supported yet.')
    bad('This magnet link has no info hash: it needs an "xt=urn:btih:…" part.')
  }

  const link: MagnetLink = {
    infoHash,
    trackers: trackerUrls(trackers, MAX_MAGNET_TRACKERS),
    webSeeds: webSeedUrls(webSeeds, MAX_MAGNET_TRACKERS),
    peers,
  }
  if (name !== undefined) link.name = name
  return link
}

/** Formats a magnet URI; values are percent-encoded so it round-trips through `parseMagnet`. */
export function magnetUri(link: MagnetLink): string {
  let out = `magnet:?xt=urn:btih:${link.infoHash}`
  if (link.name !== undefined && link.name !== '') out += `&dn=${encodeURIComponent(link.name)}`
  for (const tr of link.trackers) out += `&tr=${encodeURIComponent(tr)}`
  for (const ws of link.webSeeds) out += `&ws=${encodeURIComponent(ws)}`
  for (const pe of link.peers) out += `&x.pe=${encodeURIComponent(pe)}`
  return out
}
