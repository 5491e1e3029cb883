/**
 * Dials a peer for a relayed stream and gets its TCP connection ready for the page's bytes: with
 * an MSE handshake (the payload RC4 or plaintext: see outboundProvide) and, under `prefer`, a plaintext retry on a fresh connection when the peer will not
 * speak MSE. The page's BitTorrent handshake goes inside MSE's step 3 (as IA), so the peer answers
 * it at once, as libtorrent does.
 *
 * Why encrypted first, not plaintext first: "prefer" means every peer that can encrypt does, and
 * a plaintext-first dial would end up plaintext with almost all of them (they accept both). Against
 * the common peer the cost is one round trip more per connection (the key exchange) and ~0.2 ms of
 * CPU; against the rare peer with MSE turned off, a second connection; whereas plaintext-first
 * costs a second connection against every peer that requires encryption. libtorrent (pe_enabled),
 * Transmission and aria2 all dial encrypted first too.
 */
import type net from 'node:net'
import { MseInitiator } from './mse/mse-handshake'
import { outboundProvide, PLAINTEXT, type EncryptionMode, type PeerCrypto } from './mse/peer-crypto'
import { Outgoing, type Attempt as Opening } from './outgoing'
import { setReader } from './shared-reads'

export interface DialRequest {
  host: string
  port: number
  infoHash: string
  /** The page's 68-byte BitTorrent handshake. */
  handshake: Uint8Array
  encryption: EncryptionMode
  /** For each attempt: the TCP connect and the MSE exchange together. */
  timeoutMs: number
  /** Directly, from an interface, or through the proxy (outgoing.ts); direct when absent. */
  outgoing?: Outgoing
}

export type DialResult =
  | {
    ok: true
    /** Paused, with no listeners or reader of ours (shared reads: see shared-reads.ts): the caller attaches its own and resumes. */
    socket: net.Socket
    crypto: PeerCrypto
    /** True when the page's handshake went with MSE: the caller must not send it again. */
    handshakeSent: boolean
    /** The peer's plaintext bytes read during the handshake (its BitTorrent handshake, perhaps). */
    payload: Uint8Array
  }
  | { ok: false; reason: string }

export interface PeerDial {
  abort(): void
}

export function dialPeer(req: DialRequest, done: (result: DialResult) => void): PeerDial {
  const where = `${req.host}:${req.port}`
  let current: Attempt | null = null
  let finished = false
  const finish = (result: DialResult) => {
    if (finished) return
    finished = true
    done(result)
  }

  const attempt = (encrypted: boolean) => {
    /** Connected (to the peer, through the proxy when there is one): the peer took the connection. */
    let socket: net.Socket | null = null
    let opening: Opening | null = null
    let mse: MseInitiator | null = null
    const failed = (reason: string) => {
      current?.release(true)
      // the peer took the connection but not MSE: under `prefer`, plaintext on a fresh one
      if (encrypted && socket && req.encryption === 'prefer') attempt(false)
      else if (encrypted && socket) finish({ ok: false, reason: `${where} did not complete an encrypted handshake (${reason}); this bridge requires encryption (--encryption require)` })
      else finish({ ok: false, reason })
    }
    const handlers = {
      error: (err: NodeJS.ErrnoException) => failed(`connection lost (${err.code ?? err.message})`),
      close: () => failed(`${where} closed the connection`),
    }
    const read = (bytes: Buffer) => {
      // a copy: the MSE state machine keeps bytes across reads, and the read buffer is shared
      const step = mse!.push(Buffer.from(bytes))
      if (step.type === 'failed') return failed(step.reason)
      if (step.send) socket!.write(step.send)
      if (step.type === 'done') {
        current?.release(false)
        finish({ ok: true, socket: socket!, crypto: { transport: step.transport, cipher: step.cipher }, handshakeSent: true, payload: step.payload })
      }
    }
    const connected = (s: net.Socket) => {
      opening = null
      socket = s
      s.setNoDelay(true)
      for (const [event, fn] of Object.entries(handlers)) s.on(event, fn)
      if (!encrypted) {
        current?.release(false)
        finish({ ok: true, socket: s, crypto: PLAINTEXT, handshakeSent: false, payload: new Uint8Array(0) })
        return
      }
      mse = new MseInitiator(Buffer.from(req.infoHash, 'hex'), outboundProvide(req.encryption), req.handshake)
      s.write(mse.start())
      // bytes a proxy's handshake read past its reply come first (shared-reads.ts: pushBack)
      setReader(s, read)
      s.resume()
    }
    opening = (req.outgoing ?? Outgoing.DIRECT).connectPeer(req.host, req.port, req.timeoutMs, (result) => {
      if (result.ok) connected(result.socket)
      else {
        opening = null
        failed(result.reason)
      }
    })
    const timer = setTimeout(() => failed(`no answer from ${where}`), req.timeoutMs)
    current = {
      release(destroy) {
        current = null
        clearTimeout(timer)
        opening?.abort()
        opening = null
        if (!socket) return
        socket.pause()
        setReader(socket, null)
        for (const [event, fn] of Object.entries(handlers)) socket.off(event, fn)
        if (destroy) {
          socket.on('error', () => {}) // a late error on a socket we dropped must not throw
          socket.destroy()
        }
      },
    }
  }

  attempt(req.encryption !== 'off')
  return {
    abort() {
      finished = true
      current?.release(true)
    },
  }
}

interface Attempt {
  /** Stops listening (and closes the socket when `destroy`). */
  release(destroy: boolean): void
}
