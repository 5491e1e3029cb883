import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  MAX_ANSWER_BYTES, isNatPmpOnly, natPmpAddressRequest, natPmpMapRequest, pcpMapRequest, readNatPmpAddress, readNatPmpMap, readPcpMap,
} from '../../src/core/peer-connection/nat-pmp'
import { runs } from '../support/property'

const nonce = Uint8Array.from({ length: 12 }, (_, i) => i + 1)
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')

/** A PCP MAP answer as RFC 6887 §11.1 lays it out. */
function pcpAnswer(o: { result?: number; nonce?: Uint8Array; protocol?: number; internalPort?: number; externalPort?: number; external?: number[]; lifetime?: number; extra?: number }): Uint8Array {
  const b = new Uint8Array(60 + (o.extra ?? 0))
  const v = new DataView(b.buffer)
  b[0] = 2
  b[1] = 0x81
  b[3] = o.result ?? 0
  v.setUint32(4, o.lifetime ?? 7200)
  v.setUint32(8, 1234) // epoch
  b.set(o.nonce ?? nonce, 24)
  b[36] = o.protocol ?? 6
  v.setUint16(40, o.internalPort ?? 6881)
  v.setUint16(42, o.externalPort ?? 6881)
  b.set([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...(o.external ?? [5, 5, 5, 1])], 44)
  return b
}

