/**
 * A TCP connection through the SOCKS5 proxy: the bridge connects to the proxy itself (from the
 * outgoing interface, with its own timeout, so that "the proxy cannot be reached" is told apart
 * from "the proxy could not reach the peer"), and the `socks` library speaks SOCKS5 on it
 * (RFC 1928 and RFC 1929's user name and password): CONNECT for peers, trackers and web seeds,
 * UDP ASSOCIATE for UDP trackers (socks-udp.ts).
 *
 * A peer's socket reads into the shared buffer (shared-reads.ts), which the library cannot read
 * from: it speaks through a small Duplex that carries the handshake's bytes, and whatever it read
 * past the proxy's reply goes back in front of the socket's next reads.
 */
import net from 'node:net'
import { Duplex } from 'node:stream'
import { SocksClient, type SocksRemoteHost } from 'socks'
import { connectShared, pushBack, setReader } from './shared-reads'
import { proxyUnreachable, socksFailure, type SocksFailure } from './socks-failure'

/** The proxy as the bridge dials it: its address resolved at start (see outgoing.ts). */
export interface ProxyEndpoint {
  address: string
  port: number
  userId?: string
  password?: string
  /** socks5://host:port, no credentials: for messages. */
  display: string
}

export interface SocksRequest {
  proxy: ProxyEndpoint
  command: 'connect' | 'associate'
  /** CONNECT: the destination, an IP literal or a host name the proxy resolves; ASSOCIATE: where our datagrams come from (0.0.0.0:0 if unknown). */
  target: SocksRemoteHost
  localAddress?: string
  /** The connection to the proxy and the whole exchange. */
  timeoutMs: number
  /** A peer's socket, with shared reads; otherwise an ordinary one (HTTP, a UDP association's control connection). */
  sharedReads: boolean
}

export type SocksResult =
  | {
    ok: true
    /**
     * Connected through the proxy, with no listeners of ours: with shared reads, paused and with
     * no reader; otherwise as the library leaves it (it resumes it, and hands it what it read past
     * its reply, in a setImmediate: add listeners before then).
     */
    socket: net.Socket
    /** ASSOCIATE: where the proxy relays datagrams (its own address when it says 0.0.0.0 or ::). */
    bound: SocksRemoteHost
  }
  | ({ ok: false } & SocksFailure)

export interface SocksAttempt {
  abort(): void
}

export function hostPort(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`
}

export function socksRequest(req: SocksRequest, done: (result: SocksResult) => void): SocksAttempt {
  const { proxy } = req
  const target = hostPort(req.target.host, req.target.port)
  const local = req.localAddress ? { localAddress: req.localAddress } : {}
  const socket = req.sharedReads ? connectShared(proxy.address, proxy.port, req.localAddress)
    : net.connect({ host: proxy.address, port: proxy.port, ...local })
  let connected = false
  let established = false
  /** The proxy has sent something: it is up, whatever becomes of this destination. */
  let answered = false
  let finished = false
  let client: SocksClient | null = null
  let adapter: Duplex | null = null

  const finish = (result: SocksResult) => {
    if (finished) return
    finished = true
    clearTimeout(timer)
    socket.off('connect', onConnect)
    socket.off('error', onError)
    socket.off('close', onClose)
    socket.off('data', onAnswer)
    client?.removeAllListeners()
    client?.on('error', () => {}) // its own timer may still fire: an 'error' with no listener would throw
    if (!result.ok) {
      socket.on('error', () => {}) // a late error on a socket we dropped must not throw
      socket.destroy()
    }
    done(result)
  }
  const failed = (failure: SocksFailure) => finish({ ok: false, ...failure })

  const onError = (err: NodeJS.ErrnoException) => {
    if (!connected) return failed(proxyUnreachable(proxy.display, err.code ?? err.message))
    if (established) return failed({ proxyDown: false, reason: `connection to ${target} lost (${err.code ?? err.message})` })
    // during the exchange: the library hears of it through its transport and fails in its words
    // (an ordinary socket is its transport already)
    adapter?.emit('error', err)
  }
  const onClose = () => {
    if (!connected) return failed(proxyUnreachable(proxy.display, 'closed'))
    if (established) return failed({ proxyDown: false, reason: `${target} closed the connection` })
    adapter?.emit('close')
  }
  const onAnswer = () => { answered = true }
  const onConnect = () => {
    connected = true
    let transport: Duplex = socket
    if (req.sharedReads) {
      // the library reads 'data' events; a shared-reads socket has none: a Duplex carries them
      adapter = new Duplex({ read() {}, write: (chunk: Buffer, _enc, cb) => socket.write(chunk, cb) })
      const a = adapter
      setReader(socket, (bytes) => {
        answered = true
        a.emit('data', Buffer.from(bytes)) // a copy: the read buffer is shared; emitted, not pushed, so nothing waits in the Duplex
      })
      transport = adapter
    } else {
      socket.prependListener('data', onAnswer)
    }
    client = new SocksClient({
      command: req.command,
      destination: req.target,
      proxy: { host: proxy.address, ipaddress: proxy.address, port: proxy.port, type: 5, ...(proxy.userId !== undefined ? { userId: proxy.userId, password: proxy.password ?? '' } : {}) },
      existing_socket: transport,
      timeout: req.timeoutMs,
    })
    client.on('error', (err) => failed(socksFailure(err.message, answered, proxy.display, target)))
    client.on('established', (info) => {
      established = true
      const bound = boundAddress(info.remoteHost, proxy.address)
      if (!req.sharedReads) {
        socket.off('data', onAnswer)
        return finish({ ok: true, socket, bound })
      }
      // The library hands what it read past its reply to the transport in a setImmediate of its
      // own (queued before this one): catch it, and put it back in front of the socket's reads.
      setReader(socket, null) // reads from here on are kept for the next reader, in order
      const early: Buffer[] = []
      adapter!.on('data', (bytes: Buffer) => early.push(bytes))
      setImmediate(() => {
        if (finished) return
        for (const bytes of early.reverse()) pushBack(socket, bytes)
        socket.pause()
        finish({ ok: true, socket, bound })
      })
    })
    client.connect(transport)
  }

  // once: the library emits 'connect' again on the socket it is given
  socket.once('connect', onConnect)
  socket.on('error', onError)
  socket.on('close', onClose)
  const timer = setTimeout(() => failed(answered ? { proxyDown: false, reason: `no answer from ${target} through the proxy` }
    : { proxyDown: true, unreachable: true, reason: `the proxy ${proxy.display} did not answer` }), req.timeoutMs)

  return {
    abort() {
      if (finished) return
      finished = true
      clearTimeout(timer)
      client?.removeAllListeners()
      client?.on('error', () => {})
      socket.removeAllListeners()
      socket.on('error', () => {})
      socket.destroy()
    },
  }
}

/** The relay's address from the proxy's reply; an unspecified one (0.0.0.0, ::) means the proxy's own. */
function boundAddress(remote: SocksRemoteHost | undefined, proxyAddress: string): SocksRemoteHost {
  if (!remote) return { host: proxyAddress, port: 0 }
  const unspecified = remote.host === '0.0.0.0' || /^[0:]+$/.test(remote.host) || !remote.host
  return { host: unspecified ? proxyAddress : remote.host, port: remote.port }
}
