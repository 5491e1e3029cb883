/**
 * NAT-PMP (RFC 6886) and PCP (RFC 6887) messages, pure: what the bridge sends its router on UDP
 * 5351 to map its peer port, and the one reading of what comes back. A router's datagram is a
 * stranger's bytes like any other: every answer is checked against its exact layout, the request
 * it answers (opcode, protocol, internal port, PCP nonce) and its limits, and the external address
 * goes through canonicalHost. Anything else is null, never an exception.
 */
import { bytesToIp, ipToBytes } from '../ip-bytes'
import { canonicalHost } from '../peer-address'

export const NAT_PMP_PORT = 5351
export type MappedProtocol = 'tcp' | 'udp'

/** NAT-PMP result codes (RFC 6886 §3.5), in words for the user. */
const NAT_PMP_RESULTS = ['success', 'unsupported version', 'refused by the router (not authorized)', 'the router has no working internet connection',
  'the router is out of mappings', 'unsupported request']
/** PCP result codes (RFC 6887 §7.4). */
const PCP_RESULTS = ['success', 'unsupported version', 'refused by the router (not authorized)', 'malformed request', 'unsupported request',
  'unsupported option', 'malformed option', 'the router has no working internet connection', 'the router is out of mappings',
  'unsupported protocol', 'over the user\'s quota', 'cannot provide that external port', 'address mismatch', 'too many remote peers']

/** Largest answer read: a PCP answer may carry options after its 60 bytes; UDP allows at most 1100 by RFC 6887 §7. */
export const MAX_ANSWER_BYTES = 1100

export interface MappingAnswer {
  /** 0 is success; otherwise `message` says what the router refused. */
  result: number
  message: string
  internalPort: number
  externalPort: number
  /** Seconds the router keeps the mapping. */
  lifetime: number
  /** PCP only: the external address the router assigned (canonical text); '' for NAT-PMP. */
  externalHost: string
}

// ---- NAT-PMP ----

/** "What is your external address?" (opcode 0). */
export function natPmpAddressRequest(): Uint8Array {
  return new Uint8Array([0, 0])
}

/** The external address from an answer to natPmpAddressRequest; null when it is not one. */
export function readNatPmpAddress(b: Uint8Array): { result: number; message: string; externalHost: string } | null {
  if (b.length < 8 || b[0] !== 0 || b[1] !== 128) return null
  const result = u16(b, 2)
  if (result !== 0) return { result, message: resultText(NAT_PMP_RESULTS, result), externalHost: '' }
  if (b.length !== 12) return null
  const externalHost = canonicalHost(bytesToIp(b.subarray(8, 12)))
  return externalHost ? { result, message: 'success', externalHost } : null
}

/** Map (or, with lifetime 0, unmap) `internalPort`; the router may assign another external port. */
export function natPmpMapRequest(protocol: MappedProtocol, internalPort: number, externalPort: number, lifetime: number): Uint8Array {
  const b = new Uint8Array(12)
  const view = new DataView(b.buffer)
  b[1] = protocol === 'udp' ? 1 : 2
  view.setUint16(4, port(internalPort, false))
  view.setUint16(6, port(externalPort, true))
  view.setUint32(8, seconds(lifetime))
  return b
}

/** The router's answer to natPmpMapRequest(protocol, internalPort, …); null when it is not that. */
export function readNatPmpMap(b: Uint8Array, protocol: MappedProtocol, internalPort: number): MappingAnswer | null {
  const op = protocol === 'udp' ? 1 : 2
  if (b.length < 8 || b[0] !== 0 || b[1] !== 128 + op) return null
  const result = u16(b, 2)
  const message = resultText(NAT_PMP_RESULTS, result)
  if (result !== 0) return b.length === 8 || b.length === 16 ? { result, message, internalPort, externalPort: 0, lifetime: 0, externalHost: '' } : null
  if (b.length !== 16 || u16(b, 8) !== internalPort) return null
  return { result, message, internalPort, externalPort: u16(b, 10), lifetime: u32(b, 12), externalHost: '' }
}

