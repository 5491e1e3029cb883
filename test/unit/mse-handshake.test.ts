import { createHash, randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { InboundHandshake } from '../../bridge/peer-connection/mse/inbound-handshake'
import {
  CRYPTO_PLAINTEXT, CRYPTO_RC4, dhKeyPair, dhSecret, peerCipher, req1Hash, req2Hash, req3Hash, xor,
} from '../../bridge/peer-connection/mse/mse-crypto'
import { MseInitiator, MseResponder, type MseStep, type ResponderStep } from '../../bridge/peer-connection/mse/mse-handshake'
import { createRc4 } from '../../bridge/peer-connection/mse/rc4'

const INFO_HASH = createHash('sha1').update('a torrent').digest()
const INFO_HASH_HEX = INFO_HASH.toString('hex')
const P = BigInt('0xffffffffffffffffc90fdaa22168c234c4c6628b80dc1cd129024e088a67cc74020bbea63b139b22514a08798e3404ddef9519b3cd3a431b302b0a6df25f14374fe1356d6d51c245e485b576625e7ec6f44c42e9a63a36210000000000090563')
const key96 = (n: bigint) => Buffer.from(n.toString(16).padStart(192, '0'), 'hex')

/** A plaintext BitTorrent handshake for INFO_HASH. */
function handshake(infoHash: Uint8Array = INFO_HASH): Uint8Array {
  const b = Buffer.alloc(68)
  b[0] = 19
  b.write('BitTorrent protocol', 1, 'latin1')
  Buffer.from(infoHash).copy(b, 28)
  randomBytes(20).copy(b, 48)
  return b
}

const findTorrent = (req2: Uint8Array) => (Buffer.from(req2).equals(Buffer.from(req2Hash(INFO_HASH))) ? INFO_HASH_HEX : null)

/** Feeds `bytes` in random-sized pieces (1 byte up to `max`), returning the last step. */
function feed<T extends { type: string; send?: Uint8Array | null }>(push: (b: Uint8Array) => T, bytes: Uint8Array, max: number, sent: Uint8Array[]): T | undefined {
  let last: T | undefined
  for (let off = 0; off < bytes.length;) {
    const n = Math.min(bytes.length - off, 1 + Math.floor(Math.random() * max))
    last = push(bytes.slice(off, off + n))
    if ('send' in last && last.send) sent.push(last.send)
    off += n
    if (last.type !== 'pending') break
  }
  return last
}

/** Runs A <-> B to the end, each side's output cut into pieces of at most `max` bytes. */
function run(initiator: MseInitiator, responder: MseResponder, max: number, afterIa: Uint8Array = new Uint8Array(0)) {
  let toB: Uint8Array[] = [initiator.start()]
  let a: MseStep | undefined
  let b: ResponderStep | undefined
  for (let round = 0; round < 10 && !(a?.type !== 'pending' && a && b && b.type !== 'pending'); round++) {
    const toA: Uint8Array[] = []
    for (const bytes of toB) if (!b || b.type === 'pending') b = feed((x) => responder.push(x), bytes, max, toA) ?? b
    toB = []
    for (const bytes of toA) if (!a || a.type === 'pending') a = feed((x) => initiator.push(x), bytes, max, toB) ?? a
    if (a?.type === 'done' && afterIa.length) {
      toB.push(a.cipher ? a.cipher.encrypt.crypt(Uint8Array.from(afterIa)) : afterIa)
      afterIa = new Uint8Array(0)
    }
  }
  return { a: a!, b: b! }
}

describe('MSE key exchange', () => {
  it('both sides compute the same 96-byte secret', () => {
    const a = dhKeyPair()
    const b = dhKeyPair()
    expect(a.publicKey.length).toBe(96)
    const s1 = dhSecret(a.privateKey, b.publicKey)!
    expect(s1.length).toBe(96)
    expect(Buffer.from(s1).equals(Buffer.from(dhSecret(b.privateKey, a.publicKey)!))).toBe(true)
  })

  it('refuses public keys outside 2..P-2 and of the wrong length', () => {
    const { privateKey } = dhKeyPair()
    for (const bad of [0n, 1n, P - 1n, P, P + 5n, (1n << 768n) - 1n]) expect(dhSecret(privateKey, key96(bad)), bad.toString(16)).toBeNull()
    expect(dhSecret(privateKey, new Uint8Array(95))).toBeNull()
    expect(dhSecret(privateKey, key96(2n))?.length, 'a 768-bit secret').toBe(96)
  })

  it('derives RC4 keys that pair: what A encrypts B decrypts, and back', () => {
    const secret = randomBytes(96)
    const a = peerCipher(secret, INFO_HASH, 'initiator')
    const b = peerCipher(secret, INFO_HASH, 'responder')
    const msg = randomBytes(3000)
    expect(Buffer.from(b.decrypt.crypt(a.encrypt.crypt(Uint8Array.from(msg)))).equals(msg)).toBe(true)
    expect(Buffer.from(a.decrypt.crypt(b.encrypt.crypt(Uint8Array.from(msg)))).equals(msg)).toBe(true)
    // keyA = SHA1('keyA', S, SKEY), 1024 bytes discarded
    const keyA = createHash('sha1').update('keyA').update(secret).update(INFO_HASH).digest()
    const expected = createRc4(keyA, 1024).crypt(new Uint8Array(64))
    expect(Buffer.from(peerCipher(secret, INFO_HASH, 'initiator').encrypt.crypt(new Uint8Array(64))).equals(Buffer.from(expected))).toBe(true)
  })
})

describe('MSE handshake, initiator <-> responder', () => {
  for (const max of [1, 7, 100, 100_000]) {
    it(`agrees on RC4 and carries the handshake and the stream (pieces of up to ${max} bytes)`, () => {
      const hs = handshake()
      const afterIa = randomBytes(5000)
      const initiator = new MseInitiator(INFO_HASH, CRYPTO_RC4, hs)
      const responder = new MseResponder({ findTorrent, accept: CRYPTO_RC4 | CRYPTO_PLAINTEXT })
      const { a, b } = run(initiator, responder, max)
      expect(a.type).toBe('done')
      expect(b.type).toBe('done')
      if (a.type !== 'done' || b.type !== 'done') return
      expect(a.transport).toBe('rc4')
      expect(b.transport).toBe('rc4')
      expect(b.infoHash).toBe(INFO_HASH_HEX)
      expect(Buffer.from(b.payload).equals(Buffer.from(hs))).toBe(true) // the IA
      // the stream after the handshake, both ways
      expect(Buffer.from(b.cipher!.decrypt.crypt(a.cipher!.encrypt.crypt(Uint8Array.from(afterIa)))).equals(afterIa)).toBe(true)
      expect(Buffer.from(a.cipher!.decrypt.crypt(b.cipher!.encrypt.crypt(Uint8Array.from(afterIa)))).equals(afterIa)).toBe(true)
    })
  }

  it('hands over bytes that came in the same read as the handshake, decrypted', () => {
    const hs = handshake()
    const initiator = new MseInitiator(INFO_HASH, CRYPTO_RC4, hs)
    const responder = new MseResponder({ findTorrent, accept: CRYPTO_RC4 })
    const step2 = responder.push(initiator.start())
    expect(step2.type).toBe('pending')
    const step3 = initiator.push((step2 as { send: Uint8Array }).send)
    expect(step3.type).toBe('pending')
    const done = responder.push((step3 as { send: Uint8Array }).send)
    expect(done.type).toBe('done')
    if (done.type !== 'done') return
    const answer = handshake()
    const bitfield = randomBytes(300)
    // step 4, the responder's handshake and more, in one read
    const wire = Buffer.concat([done.send!, done.cipher!.encrypt.crypt(Buffer.concat([answer, bitfield]))])
    const end = initiator.push(wire)
    expect(end.type).toBe('done')
    if (end.type === 'done') expect(Buffer.from(end.payload).equals(Buffer.concat([answer, bitfield]))).toBe(true)
  })

  it('selects plaintext after the handshake when that is all the peer offers (obfuscated)', () => {
    const hs = handshake()
    const { a, b } = run(new MseInitiator(INFO_HASH, CRYPTO_PLAINTEXT, hs), new MseResponder({ findTorrent, accept: CRYPTO_RC4 | CRYPTO_PLAINTEXT }), 50)
    expect(a.type === 'done' && a.transport).toBe('obfuscated')
    expect(b.type === 'done' && b.transport).toBe('obfuscated')
    if (a.type === 'done' && b.type === 'done') {
      expect(a.cipher).toBeNull()
      expect(b.cipher).toBeNull()
      expect(Buffer.from(b.payload).equals(Buffer.from(hs))).toBe(true) // IA is RC4 even then, decrypted
    }
  })

  it('a responder that requires RC4 refuses a peer offering plaintext only', () => {
    const { b } = run(new MseInitiator(INFO_HASH, CRYPTO_PLAINTEXT, handshake()), new MseResponder({ findTorrent, accept: CRYPTO_RC4 }), 1000)
    expect(b.type).toBe('failed')
    if (b.type === 'failed') expect(b.reason).toMatch(/none of which we accept/)
  })

  it('refuses a torrent nobody registered', () => {
    const other = createHash('sha1').update('another').digest()
    const { b } = run(new MseInitiator(other, CRYPTO_RC4, handshake(other)), new MseResponder({ findTorrent, accept: CRYPTO_RC4 }), 1000)
    expect(b.type === 'failed' && b.reason).toMatch(/nobody registered/)
  })

  it('an initiator refuses a select it did not offer', () => {
    // a responder that answers "plaintext" to an RC4-only offer
    const initiator = new MseInitiator(INFO_HASH, CRYPTO_RC4, handshake())
    const b = dhKeyPair()
    const ya = initiator.start().subarray(0, 96)
    const secret = dhSecret(b.privateKey, ya)!
    const step3 = initiator.push(b.publicKey)
    expect(step3.type).toBe('pending')
    const cipher = peerCipher(secret, INFO_HASH, 'responder')
    const step4 = new Uint8Array(14)
    new DataView(step4.buffer).setUint32(8, CRYPTO_PLAINTEXT)
    const end = initiator.push(cipher.encrypt.crypt(step4))
    expect(end.type === 'failed' && end.reason).toMatch(/did not offer/)
  })
})

describe('MSE responder against hostile input', () => {
  const responder = () => new MseResponder({ findTorrent, accept: CRYPTO_RC4 | CRYPTO_PLAINTEXT })

  it('a truncated key gets no answer and no failure: the listener\'s timeout ends it', () => {
    const r = responder()
    expect(r.push(randomBytes(95))).toEqual({ type: 'pending', send: null })
  })

  it('garbage or endless padding: fails once 532 bytes after the key hold no sync marker', () => {
    const r = responder()
    const first = r.push(dhKeyPair().publicKey)
    expect(first.type === 'pending' && first.send?.length).toBeGreaterThanOrEqual(96)
    let step: ResponderStep = first
    let fed = 0
    while (step.type === 'pending' && fed < 100_000) {
      step = r.push(randomBytes(10))
      fed += 10
    }
    expect(step.type === 'failed' && step.reason).toMatch(/no sync marker within 532 bytes/)
    expect(fed).toBeLessThanOrEqual(540)
    expect(r.push(randomBytes(10)).type).toBe('failed') // and stays failed
  })

  it('an invalid key (0, or P) fails at once', () => {
    expect(responder().push(key96(0n)).type).toBe('failed')
    expect(responder().push(key96(P)).type).toBe('failed')
  })

  /** A well-formed step 1 and 3 from an honest initiator, but with `tamper` applied to the encrypted fields. */
  function step3With(plain: { vc?: Uint8Array; provide?: number; padC?: number; ia?: number }): ResponderStep {
    const r = responder()
    const a = dhKeyPair()
    const step2 = r.push(a.publicKey)
    if (step2.type !== 'pending' || !step2.send) throw new Error('no step 2')
    const secret = dhSecret(a.privateKey, step2.send.subarray(0, 96))!
    const cipher = peerCipher(secret, INFO_HASH, 'initiator')
    const padC = plain.padC ?? 0
    const fields = new Uint8Array(8 + 4 + 2 + Math.min(padC, 600) + 2)
    fields.set(plain.vc ?? new Uint8Array(8))
    const view = new DataView(fields.buffer)
    view.setUint32(8, plain.provide ?? CRYPTO_RC4)
    view.setUint16(12, padC)
    view.setUint16(14 + Math.min(padC, 600), plain.ia ?? 0)
    return r.push(Buffer.concat([req1Hash(secret), xor(req2Hash(INFO_HASH), req3Hash(secret)), cipher.encrypt.crypt(fields)]))
  }

  it('refuses a wrong verification constant, long PadC, huge IA and an empty crypto_provide', () => {
    expect(step3With({ vc: new Uint8Array([0, 0, 0, 0, 0, 0, 0, 1]) })).toMatchObject({ type: 'failed', reason: expect.stringMatching(/verification constant/) })
    expect(step3With({ padC: 513 })).toMatchObject({ type: 'failed', reason: expect.stringMatching(/PadC/) })
    expect(step3With({ ia: 60_000 })).toMatchObject({ type: 'failed', reason: expect.stringMatching(/initial payload/) })
    expect(step3With({ provide: 0 })).toMatchObject({ type: 'failed', reason: expect.stringMatching(/none of which/) })
    expect(step3With({})).toMatchObject({ type: 'done', transport: 'rc4' })
  })
})

describe('inbound handshake: plaintext or MSE', () => {
  const inbound = (encryption: 'prefer' | 'require' | 'off') => new InboundHandshake({ encryption, findTorrent })

  it('passes a plaintext handshake through, byte for byte, unless encryption is required', () => {
    const hs = Buffer.concat([handshake(), Buffer.from('more')])
    for (const mode of ['prefer', 'off'] as const) {
      const h = inbound(mode)
      expect(h.push(hs.subarray(0, 10)).type).toBe('pending')
      const step = h.push(hs.subarray(10))
      expect(step).toMatchObject({ type: 'ready', infoHash: INFO_HASH_HEX, crypto: { transport: 'plaintext', cipher: null } })
      if (step.type === 'ready') expect(Buffer.from(step.head).equals(hs)).toBe(true)
    }
    expect(inbound('require').push(hs)).toMatchObject({ type: 'failed', reason: expect.stringMatching(/requires encryption/) })
  })

  it('runs MSE for anything else, and gives the page the decrypted handshake first', () => {
    const hs = handshake()
    const h = inbound('require')
    const initiator = new MseInitiator(INFO_HASH, CRYPTO_RC4, hs.subarray(0, 30)) // the rest of the handshake after step 4
    const step2 = h.push(initiator.start())
    expect(step2.type).toBe('pending')
    const step3 = initiator.push((step2 as { send: Uint8Array }).send)
    const step4 = h.push((step3 as { send: Uint8Array }).send)
    expect(step4.type).toBe('pending') // only 30 bytes of the handshake so far
    const done = initiator.push((step4 as { send: Uint8Array }).send)
    expect(done.type).toBe('done')
    if (done.type !== 'done') return
    const ready = h.push(done.cipher!.encrypt.crypt(Buffer.concat([hs.subarray(30), Buffer.from('bitfield')])))
    expect(ready).toMatchObject({ type: 'ready', infoHash: INFO_HASH_HEX, crypto: { transport: 'rc4' } })
    if (ready.type === 'ready') expect(Buffer.from(ready.head).toString('latin1')).toBe(Buffer.concat([hs, Buffer.from('bitfield')]).toString('latin1'))
  })

  it('refuses MSE when encryption is off, and a handshake for another torrent inside MSE', () => {
    expect(inbound('off').push(randomBytes(96)).type).toBe('failed')
    const other = createHash('sha1').update('another').digest()
    const h = inbound('prefer')
    const initiator = new MseInitiator(INFO_HASH, CRYPTO_RC4, handshake(other))
    const step2 = h.push(initiator.start())
    const step3 = initiator.push((step2 as { send: Uint8Array }).send)
    expect(h.push((step3 as { send: Uint8Array }).send)).toMatchObject({ type: 'failed', reason: expect.stringMatching(/another torrent/) })
  })
})