describe('NAT-PMP and PCP messages', () => {
  it('writes NAT-PMP requests as RFC 6886 lays them out', () => {
    expect(hex(natPmpAddressRequest())).toBe('0000')
    expect(hex(natPmpMapRequest('tcp', 6881, 6881, 7200))).toBe('00020000' + '1ae1' + '1ae1' + '00001c20')
    expect(hex(natPmpMapRequest('udp', 6881, 0, 0))).toBe('00010000' + '1ae1' + '0000' + '00000000')
    expect(() => natPmpMapRequest('tcp', 0, 0, 60)).toThrow(RangeError)
    expect(() => natPmpMapRequest('tcp', 1, 65536, 60)).toThrow(RangeError)
  })

  it('reads NAT-PMP answers to the request they answer, and nothing else', () => {
    const ok = Uint8Array.from([0, 130, 0, 0, 0, 0, 4, 210, 0x1a, 0xe1, 0x1a, 0xe2, 0, 0, 0x1c, 0x20])
    expect(readNatPmpMap(ok, 'tcp', 6881)).toEqual({ result: 0, message: 'success', internalPort: 6881, externalPort: 6882, lifetime: 7200, externalHost: '' })
    expect(readNatPmpMap(ok, 'udp', 6881)).toBeNull() // an answer for TCP
    expect(readNatPmpMap(ok, 'tcp', 6882)).toBeNull() // for another port
    expect(readNatPmpMap(ok.subarray(0, 15), 'tcp', 6881)).toBeNull()
    expect(readNatPmpMap(Uint8Array.from([0, 130, 0, 2, 0, 0, 0, 1]), 'tcp', 6881)).toMatchObject({ result: 2, message: expect.stringMatching(/not authorized/) })
    expect(readNatPmpMap(Uint8Array.from([0, 130, 0, 99, 0, 0, 0, 1]), 'tcp', 6881)).toMatchObject({ result: 99, message: 'the router answered with result 99' })
    expect(readNatPmpAddress(Uint8Array.from([0, 128, 0, 0, 0, 0, 0, 1, 5, 5, 5, 1]))).toEqual({ result: 0, message: 'success', externalHost: '5.5.5.1' })
    expect(readNatPmpAddress(Uint8Array.from([0, 128, 0, 3, 0, 0, 0, 1]))).toMatchObject({ result: 3, externalHost: '' })
    expect(readNatPmpAddress(Uint8Array.from([0, 128, 0, 0, 0, 0, 0, 1, 5, 5, 5]))).toBeNull()
    expect(readNatPmpAddress(Uint8Array.from([1, 128, 0, 0, 0, 0, 0, 1, 5, 5, 5, 1]))).toBeNull()
  })

  it('writes a PCP MAP request with the client address, nonce and "any" external address', () => {
    const b = pcpMapRequest('udp', '192.168.77.2', 6881, 6881, 7200, nonce)
    expect(b.length).toBe(60)
    expect(hex(b.subarray(0, 8))).toBe('0201000000001c20')
    expect(hex(b.subarray(8, 24))).toBe('00000000000000000000ffffc0a84d02')
    expect(b.subarray(24, 36)).toEqual(nonce)
    expect(b[36]).toBe(17)
    expect(hex(b.subarray(40, 60))).toBe('1ae11ae1' + '00000000000000000000ffff00000000')
    expect(() => pcpMapRequest('tcp', 'router.lan', 1, 1, 1, nonce)).toThrow(RangeError)
    expect(() => pcpMapRequest('tcp', '10.0.0.2', 1, 1, 1, new Uint8Array(11))).toThrow(RangeError)
  })

  it('reads a PCP answer only for its own nonce, protocol and port; the external address is canonical', () => {
    expect(readPcpMap(pcpAnswer({}), 'tcp', 6881, nonce)).toEqual({ result: 0, message: 'success', internalPort: 6881, externalPort: 6881, lifetime: 7200, externalHost: '5.5.5.1' })
    expect(readPcpMap(pcpAnswer({ extra: 8 }), 'tcp', 6881, nonce)?.externalHost).toBe('5.5.5.1') // options after it are skipped
    expect(readPcpMap(pcpAnswer({ nonce: new Uint8Array(12) }), 'tcp', 6881, nonce)).toBeNull()
    expect(readPcpMap(pcpAnswer({ protocol: 17 }), 'tcp', 6881, nonce)).toBeNull()
    expect(readPcpMap(pcpAnswer({ internalPort: 1 }), 'tcp', 6881, nonce)).toBeNull()
    expect(readPcpMap(pcpAnswer({ extra: 2 }), 'tcp', 6881, nonce)).toBeNull() // not a whole number of 32-bit words
    expect(readPcpMap(pcpAnswer({ extra: MAX_ANSWER_BYTES }), 'tcp', 6881, nonce)).toBeNull()
    expect(readPcpMap(pcpAnswer({}).subarray(0, 56), 'tcp', 6881, nonce)).toBeNull()
    expect(readPcpMap(pcpAnswer({ result: 11 }), 'tcp', 6881, nonce)).toMatchObject({ result: 11, message: 'cannot provide that external port', externalHost: '' })
    // an IPv6 external address stays IPv6
    const six = pcpAnswer({})
    six.set([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5], 44)
    expect(readPcpMap(six, 'tcp', 6881, nonce)?.externalHost).toBe('2001:db8::5')
  })

  it('knows a NAT-PMP-only router\'s answer to PCP (version 0, unsupported version)', () => {
    expect(isNatPmpOnly(Uint8Array.from([0, 129, 0, 1, 0, 0, 0, 0]))).toBe(true)
    expect(isNatPmpOnly(Uint8Array.from([0, 129, 0, 0, 0, 0, 0, 0]))).toBe(false)
    expect(isNatPmpOnly(pcpAnswer({ result: 1 }))).toBe(false)
  })

  it('never throws on any datagram, and takes none that is not laid out as an answer', () => {
    const datagram = fc.oneof(fc.uint8Array({ maxLength: 80 }),
      // most of them with a version and an opcode the readers look further into
      fc.tuple(fc.constantFrom(0, 2), fc.constantFrom(128, 129, 130, 0x81), fc.uint8Array({ maxLength: 70 })).map(([v, op, rest]) => Uint8Array.from([v, op, ...rest])))
    fc.assert(fc.property(datagram, (b) => {
      const pcp = readPcpMap(b, 'tcp', 6881, nonce)
      if (pcp) expect(b.length === 60 || (b.length > 60 && b.length % 4 === 0)).toBe(true)
      const pmp = readNatPmpMap(b, 'udp', 6881)
      if (pmp?.result === 0) expect(b.length).toBe(16)
      readNatPmpAddress(b)
      isNatPmpOnly(b)
    }), runs(2000))
  })
})
