/**
 * The bridge's inbound BitTorrent port: reads each connection's handshake, plaintext or MSE (see
 * mse/inbound-handshake.ts), and hands the connection to whoever registered its info-hash;
 * anything else is closed. A peer that sends garbage, a truncated key, endless padding or nothing
 * costs one socket, a few KiB and one key exchange for at most the handshake timeout.
 */
import net from 'node:net'
import { InboundHandshake } from './mse/inbound-handshake'
import type { EncryptionMode, PeerCrypto } from './mse/peer-crypto'
import { adoptShared, setReader } from './shared-reads'
import { log } from '../log'

export interface PeerListenerOptions {
  port: number
  host: string
  handshakeTimeoutMs: number
  maxPending: number
  /** Of those, from one address: one host cannot take every slot and keep real peers out. */
  maxPendingPerAddress: number
  encryption: EncryptionMode
  /** The registered info-hash whose HASH('req2', info-hash) this is, or null (MSE names torrents so). */
  findTorrent(req2: Uint8Array): string | null
  /**
   * Takes the socket, paused, with no reader (shared reads: see shared-reads.ts), with the peer's
   * plaintext bytes read so far (its handshake first) and the cipher for what follows; or returns
   * false to have it closed.
   */
  route(infoHash: string, socket: net.Socket, head: Uint8Array, crypto: PeerCrypto): boolean
}

export class PeerListener {
  private pending = 0
  private readonly pendingByAddress = new Map<string, number>()
  private readonly sockets = new Set<net.Socket>()

  private constructor(private readonly server: net.Server, private readonly opts: PeerListenerOptions) {
    server.on('connection', (accepted) => {
      const socket = adoptShared(accepted)
      if (socket) this.accept(socket)
    })
  }

  /**
   * Listens on `opts.host`; `::` is dual-stack (IPv6 and IPv4 peers, these as ::ffff:a.b.c.d),
   * and on a machine without IPv6 it is 0.0.0.0 instead.
   */
  static async start(opts: PeerListenerOptions): Promise<PeerListener> {
    try {
      return new PeerListener(await listen(opts.port, opts.host), opts)
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      if (opts.host !== '::' || (code !== 'EAFNOSUPPORT' && code !== 'EADDRNOTAVAIL')) throw err
      return new PeerListener(await listen(opts.port, '0.0.0.0'), opts)
    }
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port
  }

  /** The address it listens on ('::', '0.0.0.0' or one address). */
  get host(): string {
    return (this.server.address() as net.AddressInfo).address
  }

  private accept(socket: net.Socket): void {
    const address = socket.remoteAddress ?? ''
    const fromAddress = this.pendingByAddress.get(address) ?? 0
    if (this.pending >= this.opts.maxPending || fromAddress >= this.opts.maxPendingPerAddress) {
      socket.destroy()
      return
    }
    this.pending++
    this.pendingByAddress.set(address, fromAddress + 1)
    this.sockets.add(socket)
    const handshake = new InboundHandshake({ encryption: this.opts.encryption, findTorrent: this.opts.findTorrent })
    let settled = false
    const settle = () => {
      if (settled) return false
      settled = true
      this.pending--
      const left = (this.pendingByAddress.get(address) ?? 1) - 1
      if (left > 0) this.pendingByAddress.set(address, left)
      else this.pendingByAddress.delete(address)
      clearTimeout(timer)
      setReader(socket, null)
      return true
    }
    const drop = () => {
      if (settle()) socket.destroy()
    }
    const timer = setTimeout(drop, this.opts.handshakeTimeoutMs)
    const onData = (bytes: Buffer) => {
      // a copy: the handshake keeps bytes across reads, and the read buffer is shared
      const step = handshake.push(Buffer.from(bytes))
      if (step.type === 'failed') return drop()
      if (step.send) socket.write(step.send)
      if (step.type === 'pending') return
      if (!settle()) return
      socket.pause()
      if (!this.opts.route(step.infoHash, socket, step.head, step.crypto)) socket.destroy()
    }
    setReader(socket, onData)
    socket.on('error', drop)
    socket.on('close', () => {
      this.sockets.delete(socket)
      drop()
    })
  }

  close(): Promise<void> {
    for (const s of this.sockets) s.destroy()
    return new Promise((resolve) => this.server.close(() => resolve()))
  }
}

function listen(port: number, host: string): Promise<net.Server> {
  // paused: nothing is read before the connection moves to shared reads
  const server = net.createServer({ pauseOnConnect: true })
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      server.on('error', (err) => log.error({ err: err.message }, 'peer port error'))
      resolve(server)
    })
  })
}
