// The bridge socket worker's side: the order in which the page hears its WebSocket's events.
// The socket is a stand-in (Node has no browser WebSocket in a worker); the real one runs in every
// e2e download through the bridge.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { BridgeSocketRelay, type RelaySocket } from '../../src/core/api-gateway/bridge-socket-relay'
import { BATCH_MAX_DELAY_MS } from '../../src/core/api-gateway/message-batch'
import type { FromBridgeSocket } from '../../src/protocol/bridge-socket-messages'

class StandInSocket implements RelaySocket {
  binaryType = 'blob'
  readyState = 0
  sent: ArrayBuffer[] = []
  closedWith: [number | undefined, string | undefined] | null = null
  onopen: (() => void) | null = null
  onmessage: ((ev: { data: ArrayBuffer | string }) => void) | null = null
  onerror: (() => void) | null = null
  onclose: ((ev: { code: number; reason: string }) => void) | null = null
  constructor(readonly url: string) {}
  send(data: ArrayBuffer) { this.sent.push(data) }
  close(code?: number, reason?: string) { this.closedWith = [code, reason]; this.readyState = 2 }
  open() { this.readyState = 1; this.onopen?.() }
  message(data: ArrayBuffer | string) { this.onmessage?.({ data }) }
}

let socket: StandInSocket
let posted: { message: FromBridgeSocket; transfer: ArrayBuffer[] }[]

function relay(maxBatchBytes?: number): BridgeSocketRelay {
  posted = []
  const r = new BridgeSocketRelay((url) => (socket = new StandInSocket(url)), (message, transfer) => posted.push({ message, transfer }), maxBatchBytes)
  r.receive({ type: 'open', url: 'ws://127.0.0.1:1/bridge' })
  return r
}
const types = () => posted.map((p) => p.message.type)

beforeEach(() => vi.useFakeTimers())
afterEach(() => vi.useRealTimers())

describe('the bridge socket worker\'s relay', () => {
  it('opens the URL for binary messages and says open once the socket is', () => {
    relay()
    expect(socket.url).toBe('ws://127.0.0.1:1/bridge')
    expect(socket.binaryType).toBe('arraybuffer')
    expect(posted).toEqual([])
    socket.open()
    expect(types()).toEqual(['open'])
  })

  it('gathers messages for one post, sent BATCH_MAX_DELAY_MS after the first, in order, buffers moved', () => {
    relay()
    socket.open()
    const [a, b] = [new ArrayBuffer(1), new ArrayBuffer(2)]
    socket.message(a)
    socket.message('text')
    socket.message(b)
    vi.advanceTimersByTime(BATCH_MAX_DELAY_MS - 1)
    expect(types()).toEqual(['open'])
    vi.advanceTimersByTime(1)
    expect(posted[1]).toEqual({ message: { type: 'messages', data: [a, 'text', b] }, transfer: [a, b] })
    expect((posted[1]!.message as { data: unknown[] }).data[0]).toBe(a)
  })

  it('posts a full batch at once, without waiting for the timer', () => {
    relay(4)
    socket.open()
    socket.message(new ArrayBuffer(3))
    socket.message(new ArrayBuffer(1))
    expect(types()).toEqual(['open', 'messages'])
    expect(vi.getTimerCount()).toBe(0)
  })

  it('posts every message before the error that followed them', () => {
    relay()
    socket.open()
    socket.message(new ArrayBuffer(1))
    socket.onerror?.()
    expect(types()).toEqual(['open', 'messages', 'error'])
    expect(vi.getTimerCount()).toBe(0)
  })

  it('posts every message before the close that followed them, and nothing after', () => {
    relay()
    socket.open()
    socket.message(new ArrayBuffer(1))
    socket.message(new ArrayBuffer(2))
    socket.onclose?.({ code: 1001, reason: 'going away' })
    expect(types()).toEqual(['open', 'messages', 'close'])
    expect(posted[2]!.message).toEqual({ type: 'close', code: 1001, reason: 'going away' })
    vi.runAllTimers()
    expect(types()).toEqual(['open', 'messages', 'close'])
  })

  it('sends the page\'s frames in order while OPEN, and drops them before and after', () => {
    const r = relay()
    const frame = (n: number) => new Uint8Array([n]).buffer
    r.receive({ type: 'send', frames: [frame(0)] })
    socket.open()
    r.receive({ type: 'send', frames: [frame(1), frame(2)] })
    r.receive({ type: 'close', code: 4000, reason: 'bye' })
    r.receive({ type: 'send', frames: [frame(3)] })
    expect(socket.sent.map((b) => new Uint8Array(b)[0])).toEqual([1, 2])
    expect(socket.closedWith).toEqual([4000, 'bye'])
  })

  it('reports a URL the socket refuses as an error and an abnormal close', () => {
    const r = new BridgeSocketRelay(() => { throw new Error('bad URL') }, (message) => posted.push({ message, transfer: [] }))
    posted = []
    r.receive({ type: 'open', url: 'nonsense' })
    expect(posted.map((p) => p.message)).toEqual([
      { type: 'error' },
      { type: 'close', code: 1006, reason: 'cannot open the bridge connection: bad URL' },
    ])
  })
})
