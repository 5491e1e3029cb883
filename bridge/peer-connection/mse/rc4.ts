/**
 * RC4, the stream cipher of BitTorrent's Message Stream Encryption. OpenSSL 3 (Node 17+) keeps RC4
 * in its legacy provider, which Node loads only when started with `--openssl-legacy-provider`, so
 * `crypto.getCiphers()` usually lists no rc4: the bridge carries this small one of its own, which is
 * faster than OpenSSL's through Node's API anyway (rc4-wasm.ts).
 */
import { rc4Kernel, type Rc4Kernel } from './rc4-wasm'

export interface StreamCipher {
  /** XORs the next key-stream bytes into `data`, in place, and returns it. */
  crypt(data: Uint8Array): Uint8Array
}

/**
 * RC4 of our own: 256 bytes of state per direction, its loop in WebAssembly (rc4-wasm.ts) for
 * all but tiny inputs, or in plain JavaScript (about half as fast) with `kernel` null.
 */
export class Rc4 implements StreamCipher {
  private readonly s = new Uint8Array(256)
  private i = 0
  private j = 0

  constructor(key: Uint8Array, private readonly kernel: Rc4Kernel | null = rc4Kernel()) {
    if (key.length < 1 || key.length > 256) throw new RangeError(`RC4 keys are 1 to 256 bytes, not ${key.length}`)
    const s = this.s
    for (let n = 0; n < 256; n++) s[n] = n
    let j = 0
    for (let n = 0; n < 256; n++) {
      const t = s[n]!
      j = (j + t + key[n % key.length]!) & 0xff
      s[n] = s[j]!
      s[j] = t
    }
  }

  crypt(data: Uint8Array): Uint8Array {
    // a few bytes (MSE's handshake fields) are not worth the copies in and out
    if (this.kernel && data.length >= 64) {
      const { i, j } = this.kernel(this.s, this.i, this.j, data)
      this.i = i
      this.j = j
      return data
    }
    const s = this.s
    let i = this.i
    let j = this.j
    for (let n = 0; n < data.length; n++) {
      i = (i + 1) & 0xff
      const a = s[i]!
      j = (j + a) & 0xff
      const b = s[j]!
      s[i] = b
      s[j] = a
      data[n] = data[n]! ^ s[(a + b) & 0xff]!
    }
    this.i = i
    this.j = j
    return data
  }
}

/**
 * An RC4 key stream with its first `discard` bytes thrown away (MSE discards 1024: the start of
 * RC4's key stream is biased and leaks the key).
 */
export function createRc4(key: Uint8Array, discard = 0): StreamCipher {
  const cipher = new Rc4(key)
  if (discard > 0) cipher.crypt(new Uint8Array(discard))
  return cipher
}
