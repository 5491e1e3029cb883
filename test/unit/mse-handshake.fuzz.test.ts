// Property-based tests (fast-check) of protocol encryption's handshake (bridge/peer-connection/mse): the first bytes
// of every TCP peer, dialed or inbound, are a stranger's. A peer that follows the protocol only as
// far as it likes, lies in any length field, or sends garbage forever, in any chunking, must end in
// `failed` (or `done` exactly when a model of the spec says so) within a bounded number of bytes,
// and nothing may escape as an exception.
import { createHash } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { InboundHandshake, type InboundStep } from '../../bridge/peer-connection/mse/inbound-handshake'
import {
  CRYPTO_PLAINTEXT, CRYPTO_RC4, DH_KEY_LENGTH, MAX_PAD, dhKeyPair, dhSecret, peerCipher, req1Hash, req2Hash, req3Hash, xor, type PeerCipher,
} from '../../bridge/peer-connection/mse/mse-crypto'
import { MAX_INITIAL_PAYLOAD, MseInitiator, MseResponder, type MseStep } from '../../bridge/peer-connection/mse/mse-handshake'
import type { EncryptionMode } from '../../bridge/peer-connection/mse/peer-crypto'
import { chunked, chunkSizes, runs } from '../support/property'

const INFO_HASH = createHash('sha1').update('a torrent').digest()
const INFO_HASH_HEX = INFO_HASH.toString('hex')
const OTHER_HASH = createHash('sha1').update('another torrent').digest()
const P = BigInt('0xffffffffffffffffc90fdaa22168c234c4c6628b80dc1cd129024e088a67cc74020bbea63b139b22514a08798e3404ddef9519b3cd3a431b302b0a6df25f14374fe1356d6d51c245e485b576625e7ec6f44c42e9a63a36210000000000090563')
const key96 = (n: bigint): Uint8Array => Buffer.from(n.toString(16).padStart(DH_KEY_LENGTH * 2, '0'), 'hex')
const findTorrent = (req2: Uint8Array): string | null => (Buffer.from(req2).equals(Buffer.from(req2Hash(INFO_HASH))) ? INFO_HASH_HEX : null)
const concat = (...parts: Uint8Array[]): Uint8Array => Uint8Array.from(Buffer.concat(parts))
/** A deterministic filler, so that large pads and payloads cost no generation time. */
const filler = (n: number, seed: number): Uint8Array => new Uint8Array(n).map((_, i) => (i * 131 + seed * 7 + 11) & 0xff)

/** Most bytes after the key that a responder may wait for: PadA, the sync hash, SKEY, VC fields, PadC, len(IA), IA. */
const RESPONDER_BOUND = MAX_PAD + 20 + 20 + 14 + MAX_PAD + 2 + MAX_INITIAL_PAYLOAD
/** Garbage is refused once this many bytes after the key hold no sync hash (responder) or VC (initiator). */
const RESPONDER_SYNC_WINDOW = MAX_PAD + 20
const INITIATOR_VC_WINDOW = MAX_PAD + 8

type KeyKind = 'valid' | '0' | '1' | 'P-1' | 'P' | '2^768-1'
const keyKind = fc.oneof({ weight: 12, arbitrary: fc.constant<KeyKind>('valid') }, { weight: 1, arbitrary: fc.constantFrom<KeyKind>('0', '1', 'P-1', 'P', '2^768-1') })
function badKey(kind: Exclude<KeyKind, 'valid'>): Uint8Array {
  return key96({ '0': 0n, '1': 1n, 'P-1': P - 1n, P, '2^768-1': (1n << 768n) - 1n }[kind])
}
/** A pad length a peer may choose: legal (0-512), at the limit, or over it. */
const padLength = fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 0, max: 40 }) }, { weight: 2, arbitrary: fc.constantFrom(0, MAX_PAD - 1, MAX_PAD, MAX_PAD + 1) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: MAX_PAD + 100 }) })
const cryptoBits = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(CRYPTO_PLAINTEXT, CRYPTO_RC4, CRYPTO_PLAINTEXT | CRYPTO_RC4) },
  { weight: 1, arbitrary: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffffffff })) })

