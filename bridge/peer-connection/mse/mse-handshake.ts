/**
 * The MSE handshake as two state machines, bytes in and bytes out, no sockets:
 *   1 A->B  Ya, PadA
 *   2 B->A  Yb, PadB
 *   3 A->B  HASH('req1', S), HASH('req2', SKEY) xor HASH('req3', S),
 *           ENCRYPT(VC, crypto_provide, len(PadC), PadC, len(IA)), ENCRYPT(IA)
 *   4 B->A  ENCRYPT(VC, crypto_select, len(PadD), PadD), ENCRYPT2(payload)
 *   5 A->B  ENCRYPT2(payload)
 * SKEY is the info-hash; ENCRYPT is RC4 (1024 bytes discarded), ENCRYPT2 the selected method. Every
 * length a peer can choose is bounded, so hostile input ends in `failed` within a few KiB.
 */
import { ByteQueue } from './byte-queue'
import {
  CRYPTO_PLAINTEXT, CRYPTO_RC4, DH_KEY_LENGTH, MAX_PAD, VC_LENGTH, dhKeyPair, dhSecret, peerCipher, randomPad,
  req1Hash, req2Hash, req3Hash, xor, type PeerCipher,
} from './mse-crypto'

/** IA (the initiator's first payload, its BitTorrent handshake in practice) we take at most. */
export const MAX_INITIAL_PAYLOAD = 16 * 1024
const HASH_LENGTH = 20
/** VC, crypto field (4), len(pad) (2). */
const VC_FIELDS = VC_LENGTH + 4 + 2

export type MseStep =
  | { type: 'pending'; send: Uint8Array | null }
  | { type: 'failed'; reason: string }
  | {
    type: 'done'
    send: Uint8Array | null
    /** 'obfuscated': crypto_select was plaintext, only the handshake was encrypted. */
    transport: 'rc4' | 'obfuscated'
    cipher: PeerCipher | null
    /** The peer's plaintext bytes that came with the handshake (the IA, then anything after). */
    payload: Uint8Array
  }

export type ResponderStep = Exclude<MseStep, { type: 'done' }> | (Extract<MseStep, { type: 'done' }> & { infoHash: string })

/** Our side of a connection we dialed (A). */
export class MseInitiator {
  private readonly keys = dhKeyPair()
  private readonly queue = new ByteQueue()
  private state: 'new' | 'yb' | 'vc' | 'select' | 'pad' | 'over' = 'new'
  private cipher: PeerCipher | null = null
  private encryptedVc: Buffer = Buffer.alloc(0)
  private selected = 0
  private padLength = 0

  /** `initialPayload` (IA) goes encrypted with step 3: the page's BitTorrent handshake. */
  constructor(private readonly infoHash: Uint8Array, private readonly provide: number, private readonly initialPayload: Uint8Array) {
    if (infoHash.length !== 20) throw new RangeError('an info-hash is 20 bytes')
    if (initialPayload.length > MAX_INITIAL_PAYLOAD) throw new RangeError(`IA is at most ${MAX_INITIAL_PAYLOAD} bytes`)
  }

  /** Step 1. */
  start(): Uint8Array {
    if (this.state !== 'new') throw new Error('MSE: start() once')
    this.state = 'yb'
    return concat([this.keys.publicKey, randomPad()])
  }

