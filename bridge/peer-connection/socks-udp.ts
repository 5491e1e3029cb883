/**
 * UDP through the SOCKS5 proxy (RFC 1928's UDP ASSOCIATE): a control connection to the proxy that
 * lives as long as the association, and a UDP socket connected to the relay the proxy names, so
 * the kernel drops datagrams from anyone else. Each datagram carries the destination (an IP
 * literal, or a host name the proxy resolves) in a SOCKS header; `socks` writes and reads it.
 * A proxy that does not relay UDP says so to the ASSOCIATE, and the caller is told in words.
 */
import dgram from 'node:dgram'
import net from 'node:net'
import { SocksClient } from 'socks'
import { canonicalHost } from '../../src/core/peer-address'
import { udpRefused, type SocksFailure } from './socks-failure'
import { socksRequest, type ProxyEndpoint } from './socks-tcp'

/** A relayed datagram: the proxy's header, then the payload (at most a UDP datagram's 64 KiB). */
export interface RelayedDatagram {
  data: Buffer
  /** Who sent it, as the proxy says (an IP literal, or the name we sent to). */
  from: { host: string; port: number }
}

export class SocksUdpError extends Error {
  constructor(readonly failure: SocksFailure) {
    super(failure.reason)
  }
  override name = 'SocksUdpError'
}

export class SocksUdp {
  private closed = false
  private readonly listeners = new Set<(datagram: RelayedDatagram) => void>()

  private constructor(private readonly control: net.Socket, private readonly udp: dgram.Socket) {
    control.on('error', () => {}) // the association ends with its control connection; the caller's timeout says so
    control.on('close', () => this.close())
    udp.on('error', () => {}) // ICMP refusals and the like: the exchange's own timeout ends it
    udp.on('message', (msg) => {
      const datagram = parseDatagram(msg)
      if (datagram) for (const fn of this.listeners) fn(datagram)
    })
  }

  /** Opens an association; throws SocksUdpError with the reason (the proxy is down, or relays no UDP). */
  static open(proxy: ProxyEndpoint, localAddress: string | undefined, timeoutMs: number, signal?: AbortSignal): Promise<SocksUdp> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(new Error('stopped'))
      const onAbort = () => {
        attempt.abort()
        reject(new Error('stopped'))
      }
      // 0.0.0.0:0: our datagrams' source is not known before the relay's family is (RFC 1928 allows it)
      const attempt = socksRequest({ proxy, command: 'associate', target: { host: '0.0.0.0', port: 0 }, timeoutMs, sharedReads: false, ...(localAddress ? { localAddress } : {}) }, (result) => {
        signal?.removeEventListener('abort', onAbort)
        if (!result.ok) {
          const refusedUdp = result.reply === 'CommandNotSupported' || result.reply === 'NotAllowed'
          return reject(new SocksUdpError(refusedUdp ? udpRefused(proxy.display, result.reply!) : result))
        }
        const family = net.isIPv6(result.bound.host) ? 6 : 4
        const udp = dgram.createSocket(family === 6 ? 'udp6' : 'udp4')
        const fail = (err: Error) => {
          udp.close()
          result.socket.destroy()
          reject(new SocksUdpError({ proxyDown: false, reason: `cannot use the proxy's UDP relay ${result.bound.host}:${result.bound.port} (${(err as NodeJS.ErrnoException).code ?? err.message})` }))
        }
        udp.once('error', fail)
        udp.bind(0, localAddress && net.isIP(localAddress) === family ? localAddress : undefined, () => {
          udp.connect(result.bound.port, result.bound.host, () => {
            udp.off('error', fail)
            resolve(new SocksUdp(result.socket, udp))
          })
        })
      })
      signal?.addEventListener('abort', onAbort, { once: true })
    })
  }

  /** Sends `data` to host:port through the relay (a host name is resolved by the proxy). */
  send(host: string, port: number, data: Buffer): void {
    if (this.closed) return
    this.udp.send(SocksClient.createUDPFrame({ remoteHost: { host, port }, data }))
  }

  onDatagram(fn: (datagram: RelayedDatagram) => void): () => void {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    this.listeners.clear()
    this.control.destroy()
    try { this.udp.close() } catch {} // closed already
  }
}

/**
 * A datagram from the relay, or null: the header is the proxy's, but what it wraps (and a relay
 * that misbehaves) is not to be trusted, so a short or fragmented one is dropped, never thrown on.
 */
export function parseDatagram(msg: Buffer): RelayedDatagram | null {
  try {
    const frame = SocksClient.parseUDPFrame(msg)
    // fragments (FRAG != 0) are optional in RFC 1928 and not needed by anything the bridge sends
    if (frame.frameNumber !== 0 || !frame.remoteHost.host) return null
    // an address in canonical form (the library spells IPv6 out in full); a name as it came
    return { data: frame.data, from: { host: canonicalHost(frame.remoteHost.host) ?? frame.remoteHost.host, port: frame.remoteHost.port } }
  } catch {
    return null
  }
}