/** A stream cut short one time in four, anywhere. */
const sometimesCut = fc.oneof({ weight: 3, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.nat() })

/** Feeds `stream` chunk by chunk until a step is not pending; returns it, with how many bytes it had been given. */
function feed<S extends { type: string }>(push: (b: Uint8Array) => S, stream: Uint8Array, sizes: readonly number[], sent?: Uint8Array[]): { step: S | undefined; fed: number } {
  let step: S | undefined
  let fed = 0
  for (const chunk of chunked(stream, sizes)) {
    step = push(chunk)
    fed += chunk.length
    const send = (step as { send?: Uint8Array | null }).send
    if (sent && send) sent.push(send)
    if (step.type !== 'pending') break
  }
  return { step, fed }
}

/** What the responder must end in, read from the spec's field lengths: the outcome at `available` bytes after Ya. */
function responderModel(plan: ResponderPlan, available: number, accept: number, preferred: number | undefined):
  { type: 'failed' } | { type: 'pending' } | { type: 'done'; need: number; selected: number } {
  if (plan.ya !== 'valid') return { type: 'failed' }
  if (!plan.req1Ok || plan.padA > MAX_PAD) return { type: available >= RESPONDER_SYNC_WINDOW ? 'failed' : 'pending' }
  let need = plan.padA + 20
  const steps: [number, boolean][] = [
    [20, !plan.skeyOk],
    [14, !plan.vcOk || plan.padC > MAX_PAD],
    [plan.padC, false],
    [2, plan.iaLength > MAX_INITIAL_PAYLOAD],
    [plan.iaLength, false],
  ]
  if (available < need) return { type: 'pending' }
  for (const [length, fails] of steps) {
    need += length
    if (available < need) return { type: 'pending' }
    if (fails) return { type: 'failed' }
  }
  const offered = plan.provide & accept
  const pick = preferred ?? CRYPTO_RC4
  const selected = offered & pick ? pick : offered & CRYPTO_RC4 ? CRYPTO_RC4 : offered & CRYPTO_PLAINTEXT ? CRYPTO_PLAINTEXT : 0
  return selected ? { type: 'done', need, selected } : { type: 'failed' }
}