/** A NAT-PMP-only router's answer to a PCP request (RFC 6887 Appendix A): version 0, "unsupported version". */
export function isNatPmpOnly(b: Uint8Array): boolean {
  return b.length >= 4 && b[0] === 0 && b[1]! >= 128 && u16(b, 2) === 1
}

// ---- PCP ----

const PCP_VERSION = 2
const PCP_MAP = 1
const PCP_HEADER = 24
const PCP_MAP_BODY = 36
const IANA_PROTOCOL: Record<MappedProtocol, number> = { tcp: 6, udp: 17 }

/**
 * A PCP MAP request from `clientHost` (the address the router sees us at) for `internalPort`.
 * `nonce` (12 random bytes) ties the answer to it, and deleting it later takes the same nonce.
 */
export function pcpMapRequest(protocol: MappedProtocol, clientHost: string, internalPort: number, externalPort: number, lifetime: number, nonce: Uint8Array): Uint8Array {
  if (nonce.length !== 12) throw new RangeError('a PCP nonce is 12 bytes')
  const client = ipToBytes(clientHost)
  if (!client) throw new RangeError(`not an IP address: ${clientHost}`)
  const b = new Uint8Array(PCP_HEADER + PCP_MAP_BODY)
  const view = new DataView(b.buffer)
  b[0] = PCP_VERSION
  b[1] = PCP_MAP
  view.setUint32(4, seconds(lifetime))
  b.set(asIPv6(client), 8)
  b.set(nonce, 24)
  b[36] = IANA_PROTOCOL[protocol]
  view.setUint16(40, port(internalPort, false))
  view.setUint16(42, port(externalPort, true))
  // suggested external address: "any", in the client's family (::ffff:0.0.0.0 for IPv4)
  b.set(client.length === 4 ? asIPv6(new Uint8Array(4)) : new Uint8Array(16), 44)
  return b
}

/** The router's answer to pcpMapRequest(protocol, …, internalPort, …, nonce); null when it is not that. */
export function readPcpMap(b: Uint8Array, protocol: MappedProtocol, internalPort: number, nonce: Uint8Array): MappingAnswer | null {
  if (b.length < PCP_HEADER + PCP_MAP_BODY || b.length > MAX_ANSWER_BYTES || b.length % 4 !== 0) return null
  if (b[0] !== PCP_VERSION || b[1] !== (128 | PCP_MAP)) return null
  for (let i = 0; i < 12; i++) if (b[24 + i] !== nonce[i]) return null
  if (b[36] !== IANA_PROTOCOL[protocol] || u16(b, 40) !== internalPort) return null
  const result = b[3]!
  const message = resultText(PCP_RESULTS, result)
  const lifetime = u32(b, 4)
  if (result !== 0) return { result, message, internalPort, externalPort: 0, lifetime, externalHost: '' }
  const externalHost = canonicalHost(bytesToIp(b.subarray(44, 60)))
  if (!externalHost) return null
  return { result, message, internalPort, externalPort: u16(b, 42), lifetime, externalHost }
}

// ---- helpers ----

function u16(b: Uint8Array, at: number): number {
  return (b[at]! << 8) | b[at + 1]!
}

function u32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) >>> 0) + (b[at + 1]! << 16) + (b[at + 2]! << 8) + b[at + 3]!
}

function port(n: number, zeroAllowed: boolean): number {
  if (!Number.isInteger(n) || n < (zeroAllowed ? 0 : 1) || n > 65535) throw new RangeError(`bad port ${n}`)
  return n
}

function seconds(n: number): number {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError(`bad lifetime ${n}`)
  return n
}

function asIPv6(ip: Uint8Array): Uint8Array {
  if (ip.length === 16) return ip
  const out = new Uint8Array(16)
  out[10] = 0xff
  out[11] = 0xff
  out.set(ip, 12)
  return out
}

function resultText(texts: readonly string[], result: number): string {
  return texts[result] ?? `the router answered with result ${result}`
}
