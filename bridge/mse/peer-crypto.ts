/** What the bridge's TCP side speaks with a peer: the policy, and what one connection ended up with. */
import { CRYPTO_PLAINTEXT, CRYPTO_RC4, type PeerCipher } from './mse-crypto'

/**
 * `--encryption`: prefer = MSE with RC4 first, plaintext when the peer has no MSE; require = RC4
 * only, both ways; off = plaintext only (encrypted peers are turned away), as before MSE.
 */
export type EncryptionMode = 'prefer' | 'require' | 'off'
export const ENCRYPTION_MODES: readonly EncryptionMode[] = ['prefer', 'require', 'off']

/** plaintext: no MSE; obfuscated: MSE handshake, then plaintext (crypto_select 1); rc4: MSE with RC4. */
export type PeerTransport = 'plaintext' | 'obfuscated' | 'rc4'

export interface PeerCrypto {
  transport: PeerTransport
  /** RC4 both ways, or null when the bytes after the handshake go as they are. */
  cipher: PeerCipher | null
}

export const PLAINTEXT: PeerCrypto = { transport: 'plaintext', cipher: null }

/**
 * crypto_provide when we dial: RC4 only, whatever the mode. Offering plaintext as well would let
 * libtorrent's default (prefer_rc4 off) pick it, leaving only the handshake hidden; a peer that
 * wants plaintext gets it through the plaintext fallback of `prefer`.
 */
export const OUTBOUND_PROVIDE = CRYPTO_RC4

/** What we accept in a peer's crypto_provide, RC4 picked first. */
export function inboundAccept(mode: EncryptionMode): number {
  return mode === 'require' ? CRYPTO_RC4 : CRYPTO_RC4 | CRYPTO_PLAINTEXT
}