interface ResponderPlan {
  ya: KeyKind
  padA: number
  req1Ok: boolean
  skeyOk: boolean
  vcOk: boolean
  provide: number
  padC: number
  iaLength: number
  extra: Uint8Array
  cut: number | null
  seed: number
}
const responderPlan: fc.Arbitrary<ResponderPlan> = fc.record({
  ya: keyKind,
  padA: padLength,
  req1Ok: fc.oneof({ weight: 8, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  skeyOk: fc.oneof({ weight: 8, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  vcOk: fc.oneof({ weight: 8, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  provide: cryptoBits,
  padC: padLength,
  iaLength: fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 0, max: 100 }) },
    { weight: 1, arbitrary: fc.constantFrom(68, MAX_INITIAL_PAYLOAD, MAX_INITIAL_PAYLOAD + 1, 0xffff) }),
  extra: fc.uint8Array({ maxLength: 200 }),
  cut: sometimesCut,
  seed: fc.nat(),
})

describe('MSE responder (a peer dialing us) against a hostile initiator', () => {
  it('ends as the spec says whatever the initiator lies about, in any chunking; done hands over exactly IA and what followed', () => {
    const modes = fc.constantFrom<[number, number | undefined]>([CRYPTO_RC4 | CRYPTO_PLAINTEXT, undefined], [CRYPTO_RC4 | CRYPTO_PLAINTEXT, CRYPTO_PLAINTEXT], [CRYPTO_RC4, CRYPTO_RC4])
    fc.assert(fc.property(responderPlan, chunkSizes, modes, (plan, sizes, [accept, preferred]) => {
      const responder = new MseResponder({ findTorrent, accept, ...(preferred ? { preferred } : {}) })
      const a = dhKeyPair()
      const ya = plan.ya === 'valid' ? a.publicKey : badKey(plan.ya)
      const step2 = feed((b) => responder.push(b), ya, sizes)
      if (plan.ya !== 'valid') {
        expect(step2.step?.type).toBe('failed')
        expect(responder.push(new Uint8Array(10)).type).toBe('failed')
        return
      }
      expect(step2.step).toMatchObject({ type: 'pending', send: expect.any(Uint8Array) })
      const yb = (step2.step as { send: Uint8Array }).send.subarray(0, DH_KEY_LENGTH)
      const secret = dhSecret(a.privateKey, yb)!
      const cipher = peerCipher(secret, plan.skeyOk ? INFO_HASH : OTHER_HASH, 'initiator')
      const req1 = req1Hash(secret)
      if (!plan.req1Ok) req1[plan.seed % 20] = req1[plan.seed % 20]! ^ 0xff
      const fields = new Uint8Array(14)
      if (!plan.vcOk) fields[plan.seed % 8] = 1 + (plan.seed % 255)
      new DataView(fields.buffer).setUint32(8, plan.provide)
      new DataView(fields.buffer).setUint16(12, plan.padC)
      const iaField = new Uint8Array(2)
      new DataView(iaField.buffer).setUint16(0, plan.iaLength)
      const ia = filler(plan.iaLength <= MAX_INITIAL_PAYLOAD ? plan.iaLength : 0, plan.seed)
      const encrypted = cipher.encrypt.crypt(concat(fields, filler(Math.min(plan.padC, MAX_PAD + 100), plan.seed), iaField, ia))
      const model = responderModel(plan, Number.MAX_SAFE_INTEGER, accept, preferred)
      const rc4 = model.type === 'done' && model.selected === CRYPTO_RC4
      const extraOnWire = rc4 ? cipher.encrypt.crypt(Uint8Array.from(plan.extra)) : plan.extra
      const full = concat(filler(plan.padA, plan.seed + 1), req1, xor(req2Hash(plan.skeyOk ? INFO_HASH : OTHER_HASH), req3Hash(secret)), encrypted, extraOnWire)
      const stream = plan.cut === null ? full : full.subarray(0, plan.cut % (full.length + 1))

      const { step, fed } = feed((b) => responder.push(b), stream, sizes)
      const want = responderModel(plan, fed, accept, preferred)
      expect(step?.type ?? 'pending').toBe(want.type)
      if (want.type === 'done' && step?.type === 'done') {
        expect(step.infoHash).toBe(INFO_HASH_HEX)
        expect(step.transport).toBe(want.selected === CRYPTO_RC4 ? 'rc4' : 'obfuscated')
        expect(step.cipher === null).toBe(want.selected !== CRYPTO_RC4)
        expect(Buffer.from(step.payload).equals(Buffer.concat([ia, plan.extra.subarray(0, fed - want.need)]))).toBe(true)
        // step 4 says what was selected, under the responder's key stream
        const step4 = cipher.decrypt.crypt(Uint8Array.from(step.send!))
        expect([...step4.subarray(0, 8)]).toEqual(new Array(8).fill(0))
        expect(new DataView(step4.buffer).getUint32(8)).toBe(want.selected)
      }
      if (step && step.type !== 'pending') expect(responder.push(new Uint8Array(1)).type).toBe('failed') // and stays over
      if (step?.type === 'pending') expect(fed).toBeLessThan(RESPONDER_BOUND)
    }), runs(200))
  })

  it('the largest IA, one byte per read, completes (the queue of 16,000 one-byte chunks stays linear)', () => {
    const ia = filler(MAX_INITIAL_PAYLOAD, 5)
    const initiator = new MseInitiator(INFO_HASH, CRYPTO_RC4, ia)
    const responder = new MseResponder({ findTorrent, accept: CRYPTO_RC4 })
    const step2 = responder.push(initiator.start())
    const step3 = initiator.push((step2 as { send: Uint8Array }).send)
    const { step } = feed((b) => responder.push(b), (step3 as { send: Uint8Array }).send, [1])
    expect(step?.type).toBe('done')
    if (step?.type === 'done') expect(Buffer.from(step.payload).equals(Buffer.from(ia))).toBe(true)
  })

  it('garbage after a valid key, forever, in any chunking: failed within the sync window, nothing escapes', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 0, maxLength: 1200 }), chunkSizes, (garbage, sizes) => {
      const responder = new MseResponder({ findTorrent, accept: CRYPTO_RC4 | CRYPTO_PLAINTEXT })
      const { step, fed } = feed((b) => responder.push(b), concat(dhKeyPair().publicKey, garbage), sizes)
      const after = fed - DH_KEY_LENGTH
      expect(step?.type).toBe(after >= RESPONDER_SYNC_WINDOW ? 'failed' : 'pending')
    }), runs(200))
  })
})

