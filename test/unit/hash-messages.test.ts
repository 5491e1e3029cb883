// BEP 52 hash request / hashes / hash reject: round trips, exact sizes, and any bytes a peer may send.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  HASH_REQUEST_BYTES, MAX_HASHES_PAYLOAD_BYTES, MSG_HASHES, MSG_HASH_REJECT, MSG_HASH_REQUEST,
  decodeHashMessage, encodeHashRequest, encodeHashes, frameMessage,
} from '../../src/core/peer-connection/hash-messages'
import { uncleCount, type HashRequest } from '../../src/core/file-storage/merkle-proof'
import { expectAppError, parsesOrRefuses, runs } from '../support/property'

const request: fc.Arbitrary<HashRequest> = fc.record({
  piecesRoot: fc.uint8Array({ minLength: 32, maxLength: 32 }),
  baseLayer: fc.integer({ min: 0, max: 40 }),
  index: fc.nat(),
  length: fc.integer({ min: 0, max: 9 }).map((k) => 2 ** k), // 8192 below: vitest compares big arrays slowly
  proofLayers: fc.integer({ min: 0, max: 50 }),
})

describe('BEP 52 hash messages', () => {
  it('a request, a reject and an answer read back as written', () => {
    fc.assert(fc.property(request, fc.nat(255), (req, fill) => {
      expect(decodeHashMessage(MSG_HASH_REQUEST, encodeHashRequest(req))).toEqual({ type: 'hash request', request: req })
      expect(decodeHashMessage(MSG_HASH_REJECT, encodeHashRequest(req))).toEqual({ type: 'hash reject', request: req })
      const hashes = new Uint8Array((req.length + uncleCount(req)) * 32).fill(fill)
      const payload = encodeHashes(req, hashes)
      expect(payload.length).toBeLessThanOrEqual(MAX_HASHES_PAYLOAD_BYTES)
      expect(decodeHashMessage(MSG_HASHES, payload)).toEqual({ type: 'hashes', request: req, hashes })
    }), runs(200))
  })

  it('carries the most hashes a request may ask for', () => {
    const req: HashRequest = { piecesRoot: new Uint8Array(32).fill(3), baseLayer: 0, index: 8192, length: 8192, proofLayers: 63 }
    const payload = encodeHashes(req, new Uint8Array((8192 + uncleCount(req)) * 32).fill(5))
    expect(payload.length).toBe(MAX_HASHES_PAYLOAD_BYTES - 13 * 32) // 63 proof layers, 12 covered by the hashes: 51 uncles of the 64 allowed
    const message = decodeHashMessage(MSG_HASHES, payload)
    expect(message.type === 'hashes' && message.hashes.length).toBe((8192 + 51) * 32)
  })

  it('frames a message as length, id, payload', () => {
    const req: HashRequest = { piecesRoot: new Uint8Array(32).fill(1), baseLayer: 2, index: 512, length: 512, proofLayers: 9 }
    const frame = frameMessage(MSG_HASH_REQUEST, encodeHashRequest(req))
    expect([...frame.subarray(0, 5)]).toEqual([0, 0, 0, 49, 21])
    expect([...frame.subarray(5 + 32, 5 + 48)]).toEqual([0, 0, 0, 2, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 0, 9])
  })

  it('refuses a payload whose size does not match its header, and numbers no request may hold', () => {
    const req: HashRequest = { piecesRoot: new Uint8Array(32), baseLayer: 0, index: 0, length: 4, proofLayers: 5 }
    const answer = encodeHashes(req, new Uint8Array((4 + uncleCount(req)) * 32))
    const cases: [number, Uint8Array, RegExp][] = [
      [MSG_HASH_REQUEST, encodeHashRequest(req).subarray(1), /47 bytes, not 48/],
      [MSG_HASH_REJECT, new Uint8Array(49), /49 bytes, not 48/],
      [MSG_HASHES, answer.subarray(0, answer.length - 32), /carries 224 bytes of hashes where its header announces 256/],
      [MSG_HASHES, new Uint8Array(10), /no room for its header/],
      [MSG_HASH_REQUEST, encodeHashRequest({ ...req, length: 3 }), /asks for 3 hashes/],
      [MSG_HASH_REQUEST, encodeHashRequest({ ...req, length: 0 }), /asks for 0 hashes/],
      [MSG_HASH_REQUEST, encodeHashRequest({ ...req, length: 16384 }), /asks for 16384 hashes/],
      [MSG_HASH_REQUEST, encodeHashRequest({ ...req, proofLayers: 0xffffffff }), /4294967295 proof layers/],
      [MSG_HASHES, new Uint8Array(MAX_HASHES_PAYLOAD_BYTES + 1), /over the .*-byte limit/],
      [20, encodeHashRequest(req), /not one of 21, 22, 23/],
    ]
    for (const [id, payload, message] of cases) {
      let thrown: unknown
      try {
        decodeHashMessage(id, payload)
      } catch (err) {
        thrown = err
      }
      expectAppError(thrown, ['BAD_PEER_MESSAGE'])
      expect((thrown as Error).message).toMatch(message)
    }
  })

  it('any bytes a peer sends decode to a message of the right size or a BAD_PEER_MESSAGE', () => {
    const header = fc.tuple(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.array(fc.oneof(fc.nat(70), fc.constantFrom(2, 4, 512, 8192, 0xffffffff), fc.nat()), { minLength: 4, maxLength: 4 }))
      .map(([root, numbers]) => {
        const out = new Uint8Array(HASH_REQUEST_BYTES)
        out.set(root)
        numbers.forEach((n, i) => new DataView(out.buffer).setUint32(32 + 4 * i, n >>> 0))
        return out
      })
    const payload = fc.oneof(
      fc.uint8Array({ maxLength: 200 }),
      fc.tuple(header, fc.nat(40)).map(([h, n]) => Uint8Array.from([...h, ...new Uint8Array(n * 32)])),
    )
    fc.assert(fc.property(fc.constantFrom(MSG_HASH_REQUEST, MSG_HASHES, MSG_HASH_REJECT), payload, (id, bytes) => {
      const message = parsesOrRefuses(() => decodeHashMessage(id, bytes), ['BAD_PEER_MESSAGE'])
      if (!message) return
      expect(message.request.length).toBeGreaterThanOrEqual(1)
      if (message.type === 'hashes') expect(message.hashes.length).toBe((message.request.length + uncleCount(message.request)) * 32)
      else expect(bytes.length).toBe(HASH_REQUEST_BYTES)
    }), runs(500))
  })
})
