/**
 * BEP 52's peer messages for a file's hash tree, after the message id:
 *
 *   hash request (21)  pieces root (32) · base layer · index · length · proof layers (4 each, big-endian)
 *   hashes (22)        the same 48 bytes, then length + uncleCount hashes of 32 bytes
 *   hash reject (23)   the same 48 bytes as the request it refuses
 *
 * Pure and hostile-input safe: a payload is measured before it is read; the numbers must be what
 * a request can hold (see merkle-proof.ts: length a power of two from 1 to 8192, fewer than 64
 * proof layers); a `hashes` payload must hold exactly the hashes its header announces. Whether a
 * request fits a given file is hashRequestProblem's job, which needs the file.
 */
import { AppError } from '../../protocol/errors'
import { HASH_SIZE } from '../file-storage/merkle'
import { MAX_HASHES_PER_REQUEST, uncleCount, type HashRequest } from '../file-storage/merkle-proof'

export const MSG_HASH_REQUEST = 21
export const MSG_HASHES = 22
export const MSG_HASH_REJECT = 23

/** Bytes of a request's (or reject's) payload, and of the header of `hashes`. */
export const HASH_REQUEST_BYTES = HASH_SIZE + 16
/**
 * Proof layers beyond any tree: a file of 2^53 bytes has 2^39 blocks, a tree 39 layers high; 64
 * bounds the uncles an answer may announce.
 */
export const MAX_PROOF_LAYERS = 64
/** Largest `hashes` payload: 8192 hashes and 64 uncles, about 258 KiB. */
export const MAX_HASHES_PAYLOAD_BYTES = HASH_REQUEST_BYTES + (MAX_HASHES_PER_REQUEST + MAX_PROOF_LAYERS) * HASH_SIZE

export type HashMessage =
  | { type: 'hash request'; request: HashRequest }
  | { type: 'hashes'; request: HashRequest; hashes: Uint8Array }
  | { type: 'hash reject'; request: HashRequest }

function bad(what: string): never {
  throw new AppError('BAD_PEER_MESSAGE', `A peer sent a bad BEP 52 message: ${what}.`)
}

function readUint32(bytes: Uint8Array, at: number): number {
  return (((bytes[at] as number) << 24) | ((bytes[at + 1] as number) << 16) | ((bytes[at + 2] as number) << 8) | (bytes[at + 3] as number)) >>> 0
}

function writeUint32(bytes: Uint8Array, at: number, n: number): void {
  bytes[at] = n >>> 24
  bytes[at + 1] = n >>> 16
  bytes[at + 2] = n >>> 8
  bytes[at + 3] = n
}

function isPowerOfTwo(n: number): boolean {
  return n > 0 && (n & (n - 1)) === 0
}

function readRequest(payload: Uint8Array): HashRequest {
  const request: HashRequest = {
    piecesRoot: payload.slice(0, HASH_SIZE),
    baseLayer: readUint32(payload, HASH_SIZE),
    index: readUint32(payload, HASH_SIZE + 4),
    length: readUint32(payload, HASH_SIZE + 8),
    proofLayers: readUint32(payload, HASH_SIZE + 12),
  }
  // the same bounds the sender's answer is held to, checked before anything is sized by them
  if (request.length < 1 || request.length > MAX_HASHES_PER_REQUEST || !isPowerOfTwo(request.length)) bad(`it asks for ${request.length} hashes`)
  if (request.proofLayers >= MAX_PROOF_LAYERS) bad(`it asks for ${request.proofLayers} proof layers`)
  if (request.baseLayer >= MAX_PROOF_LAYERS) bad(`its base layer is ${request.baseLayer}`)
  return request
}

/** Decodes the payload (after the id byte) of message `id` (21, 22 or 23). Throws AppError('BAD_PEER_MESSAGE'). */
export function decodeHashMessage(id: number, payload: Uint8Array): HashMessage {
  if (id !== MSG_HASH_REQUEST && id !== MSG_HASHES && id !== MSG_HASH_REJECT) bad(`message id ${id} is not one of 21, 22, 23`)
  if (payload.length > MAX_HASHES_PAYLOAD_BYTES) bad(`${payload.length} bytes is over the ${MAX_HASHES_PAYLOAD_BYTES}-byte limit`)
  if (id !== MSG_HASHES) {
    if (payload.length !== HASH_REQUEST_BYTES) bad(`a ${id === MSG_HASH_REQUEST ? 'hash request' : 'hash reject'} of ${payload.length} bytes, not ${HASH_REQUEST_BYTES}`)
    const request = readRequest(payload)
    return id === MSG_HASH_REQUEST ? { type: 'hash request', request } : { type: 'hash reject', request }
  }
  if (payload.length < HASH_REQUEST_BYTES) bad(`a hashes message of ${payload.length} bytes has no room for its header`)
  const request = readRequest(payload)
  const expected = (request.length + uncleCount(request)) * HASH_SIZE
  if (payload.length - HASH_REQUEST_BYTES !== expected) {
    bad(`a hashes message carries ${payload.length - HASH_REQUEST_BYTES} bytes of hashes where its header announces ${expected}`)
  }
  return { type: 'hashes', request, hashes: payload.slice(HASH_REQUEST_BYTES) }
}

function writeRequest(request: HashRequest, extra: number): Uint8Array {
  if (request.piecesRoot.length !== HASH_SIZE) throw new RangeError('a pieces root is 32 bytes')
  for (const n of [request.baseLayer, request.index, request.length, request.proofLayers]) {
    if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError(`${n} does not fit a 4-byte field`)
  }
  const out = new Uint8Array(HASH_REQUEST_BYTES + extra)
  out.set(request.piecesRoot)
  writeUint32(out, HASH_SIZE, request.baseLayer)
  writeUint32(out, HASH_SIZE + 4, request.index)
  writeUint32(out, HASH_SIZE + 8, request.length)
  writeUint32(out, HASH_SIZE + 12, request.proofLayers)
  return out
}

/** The payload of a hash request (21) or a hash reject (23). */
export function encodeHashRequest(request: HashRequest): Uint8Array {
  return writeRequest(request, 0)
}

/** The payload of a `hashes` message (22): `hashes` from answerHashRequest. */
export function encodeHashes(request: HashRequest, hashes: Uint8Array): Uint8Array {
  if (hashes.length !== (request.length + uncleCount(request)) * HASH_SIZE) throw new RangeError('the answer holds the wrong number of hashes')
  const out = writeRequest(request, hashes.length)
  out.set(hashes, HASH_REQUEST_BYTES)
  return out
}

/** A whole peer message: 4-byte length, id, payload (what goes on the wire after the handshake). */
export function frameMessage(id: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(5 + payload.length)
  writeUint32(out, 0, 1 + payload.length)
  out[4] = id
  out.set(payload, 5)
  return out
}