interface InitiatorPlan {
  yb: KeyKind
  padB: number
  vcOk: boolean
  select: number
  padD: number
  payload: Uint8Array
  cut: number | null
  seed: number
}
const initiatorPlan: fc.Arbitrary<InitiatorPlan> = fc.record({
  yb: keyKind,
  padB: padLength,
  vcOk: fc.oneof({ weight: 8, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  select: cryptoBits,
  padD: padLength,
  payload: fc.uint8Array({ maxLength: 200 }),
  cut: sometimesCut,
  seed: fc.nat(),
})

function initiatorModel(plan: InitiatorPlan, available: number, provide: number): { type: 'failed' } | { type: 'pending' } | { type: 'done'; need: number } {
  if (plan.yb !== 'valid') return { type: 'failed' }
  if (!plan.vcOk || plan.padB > MAX_PAD) return { type: available >= INITIATOR_VC_WINDOW ? 'failed' : 'pending' }
  let need = plan.padB + 8
  if (available < need) return { type: 'pending' }
  need += 6
  if (available < need) return { type: 'pending' }
  if ((plan.select !== CRYPTO_RC4 && plan.select !== CRYPTO_PLAINTEXT) || (plan.select & provide) === 0 || plan.padD > MAX_PAD) return { type: 'failed' }
  need += plan.padD
  return available < need ? { type: 'pending' } : { type: 'done', need }
}

describe('MSE initiator (us dialing a peer) against a hostile responder', () => {
  it('ends as the spec says whatever the responder lies about, in any chunking; done hands over exactly what followed', () => {
    fc.assert(fc.property(initiatorPlan, chunkSizes, fc.constantFrom(CRYPTO_RC4, CRYPTO_RC4 | CRYPTO_PLAINTEXT, CRYPTO_PLAINTEXT), (plan, sizes, provide) => {
      const hs = filler(68, plan.seed)
      const initiator = new MseInitiator(INFO_HASH, provide, hs)
      const ya = initiator.start().subarray(0, DH_KEY_LENGTH)
      const b = dhKeyPair()
      const yb = plan.yb === 'valid' ? b.publicKey : badKey(plan.yb)
      let cipher: PeerCipher | null = null
      let head = yb
      if (plan.yb === 'valid') {
        cipher = peerCipher(dhSecret(b.privateKey, ya)!, INFO_HASH, 'responder')
        const fields = new Uint8Array(8 + 6)
        new DataView(fields.buffer).setUint32(8, plan.select)
        new DataView(fields.buffer).setUint16(12, plan.padD)
        const encrypted = cipher.encrypt.crypt(concat(fields, filler(Math.min(plan.padD, MAX_PAD + 100), plan.seed)))
        if (!plan.vcOk) encrypted[plan.seed % 8] = encrypted[plan.seed % 8]! ^ (1 + (plan.seed % 255))
        const rc4 = plan.select === CRYPTO_RC4
        head = concat(yb, filler(plan.padB, plan.seed + 3), encrypted, rc4 ? cipher.encrypt.crypt(Uint8Array.from(plan.payload)) : plan.payload)
      }
      const stream = plan.cut === null ? head : head.subarray(0, plan.cut % (head.length + 1))
      const sent: Uint8Array[] = []
      const { step, fed } = feed<MseStep>((x) => initiator.push(x), stream, sizes, sent)
      const want = fed < DH_KEY_LENGTH ? { type: 'pending' as const } : initiatorModel(plan, fed - DH_KEY_LENGTH, provide)
      expect(step?.type ?? 'pending').toBe(want.type)
      if (want.type === 'done' && step?.type === 'done') {
        expect(step.transport).toBe(plan.select === CRYPTO_RC4 ? 'rc4' : 'obfuscated')
        expect(Buffer.from(step.payload).equals(Buffer.from(plan.payload.subarray(0, fed - DH_KEY_LENGTH - want.need)))).toBe(true)
        // step 3 carried our handshake (IA) to the responder, readable with its key
        const step3 = Buffer.concat(sent)
        const readable = cipher!.decrypt.crypt(Uint8Array.from(step3.subarray(40)))
        expect(Buffer.from(readable.subarray(16, 16 + 68)).equals(Buffer.from(hs))).toBe(true)
      }
      if (step && step.type !== 'pending') expect(initiator.push(new Uint8Array(1)).type).toBe('failed')
    }), runs(200))
  })

  it('garbage after a valid key, forever, in any chunking: failed within the VC window, nothing escapes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 1200 }), chunkSizes, (garbage, sizes) => {
      const initiator = new MseInitiator(INFO_HASH, CRYPTO_RC4 | CRYPTO_PLAINTEXT, filler(68, 1))
      initiator.start()
      const { step, fed } = feed((b) => initiator.push(b), concat(dhKeyPair().publicKey, garbage), sizes)
      expect(step?.type).toBe(fed - DH_KEY_LENGTH >= INITIATOR_VC_WINDOW ? 'failed' : 'pending')
    }), runs(200))
  })
})

