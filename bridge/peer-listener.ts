/**
 * The bridge's inbound BitTorrent port: reads each connection's handshake and hands the
 * connection to whoever registered its info-hash; anything else is closed. A peer that sends
 * garbage or nothing costs one socket for at most the handshake timeout.
 */
import net from 'node:net'
import { handshakeInfoHash } from '../src/core/bridge-codec'
import { HANDSHAKE_LENGTH } from '../src/protocol/bridge-frames'

export interface PeerListenerOptions {
  port: number
  host: string
  handshakeTimeoutMs: number
  maxPending: number
  /** Takes the socket (and the bytes read so far) or returns false to have it closed. */
  route(infoHash: string, socket: net.Socket, head: Uint8Array): boolean
}

export class PeerListener {
  private pending = 0
  private readonly sockets = new Set<net.Socket>()

  private constructor(private readonly server: net.Server, private readonly opts: PeerListenerOptions) {
    server.on('connection', (socket) => this.accept(socket))
  }

  static async start(opts: PeerListenerOptions): Promise<PeerListener> {
    const server = net.createServer({ pauseOnConnect: false })
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(opts.port, opts.host, () => {
        server.off('error', reject)
        resolve()
      })
    })
    server.on('error', (err) => console.error('[bridge peer port]', err.message))
    return new PeerListener(server, opts)
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port
  }

  private accept(socket: net.Socket): void {
    if (this.pending >= this.opts.maxPending) {
      socket.destroy()
      return
    }
    this.pending++
    this.sockets.add(socket)
    let head = Buffer.alloc(0)
    let settled = false
    const settle = () => {
      if (settled) return false
      settled = true
      this.pending--
      clearTimeout(timer)
      socket.off('data', onData)
      return true
    }
    const drop = () => {
      if (settle()) socket.destroy()
    }
    const timer = setTimeout(drop, this.opts.handshakeTimeoutMs)
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk])
      if (head.length < HANDSHAKE_LENGTH) {
        if (head[0] !== undefined && head[0] !== 19) drop() // not BitTorrent (or encrypted, which we do not speak)
        return
      }
      const infoHash = handshakeInfoHash(head)
      if (!settle()) return
      socket.pause()
      if (!infoHash || !this.opts.route(infoHash, socket, new Uint8Array(head))) socket.destroy()
    }
    socket.on('data', onData)
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
