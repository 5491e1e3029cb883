/**
 * Peer sockets that read into one buffer shared by the whole process (Node's `onread`), not into
 * a fresh buffer per read: at full download speed those per-read buffers became garbage faster
 * than the GC returned them, and were most of the bridge's peak RSS. A read goes to whichever
 * reader owns the socket now (the MSE handshake, then the relay stream), and its bytes are valid
 * only during that call: the next read of any socket overwrites them, so a reader copies what it
 * keeps. Flow control is unchanged: `socket.pause()` stops reads (readStop), `resume()` restarts them.
 */
import net from 'node:net'
import { MAX_DATA_PAYLOAD } from '../../src/protocol/bridge-frames'

/** One read; `bytes` is a view into the shared buffer, gone once the reader returns. */
export type Reader = (bytes: Buffer) => void

/** As much as one read takes: a full DATA frame's payload, so a backed-up socket fills a frame in one read. */
const READ_BYTES = MAX_DATA_PAYLOAD
let shared: Buffer | undefined
/** Reads are synchronous and one at a time: every socket can use the same buffer. */
const readBuffer = () => (shared ??= Buffer.allocUnsafeSlow(READ_BYTES))

/** The least a read may take: a block message and then some, so a stream never crawls. */
const MIN_READ = 32 * 1024

interface Slot {
  reader: Reader | null
  /** Bytes the next read may take (setReadSize). */
  size: number
  /** Copies of reads that came while no reader owned the socket (not expected: a safety net). */
  held: Buffer[]
}

const slots = new WeakMap<net.Socket, Slot>()

function deliver(slot: Slot, n: number, buffer: Uint8Array): boolean {
  const bytes = Buffer.from(buffer.buffer, buffer.byteOffset, n)
  if (slot.reader) {
    slot.reader(bytes)
    return true
  }
  slot.held.push(Buffer.from(bytes)) // a copy: the buffer is reused
  return false // stops reading until a reader takes over
}

function reading<T extends net.Socket>(make: (onread: net.OnReadOpts) => T): T {
  const slot: Slot = { reader: null, size: READ_BYTES, held: [] }
  const socket: T = make({ buffer: () => readBuffer().subarray(0, slot.size), callback: (n, buffer) => deliver(slot, n, buffer) })
  slots.set(socket, slot)
  return socket
}

/** Dials `host:port` with shared reads, from `localAddress` when given (--outgoing-interface). */
export function connectShared(host: string, port: number, localAddress?: string): net.Socket {
  return reading((onread) => net.connect({ host, port, allowHalfOpen: false, onread, ...(localAddress ? { localAddress } : {}) }))
}

/**
 * An accepted connection (from a server with `pauseOnConnect`, so that nothing was read yet)
 * moved to a socket with shared reads: `net.Server` has no `onread` option, so its handle goes to
 * a new Socket, and the one the server made is released (which the server counts as closed).
 * Null when the connection is gone already.
 */
export function adoptShared(accepted: net.Socket): net.Socket | null {
  const internal = accepted as unknown as { _handle: object | null }
  const handle = internal._handle
  if (!handle) return null // closed already
  internal._handle = null
  accepted.destroy()
  return reading((onread) => new net.Socket({ handle, onread, readable: true, writable: true, allowHalfOpen: false } as net.SocketConstructorOpts))
}

/**
 * Makes `reader` the socket's reader. With none (null), a read that still comes is kept (a copy)
 * and reading stops; the next reader gets it first, and resumes the socket when it wants more.
 */
export function setReader(socket: net.Socket, reader: Reader | null): void {
  const slot = slots.get(socket)
  if (!slot) throw new Error('setReader: not a socket with shared reads')
  slot.reader = reader
  if (!reader) return
  while (slot.held.length && slot.reader === reader && !socket.destroyed) reader(slot.held.shift()!)
}

/**
 * Bytes that belong before the socket's next reads: read already by someone else (a SOCKS5
 * handshake, see socks-tcp.ts), they go to the next reader first, a copy.
 */
export function pushBack(socket: net.Socket, bytes: Uint8Array): void {
  const slot = slots.get(socket)
  if (!slot) throw new Error('pushBack: not a socket with shared reads')
  if (bytes.length) slot.held.unshift(Buffer.from(bytes))
}

/**
 * How much the socket's next read may take (between MIN_READ and a full frame): a reader that can
 * pass on only so much keeps the rest in the kernel, not in a copy of its own.
 */
export function setReadSize(socket: net.Socket, bytes: number): void {
  const slot = slots.get(socket)
  if (slot) slot.size = Math.max(MIN_READ, Math.min(READ_BYTES, bytes))
}
