/**
 * The default gateway spoken to in PCP (RFC 6887) or, when it answers that it knows only the older
 * protocol, NAT-PMP (RFC 6886): one UDP socket connected to gateway:5351, one request at a time,
 * each sent again after 250, 500 and 1000 ms (RFC 6886 §3.1 starts so; three tries are enough on
 * a LAN), its answer read by src/core/peer-connection/nat-pmp.ts. Small enough to write here: the npm clients
 * speak NAT-PMP only, and @silentbot1/nat-api never renews its NAT-PMP mappings.
 */
import { randomBytes } from 'node:crypto'
import dgram from 'node:dgram'
import {
  MAX_ANSWER_BYTES, NAT_PMP_PORT, isNatPmpOnly, natPmpAddressRequest, natPmpMapRequest, pcpMapRequest, readNatPmpAddress, readNatPmpMap, readPcpMap,
  type MappedProtocol, type MappingAnswer,
} from '../../../src/core/peer-connection/nat-pmp'
import { canonicalHost } from '../../../src/core/peer-address'

const RETRY_MS = [250, 500, 1000]

export type PmpResult = { ok: true; answer: MappingAnswer } | { ok: false; reason: string; unanswered: boolean }

export class PmpGateway {
  /** Which protocol the gateway speaks, once it answered. */
  protocol: 'pcp' | 'natpmp' | null = null
  private readonly nonces = new Map<MappedProtocol, Uint8Array>()
  private reader: ((datagram: Uint8Array) => void) | null = null
  private turn: Promise<unknown> = Promise.resolve()
  private closed = false

  private constructor(readonly gateway: string, readonly localAddress: string, private readonly socket: dgram.Socket) {
    socket.on('message', (msg) => { if (msg.length <= MAX_ANSWER_BYTES) this.reader?.(msg) })
    socket.on('error', () => {}) // an ICMP "port unreachable" (no PMP here) shows as no answer
  }

  static open(gateway: string): Promise<PmpGateway> {
    return new Promise((resolve, reject) => {
      const socket = dgram.createSocket('udp4')
      socket.once('error', reject)
      socket.connect(NAT_PMP_PORT, gateway, () => {
        socket.off('error', reject)
        const local = canonicalHost(socket.address().address)
        if (!local) {
          socket.close()
          return reject(new Error(`no local address towards ${gateway}`))
        }
        resolve(new PmpGateway(gateway, local, socket))
      })
    })
  }

  /** Maps this machine's `port` (the same external port asked for) for `lifetime` seconds; 0 removes it. */
  async map(protocol: MappedProtocol, port: number, lifetime: number): Promise<PmpResult> {
    if (this.protocol !== 'natpmp') {
      const nonce = this.nonces.get(protocol) ?? randomBytes(12)
      this.nonces.set(protocol, nonce)
      let natPmpOnly = false
      const answer = await this.request(pcpMapRequest(protocol, this.localAddress, port, port, lifetime, nonce), (b) => {
        if (isNatPmpOnly(b)) { natPmpOnly = true; return null }
        return readPcpMap(b, protocol, port, nonce)
      }, () => natPmpOnly)
      if (answer) {
        this.protocol = 'pcp'
        return answer.result === 0 ? { ok: true, answer } : { ok: false, reason: `PCP: ${answer.message}`, unanswered: false }
      }
      if (!natPmpOnly && this.protocol === 'pcp') return { ok: false, reason: 'PCP: no answer from the router', unanswered: true }
    }
    const answer = await this.request(natPmpMapRequest(protocol, port, lifetime === 0 ? 0 : port, lifetime), (b) => readNatPmpMap(b, protocol, port))
    if (!answer) return { ok: false, reason: `no answer to NAT-PMP or PCP from ${this.gateway}`, unanswered: true }
    this.protocol = 'natpmp'
    return answer.result === 0 ? { ok: true, answer } : { ok: false, reason: `NAT-PMP: ${answer.message}`, unanswered: false }
  }

  /** The external address by NAT-PMP (PCP gives it with each mapping), or ''. */
  async externalAddress(): Promise<string> {
    const answer = await this.request(natPmpAddressRequest(), readNatPmpAddress)
    return answer?.result === 0 ? answer.externalHost : ''
  }

  close(): void {
    this.closed = true
    try { this.socket.close() } catch {}
  }

  /** Sends `datagram` until `read` accepts an answer (or `stop` says to give up); null after the last wait. */
  private request<T>(datagram: Uint8Array, read: (b: Uint8Array) => T | null, stop: () => boolean = () => false): Promise<T | null> {
    const run = async (): Promise<T | null> => {
      for (const wait of RETRY_MS) {
        if (this.closed) return null
        const answer = await new Promise<T | null>((resolve) => {
          const timer = setTimeout(() => { this.reader = null; resolve(null) }, wait)
          this.reader = (b) => {
            const value = read(b)
            if (value === null && !stop()) return
            clearTimeout(timer)
            this.reader = null
            resolve(value)
          }
          this.socket.send(datagram, (err) => { if (err) { clearTimeout(timer); this.reader = null; resolve(null) } })
        })
        if (answer !== null || stop()) return answer
      }
      return null
    }
    const result = this.turn.then(run, run)
    this.turn = result.catch(() => undefined)
    return result
  }
}
