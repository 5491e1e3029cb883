/**
 * Peer exchange messages (BEP 11, `ut_pex`): a bencoded dictionary of compact peer lists.
 *
 *   added     IPv4 peers (6 bytes each: address, port big-endian) met since the last message
 *   added.f   one flags byte per `added` peer (PEX_FLAG)
 *   dropped   IPv4 peers gone since the last message
 *   added6, added6.f, dropped6   the same for IPv6 (18 bytes each)
 *
 * Pure and hostile-input safe: a message is bounded in bytes before it is decoded, at most
 * PEX_MAX_PEERS added and dropped peers are taken from one, and entries no one can dial (port 0,
 * an unspecified, multicast or broadcast address) are skipped, as is a trailing partial entry.
 * Which ranges may be dialed at all is the bridge's policy, not decided here.
 */
import { concatBytes } from '../bytes'
import { AppError } from '../../protocol/errors'
import type { PeerAddress } from '../../protocol/bridge-frames'
import { bdecode, bencode, type BValue } from '../torrent-parser/bencode'
import { ipToBytes } from '../ip-bytes'
import { decodeCompactPeers } from '../peer-address'

/** BEP 11: "up to 50 added and 50 dropped peers" per message; a peer that sends more is trimmed. */
export const PEX_MAX_PEERS = 50
/**
 * Largest message we decode. 50 + 50 IPv6 peers with flags are under 2 KiB; libtorrent sends up
 * to 100 added and lists every dropped peer, so leave room, but far below its own 500 KiB.
 */
export const PEX_MAX_MESSAGE_BYTES = 64 * 1024

/** The `added.f` bits (BEP 11). */
export const PEX_FLAG = {
  encryption: 0x01,
  seed: 0x02,
  utp: 0x04,
  holepunch: 0x08,
  /** We made an outgoing connection to it: it accepts incoming ones. */
  reachable: 0x10,
} as const

export interface PexPeer extends PeerAddress {
  /** PEX_FLAG bits; 0 when the sender gave none. */
  flags: number
}

export interface PexMessage {
  added: PexPeer[]
  dropped: PeerAddress[]
}

const V4 = 6
const V6 = 18

/** Decodes a ut_pex payload. Throws AppError('BAD_PEER_MESSAGE' | 'BAD_BENCODE') for junk. */
export function decodePex(bytes: Uint8Array): PexMessage {
  if (bytes.length > PEX_MAX_MESSAGE_BYTES) {
    throw new AppError('BAD_PEER_MESSAGE', `A PEX message of ${bytes.length} bytes is over the ${PEX_MAX_MESSAGE_BYTES}-byte limit.`)
  }
  // the fields are flat; a little nesting is tolerated for keys other clients may add
  const dict = bdecode(bytes, { maxDepth: 4 })
  if (!(dict instanceof Map)) throw new AppError('BAD_PEER_MESSAGE', 'A PEX message is not a dictionary.')
  const added: PexPeer[] = []
  const dropped: PeerAddress[] = []
  const seenAdded = new Set<string>()
  const seenDropped = new Set<string>()
  for (const [key, size] of [['added', V4], ['added6', V6]] as const) {
    const flags = dict.get(`${key}.f`)
    for (const { peer, index: i } of compactPeers(dict.get(key), size)) {
      if (added.length >= PEX_MAX_PEERS) break
      const id = `${peer.host}|${peer.port}`
      if (seenAdded.has(id)) continue
      seenAdded.add(id)
      // libtorrent drops `added` when `added.f` is missing or short; the address is still good
      added.push({ ...peer, flags: flags instanceof Uint8Array ? flags[i] ?? 0 : 0 })
    }
  }
  for (const [key, size] of [['dropped', V4], ['dropped6', V6]] as const) {
    for (const { peer } of compactPeers(dict.get(key), size)) {
      if (dropped.length >= PEX_MAX_PEERS) break
      const id = `${peer.host}|${peer.port}`
      if (seenDropped.has(id)) continue
      seenDropped.add(id)
      dropped.push(peer)
    }
  }
  return { added, dropped }
}

/** Encodes a ut_pex payload: addresses that are not IP literals with a port are left out, then each list is cut at PEX_MAX_PEERS. */
export function encodePex(message: { added: readonly (PeerAddress & { flags?: number })[]; dropped: readonly PeerAddress[] }): Uint8Array {
  const out = { added: [] as Uint8Array[], 'added.f': [] as number[], added6: [] as Uint8Array[], 'added6.f': [] as number[], dropped: [] as Uint8Array[], dropped6: [] as Uint8Array[] }
  let count = 0
  for (const peer of message.added) {
    const entry = compactEntry(peer)
    if (!entry) continue
    if (++count > PEX_MAX_PEERS) break
    const six = entry.length === V6
    out[six ? 'added6' : 'added'].push(entry)
    out[six ? 'added6.f' : 'added.f'].push((peer.flags ?? 0) & 0xff)
  }
  count = 0
  for (const peer of message.dropped) {
    const entry = compactEntry(peer)
    if (!entry) continue
    if (++count > PEX_MAX_PEERS) break
    out[entry.length === V6 ? 'dropped6' : 'dropped'].push(entry)
  }
  // every key always present, as libtorrent sends them: some clients look for `added` alone
  return bencode({
    added: concatBytes(out.added),
    'added.f': Uint8Array.from(out['added.f']),
    added6: concatBytes(out.added6),
    'added6.f': Uint8Array.from(out['added6.f']),
    dropped: concatBytes(out.dropped),
    dropped6: concatBytes(out.dropped6),
  })
}

/** The dialable peers of one compact list, with each one's index in the list (for its flags byte). */
function compactPeers(value: BValue | undefined, size: typeof V4 | typeof V6): { peer: PeerAddress; index: number }[] {
  // all of them (a message is at most PEX_MAX_MESSAGE_BYTES): duplicates are skipped after this
  return value instanceof Uint8Array ? decodeCompactPeers(value, size, Infinity).peers : []
}

/** 6 or 18 compact bytes, or null when the host is not an IP literal or the port is out of range. */
function compactEntry(peer: PeerAddress): Uint8Array | null {
  const ip = ipToBytes(peer.host)
  if (!ip || !Number.isInteger(peer.port) || peer.port < 1 || peer.port > 65535) return null
  const out = new Uint8Array(ip.length + 2)
  out.set(ip)
  out[ip.length] = peer.port >> 8
  out[ip.length + 1] = peer.port & 0xff
  return out
}