  push(chunk: Uint8Array): MseStep {
    if (this.state === 'new' || this.state === 'over') return this.fail('MSE: no handshake in progress')
    this.queue.push(chunk)
    const send: Uint8Array[] = []
    const pending = (): MseStep => ({ type: 'pending', send: send.length ? concat(send) : null })
    for (;;) {
      switch (this.state) {
        case 'yb': {
          const yb = this.queue.take(DH_KEY_LENGTH)
          if (!yb) return pending()
          const secret = dhSecret(this.keys.privateKey, yb)
          if (!secret) return this.fail('the peer sent an invalid Diffie-Hellman key')
          this.cipher = peerCipher(secret, this.infoHash, 'initiator')
          send.push(this.step3(secret, this.cipher))
          // step 4 starts with ENCRYPT(VC): the first 8 bytes of the peer's key stream
          this.encryptedVc = Buffer.from(this.cipher.decrypt.crypt(new Uint8Array(VC_LENGTH)))
          this.state = 'vc'
          break
        }
        case 'vc': {
          const window = Buffer.from(this.queue.peek(MAX_PAD + VC_LENGTH))
          const at = window.indexOf(this.encryptedVc)
          if (at < 0) {
            return window.length >= MAX_PAD + VC_LENGTH ? this.fail(`no encrypted verification constant within ${MAX_PAD + VC_LENGTH} bytes`) : pending()
          }
          this.queue.skip(at + VC_LENGTH)
          this.state = 'select'
          break
        }
        case 'select': {
          const fields = this.queue.take(4 + 2)
          if (!fields) return pending()
          this.cipher!.decrypt.crypt(fields)
          this.selected = readUint32(fields, 0)
          this.padLength = readUint16(fields, 4)
          if ((this.selected !== CRYPTO_RC4 && this.selected !== CRYPTO_PLAINTEXT) || (this.selected & this.provide) === 0) {
            return this.fail(`the peer selected crypto method ${this.selected}, which we did not offer`)
          }
          if (this.padLength > MAX_PAD) return this.fail(`PadD of ${this.padLength} bytes (at most ${MAX_PAD})`)
          this.state = 'pad'
          break
        }
        case 'pad': {
          const pad = this.queue.take(this.padLength)
          if (!pad) return pending()
          this.cipher!.decrypt.crypt(pad)
          this.state = 'over'
          const rc4 = this.selected === CRYPTO_RC4
          const payload = this.queue.takeAll()
          if (rc4) this.cipher!.decrypt.crypt(payload)
          return { type: 'done', send: send.length ? concat(send) : null, transport: rc4 ? 'rc4' : 'obfuscated', cipher: rc4 ? this.cipher : null, payload }
        }
      }
    }
  }

  private step3(secret: Uint8Array, cipher: PeerCipher): Uint8Array {
    // PadC is empty: the spec reserves it and says "standard practice is zero-length"
    const encrypted = new Uint8Array(VC_FIELDS + 2 + this.initialPayload.length)
    const view = new DataView(encrypted.buffer)
    view.setUint32(VC_LENGTH, this.provide)
    view.setUint16(VC_LENGTH + 4, 0)
    view.setUint16(VC_FIELDS, this.initialPayload.length)
    encrypted.set(this.initialPayload, VC_FIELDS + 2)
    cipher.encrypt.crypt(encrypted)
    return concat([req1Hash(secret), xor(req2Hash(this.infoHash), req3Hash(secret)), encrypted])
  }

  private fail(reason: string): MseStep {
    this.state = 'over'
    return { type: 'failed', reason }
  }
}

export interface ResponderOptions {
  /** The registered info-hash (hex) whose HASH('req2', info-hash) this is, or null. */
  findTorrent(req2: Uint8Array): string | null
  /** crypto methods we take (CRYPTO_RC4 | CRYPTO_PLAINTEXT). */
  accept: number
  /** The one we pick when the peer offers both we take. Default RC4. */
  preferred?: number
}

/** Our side of a connection a peer made to us (B). */
export class MseResponder {
  private readonly keys = dhKeyPair()
  private readonly queue = new ByteQueue()
  private state: 'ya' | 'sync' | 'skey' | 'vc' | 'padc' | 'ialen' | 'ia' | 'over' = 'ya'
  private secret: Uint8Array = new Uint8Array(0)
  private sync: Buffer = Buffer.alloc(0)
  private infoHash = ''
  private cipher: PeerCipher | null = null
  private provided = 0
  private length = 0

  constructor(private readonly opts: ResponderOptions) {}

