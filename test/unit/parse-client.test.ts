import { describe, expect, it } from 'vitest'
import type { Metainfo } from '../../src/core/metainfo'
import { ParseClient, type ParseWorkerEvents } from '../../src/engine/parse-client'
import type { ParseRequest } from '../../src/protocol/parse-messages'

/** A worker that records what it is sent and answers only when told to. */
class FakeWorker {
  readonly sent: ParseRequest[] = []
  terminated = false
  constructor(readonly events: ParseWorkerEvents) {}
  postMessage(request: ParseRequest): void {
    this.sent.push(request)
  }
  terminate(): void {
    this.terminated = true
  }
}

function clientWithFakes(): { client: ParseClient; workers: FakeWorker[] } {
  const workers: FakeWorker[] = []
  const client = new ParseClient((events) => {
    const worker = new FakeWorker(events)
    workers.push(worker)
    return worker
  })
  return { client, workers }
}

const metainfo = { infoHash: 'a'.repeat(40) } as Metainfo

describe('ParseClient', () => {
  it('sends even a tiny .torrent to the worker, and answers each call by its id', async () => {
    const { client, workers } = clientWithFakes()
    const first = client.parse(new Uint8Array([0x64, 0x65])) // "de": 2 bytes
    const second = client.parse(new Uint8Array(10))
    const worker = workers[0]!
    expect(workers).toHaveLength(1)
    expect(worker.sent.map((r) => [r.type, r.bytes.length])).toEqual([['parse', 2], ['parse', 10]])
    worker.events.message({ type: 'fail', id: worker.sent[1]!.id, error: { code: 'BAD_BENCODE', message: 'not bencode' } })
    worker.events.message({ type: 'parsed', id: worker.sent[0]!.id, metainfo })
    await expect(first).resolves.toBe(metainfo)
    await expect(second).rejects.toMatchObject({ code: 'BAD_BENCODE', message: 'not bencode' })
  })

  it('fails every waiting call with a clear message when the worker dies, then starts a new one', async () => {
    const { client, workers } = clientWithFakes()
    const waiting = [client.parse(new Uint8Array(1)), client.parse(new Uint8Array(2))]
    workers[0]!.events.failed('Uncaught RangeError: Invalid array length')
    for (const call of waiting) {
      await expect(call).rejects.toMatchObject({
        code: 'BAD_TORRENT',
        message: 'This .torrent file could not be read: the parser stopped (Uncaught RangeError: Invalid array length).',
      })
    }
    expect(workers[0]!.terminated).toBe(true)

    const next = client.parse(new Uint8Array(3))
    expect(workers).toHaveLength(2)
    const worker = workers[1]!
    worker.events.message({ type: 'parsed', id: worker.sent[0]!.id, metainfo })
    await expect(next).resolves.toBe(metainfo)
  })
})
