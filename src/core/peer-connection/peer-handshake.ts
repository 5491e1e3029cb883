/** Recognises the BitTorrent handshake a connection starts with (BEP 3): its protocol string and info-hash. */
import { HANDSHAKE_LENGTH, HANDSHAKE_PSTR } from '../../protocol/bridge-frames'

/** The info-hash (hex) of a BitTorrent handshake at the start of `b`, or null when it is not one. */
export function handshakeInfoHash(b: Uint8Array): string | null {
  if (b.length < HANDSHAKE_LENGTH || b[0] !== HANDSHAKE_PSTR.length) return null
  for (let i = 0; i < 19; i++) if (b[1 + i] !== HANDSHAKE_PSTR.charCodeAt(i)) return null
  return Array.from(b.subarray(28, 48), (x) => x.toString(16).padStart(2, '0')).join('')
}

/** True when `b` (68 bytes or more) starts with a BitTorrent handshake for `infoHash`. */
export function isHandshakeFor(b: Uint8Array, infoHash: string): boolean {
  return handshakeInfoHash(b) === infoHash
}
