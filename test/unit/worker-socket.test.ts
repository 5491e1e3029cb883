import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { CLOSE_TIMEOUT_MS, WorkerSocket } from '../../src/bridge-client/worker-socket'
import type { FromBridgeSocket, ToBridgeSocket } from '../../src/protocol/bridge-socket-messages'

// Node has no Worker: a stand-in that records what the page posts and lets the test play the
// worker's side (the real worker runs in every e2e download through the bridge, byte-exact)
class FakeWorker {
  static last: FakeWorker
  posted: { message: ToBridgeSocket; transfer: ArrayBuffer[] }[] = []
  terminated = false
  onmessage: ((ev: { data: FromBridgeSocket }) => void) | null = null
  onerror: (() => void) | null = null
  constructor() { FakeWorker.last = this }
  postMessage(message: ToBridgeSocket, transfer: ArrayBuffer[] = []) { this.posted.push({ message, transfer }) }
  terminate() { this.terminated = true }
  from(data: FromBridgeSocket) { this.onmessage?.({ data }) }
}

beforeEach(() => vi.stubGlobal('Worker', FakeWorker))
afterEach(() => vi.unstubAllGlobals())

const open = () => {
  const socket = new WorkerSocket('ws://127.0.0.1:1/bridge')
  const worker = FakeWorker.last
  worker.from({ type: 'open' })
  return { socket, worker }
}

describe('the bridge WebSocket held in a worker', () => {
  it('opens the URL in the worker and says open', () => {
    const socket = new WorkerSocket('ws://127.0.0.1:1/bridge')
    const opened = vi.fn()
    socket.onopen = opened
    expect(FakeWorker.last.posted[0]!.message).toEqual({ type: 'open', url: 'ws://127.0.0.1:1/bridge' })
    expect(socket.readyState).toBe(0)
    FakeWorker.last.from({ type: 'open' })
    expect(socket.readyState).toBe(1)
    expect(opened).toHaveBeenCalledOnce()
  })

  it('hands a batch on message by message, in order; a handler that throws loses none of the rest', () => {
    const { socket, worker } = open()
    const got: unknown[] = []
    const reported = vi.fn()
    vi.stubGlobal('reportError', reported)
    socket.onmessage = ({ data }) => {
      got.push(data)
      if (got.length === 1) throw new Error('one bad frame')
    }
    const [a, b, c] = [new ArrayBuffer(1), new ArrayBuffer(2), new ArrayBuffer(3)]
    worker.from({ type: 'messages', data: [a, b, c] })
    expect(got).toEqual([a, b, c])
    expect(got[2]).toBe(c)
    expect(reported).toHaveBeenCalledOnce()
  })

  it('stops handing on a batch once its handler is taken away (the client dropped the connection)', () => {
    const { socket, worker } = open()
    const got: unknown[] = []
    socket.onmessage = ({ data }) => {
      got.push(data)
      socket.onmessage = null
      socket.close(4000, 'bad frame')
    }
    worker.from({ type: 'messages', data: [new ArrayBuffer(1), new ArrayBuffer(2)] })
    expect(got).toHaveLength(1)
    expect(worker.posted.at(-1)!.message).toEqual({ type: 'close', code: 4000, reason: 'bad frame' })
  })

  it('sends the frames of one task as one message, moving buffers of their own and copying views', async () => {
    const { socket, worker } = open()
    const own = new Uint8Array([1, 2, 3])
    const view = new Uint8Array(new ArrayBuffer(16), 4, 2)
    socket.send(own)
    socket.send(view)
    expect(worker.posted).toHaveLength(1) // only the open so far
    await Promise.resolve()
    const sent = worker.posted[1]!
    expect(sent.message.type).toBe('send')
    const frames = (sent.message as { frames: ArrayBuffer[] }).frames
    expect(frames).toHaveLength(2)
    expect(frames[0]).toBe(own.buffer)
    expect(frames[1]!.byteLength).toBe(2)
    expect(sent.transfer).toEqual(frames)
  })

  it('sends nothing before it is open; closes once, and the worker ends with it', () => {
    const socket = new WorkerSocket('ws://127.0.0.1:1/bridge')
    const worker = FakeWorker.last
    socket.send(new Uint8Array(4))
    const closed = vi.fn()
    socket.onclose = closed
    worker.from({ type: 'open' })
    worker.from({ type: 'close', code: 1006, reason: 'gone' })
    worker.from({ type: 'close', code: 1006, reason: 'gone' })
    expect(closed).toHaveBeenCalledOnce()
    expect(closed).toHaveBeenCalledWith({ code: 1006, reason: 'gone' })
    expect(socket.readyState).toBe(3)
    expect(worker.terminated).toBe(true)
    expect(worker.posted.map((p) => p.message.type)).toEqual(['open'])
  })
})

describe('closing the bridge WebSocket held in a worker', () => {
  afterEach(() => vi.useRealTimers())

  it('delivers no messages once close() was called, as a WebSocket (CLOSING) does', () => {
    const { socket, worker } = open()
    const got = vi.fn()
    socket.onmessage = got
    socket.close(1000)
    worker.from({ type: 'messages', data: [new ArrayBuffer(1)] })
    expect(got).not.toHaveBeenCalled()
  })

  it('ends the worker and reports the close when the bridge never completes the close handshake', () => {
    vi.useFakeTimers()
    const { socket, worker } = open()
    const closed = vi.fn()
    socket.onclose = closed
    socket.close(1000)
    expect(worker.terminated).toBe(false)
    vi.advanceTimersByTime(CLOSE_TIMEOUT_MS)
    expect(worker.terminated).toBe(true)
    expect(closed).toHaveBeenCalledOnce()
    expect(closed).toHaveBeenCalledWith({ code: 1006, reason: 'the bridge did not complete the close' })
    expect(socket.readyState).toBe(3)
    // the socket's own close, late: nothing more
    worker.from({ type: 'close', code: 1000, reason: '' })
    expect(closed).toHaveBeenCalledOnce()
  })

  it('a close that comes back in time is the one reported; the timer then does nothing', () => {
    vi.useFakeTimers()
    const { socket, worker } = open()
    const closed = vi.fn()
    socket.onclose = closed
    socket.close(1000)
    worker.from({ type: 'close', code: 1000, reason: 'bye' })
    vi.advanceTimersByTime(CLOSE_TIMEOUT_MS)
    expect(closed).toHaveBeenCalledOnce()
    expect(closed).toHaveBeenCalledWith({ code: 1000, reason: 'bye' })
    expect(vi.getTimerCount()).toBe(0)
  })
})
