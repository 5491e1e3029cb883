/** What the bridge's TCP side speaks with a peer: the policy, and what one connection ended up with. */
import { CRYPTO_PLAINTEXT, CRYPTO_RC4, type PeerCipher } from './mse-crypto'

/**
 * `--encryption`: prefer = an MSE handshake first (the payload RC4 or plaintext, as the peer
 * picks), plain BitTorrent when the peer has no MSE; require = RC4 only, both ways; off =
 * plaintext only (encrypted peers are turned away), as before MSE.
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
 * crypto_provide when we dial. `prefer` offers RC4 and plaintext and lets the peer pick, as
 * libtorrent does by default: the MSE handshake still hides that this is BitTorrent, and the
 * payload skips RC4, which costs CPU on every byte (our RC4 is JavaScript: ~230 MB/s a core, and
 * the bridge shares its machine with the browser) for little privacy. `require` offers RC4 only.
 */
export function outboundProvide(mode: EncryptionMode): number {
  return mode === 'require' ? CRYPTO_RC4 : CRYPTO_RC4 | CRYPTO_PLAINTEXT
}

/** What we accept in a peer's crypto_provide. */
export function inboundAccept(mode: EncryptionMode): number {
  return mode === 'require' ? CRYPTO_RC4 : CRYPTO_RC4 | CRYPTO_PLAINTEXT
}

/** Which we pick when a peer offers both: plaintext under `prefer` (see outboundProvide). */
export function inboundPreferred(mode: EncryptionMode): number {
  return mode === 'require' ? CRYPTO_RC4 : CRYPTO_PLAINTEXT
}
