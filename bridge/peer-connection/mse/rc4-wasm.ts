/**
 * RC4's inner loop in WebAssembly, for the bridge's RC4 (rc4.ts) when OpenSSL's is not loaded:
 * libtorrent peers (qBittorrent's default) pick RC4 when offered it, and the loop in JavaScript
 * was most of the bridge's CPU while downloading from one. Measured here, one core, 256 KiB calls:
 * JavaScript 310-340 MB/s, this loop a byte at a time 620-650, and as it is now (four bytes of
 * data XORed at a time) 710-720; OpenSSL's through Node ~480. The module is assembled here from its
 * instructions (below, in WebAssembly's text form beside each line), so that what runs is what is
 * read. One instance serves every cipher: the caller's state (256 bytes, i, j) is copied in and
 * out around each call.
 *
 * Memory: bytes 0-255 the state, 256 i, 260 j (i32), data from 1024 on.
 */

/** Runs RC4 over `data` in place from state `s`, `i`, `j` (updated); returns the new i and j. */
export type Rc4Kernel = (s: Uint8Array, i: number, j: number, data: Uint8Array) => { i: number; j: number }

const DATA = 1024
const CHUNK = 256 * 1024
const PAGES = Math.ceil((DATA + CHUNK) / 65536)

const uleb = (n: number): number[] => {
  const out: number[] = []
  do {
    let b = n & 0x7f
    n >>>= 7
    if (n) b |= 0x80
    out.push(b)
  } while (n)
  return out
}
const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()]
const section = (id: number, bytes: number[]): number[] => [id, ...uleb(bytes.length), ...bytes]
const name = (s: string): number[] => vec([...s].map((c) => [c.charCodeAt(0)]))

// opcodes and locals (param 0 is the data length)
const I32 = 0x7f, GET = 0x20, SET = 0x21, TEE = 0x22, CONST = 0x41, ADD = 0x6a, AND = 0x71, OR = 0x72, XOR = 0x73, SHL = 0x74
const LT_U = 0x49, GT_U = 0x4b, GE_U = 0x4f, LOAD = 0x28, LOAD8_U = 0x2d, STORE = 0x36, STORE8 = 0x3a
const BLOCK = 0x02, LOOP = 0x03, BR = 0x0c, BR_IF = 0x0d, END = 0x0b, VOID = 0x40
const LEN = 0, I = 1, J = 2, A = 3, B = 4, P = 5, STOP = 6, W = 7
/** i32.const n, for 0 <= n < 8192 (signed LEB128). */
const c = (n: number): number[] => (n < 64 ? [CONST, n] : [CONST, (n & 0x7f) | 0x80, n >> 7])
const byte = [0, 0] // memarg: alignment 1, offset 0
const word = [2, 0] // memarg: alignment 4, offset 0

/** The next key-stream byte, left on the stack. */
const keyByte = [
  GET, I, ...c(1), ADD, ...c(255), AND, TEE, I, //         i = (i + 1) & 255
  LOAD8_U, ...byte, SET, A, //                             a = s[i]
  GET, J, GET, A, ADD, ...c(255), AND, TEE, J, //          j = (j + a) & 255
  LOAD8_U, ...byte, SET, B, //                             b = s[j]
  GET, I, GET, B, STORE8, ...byte, //                      s[i] = b
  GET, J, GET, A, STORE8, ...byte, //                      s[j] = a
  GET, A, GET, B, ADD, ...c(255), AND, LOAD8_U, ...byte, // s[(a + b) & 255]
]

const body = [
  ...c(256), LOAD, ...word, SET, I, //                     i = load(256)
  ...c(260), LOAD, ...word, SET, J, //                     j = load(260)
  ...c(DATA), SET, P, //                                   p = DATA
  ...c(DATA), GET, LEN, ADD, SET, STOP, //                 stop = DATA + len
  // four bytes at a time: four key-stream bytes make one word, XORed into the data with one
  // load and one store (little-endian: the first byte lowest)
  BLOCK, VOID,
  LOOP, VOID,
  GET, P, ...c(4), ADD, GET, STOP, GT_U, BR_IF, 1, //      while p + 4 <= stop
  ...keyByte, SET, W, //                                   w = k0
  ...keyByte, ...c(8), SHL, GET, W, OR, SET, W, //         w |= k1 << 8
  ...keyByte, ...c(16), SHL, GET, W, OR, SET, W, //        w |= k2 << 16
  ...keyByte, ...c(24), SHL, GET, W, OR, SET, W, //        w |= k3 << 24
  GET, P, GET, P, LOAD, ...word, GET, W, XOR, STORE, ...word, // mem32[p] ^= w (p stays 4-aligned)
  GET, P, ...c(4), ADD, SET, P, //                         p += 4
  BR, 0,
  END, END,
  // the last 0-3 bytes, one at a time
  BLOCK, VOID,
  GET, P, GET, STOP, GE_U, BR_IF, 0, //                    if p >= stop: done
  LOOP, VOID,
  GET, P, //                                               mem[p] ^= next key-stream byte
  GET, P, LOAD8_U, ...byte,
  ...keyByte,
  XOR, STORE8, ...byte,
  GET, P, ...c(1), ADD, TEE, P, GET, STOP, LT_U, BR_IF, 0, // p++; loop while p < stop
  END, END,
  ...c(256), GET, I, STORE, ...word, //                    store(256, i)
  ...c(260), GET, J, STORE, ...word, //                    store(260, j)
  END,
]
const code = [...vec([[7, I32]]), ...body] // seven i32 locals beside the parameter

const MODULE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // "\0asm", version 1
  ...section(1, vec([[0x60, ...vec([[I32]]), ...vec([])]])), // type 0: (i32) -> ()
  ...section(3, vec([[0]])), // function 0 has type 0
  ...section(5, vec([[0x00, ...uleb(PAGES)]])), // one memory, PAGES pages
  ...section(7, vec([[...name('memory'), 0x02, 0], [...name('crypt'), 0x00, 0]])),
  ...section(10, vec([[...uleb(code.length), ...code]])),
])

/** The part of the WebAssembly API used (Node's types leave it out without the DOM library). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object
  Instance: new (module: object) => { exports: Record<string, unknown> }
}

let kernel: Rc4Kernel | null | undefined

/** The kernel, or null where WebAssembly is not available (RC4 then runs in JavaScript). */
export function rc4Kernel(): Rc4Kernel | null {
  if (kernel !== undefined) return kernel
  const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly
  try {
    if (!wasm) throw new Error('no WebAssembly')
    const instance = new wasm.Instance(new wasm.Module(MODULE))
    const memory = instance.exports['memory'] as { buffer: ArrayBuffer }
    const crypt = instance.exports['crypt'] as (length: number) => void
    const mem = new Uint8Array(memory.buffer)
    const view = new DataView(memory.buffer)
    kernel = (s, i, j, data) => {
      mem.set(s, 0)
      view.setInt32(256, i, true)
      view.setInt32(260, j, true)
      for (let at = 0; at < data.length; at += CHUNK) {
        const part = data.subarray(at, at + CHUNK)
        mem.set(part, DATA)
        crypt(part.length)
        part.set(mem.subarray(DATA, DATA + part.length))
      }
      s.set(mem.subarray(0, 256))
      return { i: view.getInt32(256, true), j: view.getInt32(260, true) }
    }
  } catch {
    kernel = null
  }
  return kernel
}