describe('inbound handshake (plaintext or MSE) against any first bytes', () => {
  const header = Uint8Array.from([19, ...Buffer.from('BitTorrent protocol', 'latin1')])
  const firstBytes = fc.oneof(
    fc.uint8Array({ maxLength: 900 }),
    // a plaintext header, whole or cut, then anything
    fc.tuple(fc.integer({ min: 1, max: 20 }), fc.uint8Array({ maxLength: 120 })).map(([n, rest]) => concat(header.subarray(0, n), rest)),
    // a header with one byte wrong
    fc.tuple(fc.nat({ max: 19 }), fc.uint8Array({ minLength: 48, maxLength: 700 })).map(([at, rest]) => { const h = Uint8Array.from(header); h[at] = h[at]! ^ 0x40; return concat(h, rest) }),
  )
  const mode = fc.constantFrom<EncryptionMode>('prefer', 'require', 'off')

  it('the outcome does not depend on the chunking, is reached within a bounded number of bytes, and nothing escapes', () => {
    fc.assert(fc.property(firstBytes, mode, chunkSizes, chunkSizes, (bytes, encryption, sizesA, sizesB) => {
      const a = feedAll(encryption, bytes, sizesA)
      const b = feedAll(encryption, bytes, sizesB)
      expect(a.type).toBe(b.type)
      const plaintext = bytes.length >= 20 && header.every((x, i) => bytes[i] === x)
      if (a.type === 'ready' && b.type === 'ready') {
        expect(plaintext).toBe(true)
        expect(a.infoHash).toBe(Buffer.from(bytes.subarray(28, 48)).toString('hex'))
        expect(Buffer.from(a.head).equals(Buffer.from(bytes))).toBe(true)
        expect(Buffer.from(b.head).equals(Buffer.from(bytes))).toBe(true)
      }
      if (plaintext) expect(a.type).toBe(encryption === 'require' ? 'failed' : bytes.length >= 68 ? 'ready' : 'pending')
      // garbage is not a handshake: off refuses it at once, the others once the MSE sync window is past
      if (!plaintext && bytes.length > 0 && !header.subarray(0, bytes.length).every((x, i) => bytes[i] === x)) {
        if (encryption === 'off') expect(a.type).toBe('failed')
        else if (bytes.length >= DH_KEY_LENGTH && !validKey(bytes.subarray(0, DH_KEY_LENGTH))) expect(a.type).toBe('failed')
        else expect(a.type).toBe(bytes.length >= DH_KEY_LENGTH + RESPONDER_SYNC_WINDOW ? 'failed' : 'pending')
      }
    }), runs(300))
  })

  it('an honest encrypting peer gets through in any chunking, its handshake split anywhere between IA and the stream', () => {
    const handshake = fc.uint8Array({ minLength: 20, maxLength: 20 }).map((id) => concat(header, new Uint8Array(8), INFO_HASH, id))
    fc.assert(fc.property(handshake, fc.integer({ min: 0, max: 68 }), fc.uint8Array({ maxLength: 100 }), fc.constantFrom<EncryptionMode>('prefer', 'require'),
      fc.constantFrom(CRYPTO_RC4, CRYPTO_RC4 | CRYPTO_PLAINTEXT), chunkSizes, (hs, split, after, encryption, provide, sizes) => {
        const inbound = new InboundHandshake({ encryption, findTorrent })
        const initiator = new MseInitiator(INFO_HASH, provide, hs.subarray(0, split))
        const toB: Uint8Array[] = []
        const s2 = feed((b) => inbound.push(b), initiator.start(), sizes, toB)
        expect(s2.step?.type).toBe('pending')
        const toA: Uint8Array[] = []
        feed((b) => initiator.push(b), concat(...toB), sizes, toA)
        const toB2: Uint8Array[] = []
        const s4 = feed((b) => inbound.push(b), concat(...toA), sizes, toB2)
        const done = initiator.push(concat(...toB2))
        expect(done.type).toBe('done')
        if (done.type !== 'done') return
        const rest = concat(hs.subarray(split), after)
        let ready = s4.step as InboundStep
        if (ready.type === 'pending') ready = feed((b) => inbound.push(b), done.cipher ? done.cipher.encrypt.crypt(Uint8Array.from(rest)) : rest, sizes).step!
        expect(ready.type).toBe('ready')
        if (ready.type !== 'ready') return
        expect(ready.infoHash).toBe(INFO_HASH_HEX)
        expect(ready.crypto.transport).toBe(encryption === 'require' || provide === CRYPTO_RC4 ? 'rc4' : 'obfuscated')
        // the page gets the whole plaintext handshake first, then whatever came with it
        expect(Buffer.from(ready.head.subarray(0, 68)).equals(Buffer.from(hs))).toBe(true)
        expect(Buffer.from(after).subarray(0, ready.head.length - 68).equals(Buffer.from(ready.head.subarray(68)))).toBe(true)
      }), runs(150))
  })
})

/** A Diffie-Hellman public key in 2..P-2, as the spec allows. */
function validKey(key: Uint8Array): boolean {
  const y = BigInt(`0x${Buffer.from(key).toString('hex')}`)
  return y >= 2n && y <= P - 2n
}

/** The last step of an inbound handshake fed `bytes` in chunks of `sizes`, pushing on until it is not pending. */
function feedAll(encryption: EncryptionMode, bytes: Uint8Array, sizes: readonly number[]): InboundStep {
  const inbound = new InboundHandshake({ encryption, findTorrent })
  const { step } = feed((b) => inbound.push(b), bytes, sizes)
  return step ?? { type: 'pending', send: null }
}
