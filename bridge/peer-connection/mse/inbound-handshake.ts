/**
 * The first bytes of a connection to the bridge's peer port, plaintext or MSE, up to the peer's
 * plaintext BitTorrent handshake: which torrent it wants, the bytes the page gets first, and the
 * cipher for the rest. Bytes in and out, no sockets.
 */
import { handshakeInfoHash } from '../../../src/core/peer-connection/peer-handshake'
import { HANDSHAKE_LENGTH } from '../../../src/protocol/bridge-frames'
import { ByteQueue } from './byte-queue'
import { MseResponder } from './mse-handshake'
import { inboundAccept, inboundPreferred, PLAINTEXT, type EncryptionMode, type PeerCrypto } from './peer-crypto'

/** 19, "BitTorrent protocol": how every plaintext handshake starts. */
const PROTOCOL_HEADER = new Uint8Array([19, ...Buffer.from('BitTorrent protocol', 'latin1')])

export type InboundStep =
  | { type: 'pending'; send: Uint8Array | null }
  | { type: 'failed'; reason: string }
  | { type: 'ready'; send: Uint8Array | null; infoHash: string; head: Uint8Array; crypto: PeerCrypto }

export interface InboundHandshakeOptions {
  encryption: EncryptionMode
  /** The registered info-hash whose HASH('req2', info-hash) this is, or null. */
  findTorrent(req2: Uint8Array): string | null
}

export class InboundHandshake {
  private kind: 'unknown' | 'plaintext' | 'mse' | 'inner' | 'over' = 'unknown'
  private readonly queue = new ByteQueue()
  private responder: MseResponder | null = null
  private crypto: PeerCrypto = PLAINTEXT
  private skey = ''

  constructor(private readonly opts: InboundHandshakeOptions) {}

  push(chunk: Uint8Array): InboundStep {
    switch (this.kind) {
      case 'over':
        return this.fail('the handshake is over')
      case 'unknown': {
        this.queue.push(chunk)
        const first = this.queue.peek(PROTOCOL_HEADER.length)
        if (first.every((b, i) => b === PROTOCOL_HEADER[i])) {
          if (first.length < PROTOCOL_HEADER.length) return { type: 'pending', send: null }
          if (this.opts.encryption === 'require') return this.fail('a plaintext handshake, and this bridge requires encryption')
          this.kind = 'plaintext'
          return this.handshake(null)
        }
        if (this.opts.encryption === 'off') return this.fail('not a BitTorrent handshake (and encryption is off)')
        this.kind = 'mse'
        this.responder = new MseResponder({ findTorrent: this.opts.findTorrent, accept: inboundAccept(this.opts.encryption), preferred: inboundPreferred(this.opts.encryption) })
        return this.mse(this.queue.takeAll())
      }
      case 'plaintext':
        this.queue.push(chunk)
        return this.handshake(null)
      case 'mse':
        return this.mse(chunk)
      case 'inner':
        this.queue.push(this.crypto.cipher ? this.crypto.cipher.decrypt.crypt(chunk) : chunk)
        return this.handshake(null)
    }
  }

  private mse(chunk: Uint8Array): InboundStep {
    const step = this.responder!.push(chunk)
    if (step.type !== 'done') return step.type === 'failed' ? this.fail(`MSE: ${step.reason}`) : step
    this.responder = null
    this.kind = 'inner'
    this.skey = step.infoHash
    this.crypto = { transport: step.transport, cipher: step.cipher }
    this.queue.push(step.payload)
    return this.handshake(step.send)
  }

  /** Ready once the (plaintext or decrypted) BitTorrent handshake is all here. */
  private handshake(send: Uint8Array | null): InboundStep {
    if (this.queue.length < HANDSHAKE_LENGTH) return { type: 'pending', send }
    const head = this.queue.takeAll()
    const infoHash = handshakeInfoHash(head)
    if (!infoHash) return this.fail(this.kind === 'inner' ? 'no BitTorrent handshake inside the encrypted stream' : 'not a BitTorrent handshake')
    if (this.kind === 'inner' && infoHash !== this.skey) return this.fail('the handshake names another torrent than the encrypted stream')
    this.kind = 'over'
    return { type: 'ready', send, infoHash, head, crypto: this.crypto }
  }

  private fail(reason: string): InboundStep {
    this.kind = 'over'
    return { type: 'failed', reason }
  }
}