  push(chunk: Uint8Array): ResponderStep {
    if (this.state === 'over') return this.fail('MSE: the handshake is over')
    this.queue.push(chunk)
    const send: Uint8Array[] = []
    const pending = (): ResponderStep => ({ type: 'pending', send: send.length ? concat(send) : null })
    for (;;) {
      switch (this.state) {
        case 'ya': {
          const ya = this.queue.take(DH_KEY_LENGTH)
          if (!ya) return pending()
          const secret = dhSecret(this.keys.privateKey, ya)
          if (!secret) return this.fail('an invalid Diffie-Hellman key')
          this.secret = secret
          this.sync = Buffer.from(req1Hash(secret))
          send.push(concat([this.keys.publicKey, randomPad()]))
          this.state = 'sync'
          break
        }
        case 'sync': {
          // PadA (0..512 bytes) lies between Ya and HASH('req1', S)
          const window = Buffer.from(this.queue.peek(MAX_PAD + HASH_LENGTH))
          const at = window.indexOf(this.sync)
          if (at < 0) return window.length >= MAX_PAD + HASH_LENGTH ? this.fail(`no sync marker within ${MAX_PAD + HASH_LENGTH} bytes`) : pending()
          this.queue.skip(at + HASH_LENGTH)
          this.state = 'skey'
          break
        }
        case 'skey': {
          const obfuscated = this.queue.take(HASH_LENGTH)
          if (!obfuscated) return pending()
          const infoHash = this.opts.findTorrent(xor(obfuscated, req3Hash(this.secret)))
          if (!infoHash) return this.fail('the peer asked for a torrent nobody registered here')
          this.infoHash = infoHash
          this.cipher = peerCipher(this.secret, Buffer.from(infoHash, 'hex'), 'responder')
          this.state = 'vc'
          break
        }
        case 'vc': {
          const fields = this.queue.take(VC_FIELDS)
          if (!fields) return pending()
          this.cipher!.decrypt.crypt(fields)
          if (fields.subarray(0, VC_LENGTH).some((b) => b !== 0)) return this.fail('wrong verification constant')
          this.provided = readUint32(fields, VC_LENGTH)
          this.length = readUint16(fields, VC_LENGTH + 4)
          if (this.length > MAX_PAD) return this.fail(`PadC of ${this.length} bytes (at most ${MAX_PAD})`)
          this.state = 'padc'
          break
        }
        case 'padc': {
          const pad = this.queue.take(this.length)
          if (!pad) return pending()
          this.cipher!.decrypt.crypt(pad)
          this.state = 'ialen'
          break
        }
        case 'ialen': {
          const field = this.queue.take(2)
          if (!field) return pending()
          this.length = readUint16(this.cipher!.decrypt.crypt(field), 0)
          if (this.length > MAX_INITIAL_PAYLOAD) return this.fail(`an initial payload of ${this.length} bytes (at most ${MAX_INITIAL_PAYLOAD})`)
          this.state = 'ia'
          break
        }
        case 'ia': {
          const ia = this.queue.take(this.length)
          if (!ia) return pending()
          this.cipher!.decrypt.crypt(ia) // IA is always RC4, whatever is selected next
          const offered = this.provided & this.opts.accept
          const preferred = this.opts.preferred ?? CRYPTO_RC4
          const selected = offered & preferred ? preferred : offered & CRYPTO_RC4 ? CRYPTO_RC4 : offered & CRYPTO_PLAINTEXT ? CRYPTO_PLAINTEXT : 0
          if (!selected) return this.fail(`the peer offers crypto methods ${this.provided}, none of which we accept (${this.opts.accept})`)
          send.push(this.step4(selected))
          this.state = 'over'
          const rc4 = selected === CRYPTO_RC4
          const rest = this.queue.takeAll()
          if (rc4) this.cipher!.decrypt.crypt(rest)
          return {
            type: 'done', send: concat(send), infoHash: this.infoHash,
            transport: rc4 ? 'rc4' : 'obfuscated', cipher: rc4 ? this.cipher : null, payload: concat([ia, rest]),
          }
        }
      }
    }
  }

  private step4(selected: number): Uint8Array {
    // PadD is empty, like PadC
    const out = new Uint8Array(VC_FIELDS)
    new DataView(out.buffer).setUint32(VC_LENGTH, selected)
    return this.cipher!.encrypt.crypt(out)
  }

  private fail(reason: string): ResponderStep {
    this.state = 'over'
    return { type: 'failed', reason }
  }
}

function readUint32(b: Uint8Array, at: number): number {
  return new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(at)
}

function readUint16(b: Uint8Array, at: number): number {
  return new DataView(b.buffer, b.byteOffset, b.byteLength).getUint16(at)
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let off = 0
  for (const p of parts) {
    out.set(p, off)
    off += p.length
  }
  return out
}
