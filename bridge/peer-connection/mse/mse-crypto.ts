/**
 * The arithmetic of Message Stream Encryption (MSE/PE, the Vuze "Message Stream Encryption" spec,
 * as libtorrent's pe_crypto): the 768-bit Diffie-Hellman group, the hashes that let the two sides
 * find each other in the stream and name the torrent without saying its info-hash, and the RC4 keys.
 */
import { createDiffieHellman, createHash, randomBytes, randomInt, type DiffieHellman } from 'node:crypto'
import { createRc4, type StreamCipher } from './rc4'

/** P of the spec (768 bits), generator 2. */
const PRIME_HEX =
  'ffffffffffffffffc90fdaa22168c234c4c6628b80dc1cd129024e088a67cc74020bbea63b139b22514a08798e3404ddef9519b3cd3a431b302b0a6df25f14374fe1356d6d51c245e485b576625e7ec6f44c42e9a63a36210000000000090563'
const PRIME = BigInt(`0x${PRIME_HEX}`)
export const DH_KEY_LENGTH = 96
/** The verification constant: 8 zero bytes, encrypted. */
export const VC_LENGTH = 8
/** crypto_provide / crypto_select bits. */
export const CRYPTO_PLAINTEXT = 0x01
export const CRYPTO_RC4 = 0x02
/** PadA..PadD are at most 512 bytes. */
export const MAX_PAD = 512
/** RC4 key-stream bytes both sides discard before use. */
const RC4_DISCARD = 1024

let group: DiffieHellman | undefined
/**
 * One DiffieHellman object for the process: `createDiffieHellman` checks the prime (~25 ms of CPU
 * here), which per connection would let any peer burn the bridge's CPU; key generation and the
 * secret then cost ~0.2 ms. Safe to share: every use sets its private key and computes at once,
 * synchronously.
 */
function dh(): DiffieHellman {
  group ??= createDiffieHellman(Buffer.from(PRIME_HEX, 'hex'), 2)
  return group
}

export interface DhKeyPair {
  privateKey: Uint8Array
  /** Ya or Yb: 96 bytes, big-endian, zero-padded. */
  publicKey: Uint8Array
}

export function dhKeyPair(): DhKeyPair {
  const privateKey = randomBytes(20) // 160 bits, as the spec recommends
  const group = dh()
  group.setPrivateKey(privateKey)
  return { privateKey, publicKey: leftPad(group.generateKeys(), DH_KEY_LENGTH) }
}

/**
 * S (96 bytes) from our private key and the peer's public key; null when that key is outside
 * 2..P-2 (Node would take P or more; 0, 1 and P-1 make S guessable).
 */
export function dhSecret(privateKey: Uint8Array, remoteKey: Uint8Array): Uint8Array | null {
  if (remoteKey.length !== DH_KEY_LENGTH) return null
  const y = BigInt(`0x${Buffer.from(remoteKey).toString('hex')}`)
  if (y < 2n || y > PRIME - 2n) return null
  const group = dh()
  group.setPrivateKey(privateKey)
  return leftPad(group.computeSecret(remoteKey), DH_KEY_LENGTH)
}

export function sha1(...parts: (Uint8Array | string)[]): Uint8Array {
  const h = createHash('sha1')
  for (const p of parts) h.update(p)
  return new Uint8Array(h.digest())
}

/** HASH('req1', S): the initiator's sync marker. */
export const req1Hash = (secret: Uint8Array) => sha1('req1', secret)
/** HASH('req2', SKEY): how a torrent is named, XORed with HASH('req3', S) on the wire. */
export const req2Hash = (infoHash: Uint8Array) => sha1('req2', infoHash)
export const req3Hash = (secret: Uint8Array) => sha1('req3', secret)

export function xor(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length)
  for (let i = 0; i < a.length; i++) out[i] = a[i]! ^ b[i]!
  return out
}

/** RC4 both ways: what a side sends and what it receives. */
export interface PeerCipher {
  encrypt: StreamCipher
  decrypt: StreamCipher
}

/** The initiator (A) sends with HASH('keyA', S, SKEY), the responder (B) with HASH('keyB', S, SKEY). */
export function peerCipher(secret: Uint8Array, infoHash: Uint8Array, role: 'initiator' | 'responder'): PeerCipher {
  const keyA = createRc4(sha1('keyA', secret, infoHash), RC4_DISCARD)
  const keyB = createRc4(sha1('keyB', secret, infoHash), RC4_DISCARD)
  return role === 'initiator' ? { encrypt: keyA, decrypt: keyB } : { encrypt: keyB, decrypt: keyA }
}

/** PadA / PadB: 0..512 random bytes, so that no length gives the handshake away. */
export function randomPad(): Uint8Array {
  return randomBytes(randomInt(MAX_PAD + 1))
}

function leftPad(b: Uint8Array, length: number): Uint8Array {
  if (b.length === length) return new Uint8Array(b)
  const out = new Uint8Array(length)
  out.set(b.subarray(Math.max(0, b.length - length)), Math.max(0, length - b.length))
  return out
}
