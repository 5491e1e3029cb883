import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { Rc4, createRc4 } from '../../bridge/peer-connection/mse/rc4'
import { rc4Kernel } from '../../bridge/peer-connection/mse/rc4-wasm'

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex')

/** RFC 6229, section 2: key stream bytes at the given offsets (16 bytes each). */
const RFC6229: { key: string; at: Record<number, string> }[] = [
  {
    key: '0102030405',
    at: {
      0: 'b2 39 63 05 f0 3d c0 27 cc c3 52 4a 0a 11 18 a8',
      16: '69 82 94 4f 18 fc 82 d5 89 c4 03 a4 7a 0d 09 19',
      1008: '45 12 90 48 e6 a0 ed 0b 56 b4 90 33 8f 07 8d a5',
      1024: '30 ab bc c7 c2 0b 01 60 9f 23 ee 2d 5f 6b b7 df',
      4096: 'ff 25 b5 89 95 99 67 07 e5 1f bd f0 8b 34 d8 75',
    },
  },
  {
    key: '0102030405060708090a0b0c0d0e0f10',
    at: {
      0: '9a c7 cc 9a 60 9d 1e f7 b2 93 28 99 cd e4 1b 97',
      1024: 'bd f0 32 4e 60 83 dc c6 d3 ce dd 3c a8 c5 3c 16',
      1536: 'ff a0 b5 14 64 7e c0 4f 63 06 b8 92 ae 66 11 81',
      4096: 'a3 6a 4c 30 1a e8 ac 13 61 0c cb c1 22 56 ca cc',
    },
  },
  {
    key: '0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20',
    at: {
      0: 'ea a6 bd 25 88 0b f9 3d 3f 5d 1e 4c a2 61 1d 91',
      1024: '7f ec 5b fd 9f 9b 89 ce 65 48 30 90 92 d7 e9 58',
    },
  },
]

describe('RC4', () => {
  it('matches the RFC 6229 key streams', () => {
    for (const { key, at } of RFC6229) {
      const stream = new Rc4(hex(key)).crypt(new Uint8Array(4112))
      for (const [offset, expected] of Object.entries(at)) {
        expect(Buffer.from(stream.subarray(Number(offset), Number(offset) + 16)).toString('hex'), `${key} @${offset}`).toBe(hex(expected).toString('hex'))
      }
    }
  })

  it('discards the first bytes as MSE does (1024): the next are the stream from offset 1024', () => {
    const out = createRc4(hex('0102030405'), 1024).crypt(new Uint8Array(16))
    expect(Buffer.from(out).toString('hex')).toBe(hex(RFC6229[0]!.at[1024]!).toString('hex'))
  })

  it('runs its loop in WebAssembly, with the same bytes as the JavaScript loop, for every cut and across chunk ends', () => {
    expect(rc4Kernel()).not.toBeNull()
    for (const size of [64, 1000, 65_536 + 17, 256 * 1024 * 2 + 5]) {
      const key = randomBytes(20)
      const data = randomBytes(size)
      const js = new Rc4(key, null)
      const wasm = new Rc4(key)
      const a = Uint8Array.from(data)
      const b = Uint8Array.from(data)
      // the same cuts on both, some under the 64 bytes below which the JavaScript loop runs anyway
      for (let off = 0, k = 0; off < size; k++) {
        // lengths with every remainder mod 4: the kernel XORs whole words, then up to three bytes
        const n = Math.min([3, 64, 67, 700, 1001, 65_536, 66, 300_000][k % 8]!, size - off)
        js.crypt(a.subarray(off, off + n))
        wasm.crypt(b.subarray(off, off + n))
        off += n
      }
      expect(Buffer.from(b).equals(Buffer.from(a))).toBe(true)
      expect(Buffer.from(b).equals(data)).toBe(false)
    }
  })

  it('gives the same bytes however the data is cut, in place', () => {
    const key = randomBytes(20)
    const data = randomBytes(10_000)
    const whole = new Rc4(key).crypt(Uint8Array.from(data))
    const cut = new Rc4(key)
    const pieces = Uint8Array.from(data)
    for (let off = 0; off < pieces.length;) {
      const n = Math.min(1 + (off % 977), pieces.length - off)
      const view = pieces.subarray(off, off + n)
      expect(cut.crypt(view)).toBe(view)
      off += n
    }
    expect(Buffer.from(pieces).equals(Buffer.from(whole))).toBe(true)
    expect(Buffer.from(new Rc4(key).crypt(whole)).equals(data)).toBe(true) // its own inverse
  })

  it('matches OpenSSL\'s RC4 (the legacy provider) for a random 160-bit key, 1024 bytes discarded', () => {
    const key = randomBytes(20)
    // OpenSSL 3 offers RC4 only with the legacy provider, which Node loads on request
    const script = `const c=require('crypto').createCipheriv('rc4',Buffer.from('${key.toString('hex')}','hex'),null);process.stdout.write(c.update(Buffer.alloc(5120)).subarray(1024).toString('hex'))`
    const openssl = execFileSync(process.execPath, ['--openssl-legacy-provider', '-e', script], { encoding: 'utf8' })
    const ours = createRc4(key, 1024).crypt(new Uint8Array(4096))
    expect(Buffer.from(ours).toString('hex')).toBe(openssl)
  })

  it('refuses empty and over-long keys', () => {
    expect(() => new Rc4(new Uint8Array(0))).toThrow(RangeError)
    expect(() => new Rc4(new Uint8Array(257))).toThrow(RangeError)
  })
})
