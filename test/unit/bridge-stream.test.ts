// A BridgeStream's flow control on its own: credit granted back as the reader takes bytes, and
// the window a download's stream widens to (within the page's budget), never past the protocol's limit.
import { describe, expect, it } from 'vitest'
import { BridgeStream, type StreamLink } from '../../src/bridge-client/bridge-stream'
import { MAX_STREAM_CREDIT, STREAM_WINDOW } from '../../src/protocol/bridge-frames'

const BLOCK = 64 * 1024

/** A link with a budget of wide window, recording the credit each stream is granted. */
function budgetLink(budget: number) {
  const granted = new Map<number, number>()
  let left = budget
  const link: StreamLink & { granted: Map<number, number>; left(): number } = {
    granted,
    left: () => left,
    sendData() {},
    sendCredit(stream, bytes) { granted.set(stream, (granted.get(stream) ?? 0) + bytes) },
    sendClose() {},
    forget() {},
    widen(bytes) { const n = Math.min(bytes, left); left -= n; return n },
    narrow(bytes) { left += bytes },
  }
  return link
}

/** Feeds `bytes` to the stream as the bridge would, never past the credit it holds; the reader takes all. */
async function download(stream: BridgeStream, link: ReturnType<typeof budgetLink>, bytes: number): Promise<number> {
  let held = STREAM_WINDOW // the bridge's credit for this stream
  let sent = 0
  let maxHeld = held
  let read = 0
  stream.on('data', (d) => { read += (d as Uint8Array).length })
  let before = 0
  while (sent < bytes) {
    const n = Math.min(BLOCK, held, bytes - sent)
    expect(n).toBeGreaterThan(0) // the bridge never runs dry: credit comes back as the reader takes bytes
    expect(stream.handleData(new Uint8Array(n))).toBe(true)
    held -= n
    sent += n
    await new Promise((r) => setImmediate(r))
    const now = link.granted.get(stream.streamId) ?? 0
    held += now - before
    before = now
    maxHeld = Math.max(maxHeld, held)
  }
  expect(read).toBe(sent)
  return maxHeld
}

describe('BridgeStream flow control', () => {
  it('widens a download\'s window up to the protocol\'s most, within the budget, and gives it back when closed', async () => {
    const link = budgetLink(5 * 1024 * 1024)
    const a = new BridgeStream(1, 'a'.repeat(40), { host: '10.0.0.1', port: 1 }, 'outbound', link)
    const maxA = await download(a, link, 16 * STREAM_WINDOW)
    expect(maxA).toBe(MAX_STREAM_CREDIT) // widened, and never past the limit
    const b = new BridgeStream(3, 'a'.repeat(40), { host: '10.0.0.2', port: 1 }, 'outbound', link)
    const maxB = await download(b, link, 16 * STREAM_WINDOW)
    expect(maxB).toBe(STREAM_WINDOW + 5 * 1024 * 1024 - (MAX_STREAM_CREDIT - STREAM_WINDOW)) // what the budget had left
    expect(link.left()).toBe(0)
    a.destroy()
    b.destroy()
    await new Promise((r) => setImmediate(r))
    expect(link.left()).toBe(5 * 1024 * 1024)
  })

  it('keeps the window at open for a stream that carries little, and refuses data past the credit', async () => {
    const link = budgetLink(64 * 1024 * 1024)
    const s = new BridgeStream(1, 'a'.repeat(40), { host: '10.0.0.1', port: 1 }, 'outbound', link)
    expect(await download(s, link, STREAM_WINDOW)).toBe(STREAM_WINDOW)
    expect(link.left()).toBe(64 * 1024 * 1024)
    const idle = new BridgeStream(3, 'a'.repeat(40), { host: '10.0.0.2', port: 1 }, 'outbound', link)
    idle.pause() // a reader that takes nothing: no credit comes back
    expect(idle.handleData(new Uint8Array(STREAM_WINDOW))).toBe(true)
    expect(idle.handleData(new Uint8Array(1))).toBe(false)
    s.destroy()
    idle.destroy()
  })
})
