import { MessageChannel, type Worker } from 'node:worker_threads'
import { describe, expect, it, vi } from 'vitest'
import { RpcClient, type RpcWorker } from '../../src/core/rpc-client'
import { serveRpc } from '../../src/core/rpc-server'
import { AppError } from '../../src/protocol/errors'
import type { RpcEndpoint } from '../../src/protocol/rpc-messages'
import { nodeRpcWorker } from '../support/node-rpc-worker'
import type { TestReply, TestRequest } from '../support/rpc-test-worker'

const WORKER = new URL('../support/rpc-test-worker.ts', import.meta.url)
const crashError = (why: string) => new AppError('STORAGE', `The test worker stopped (${why}). Reload the page.`)

/** A client of a real worker thread; `threads` records each thread it started, `exits` each that ended. */
function workerClient(idleMs?: number) {
  const threads: Worker[] = []
  const exits: number[] = []
  const client = new RpcClient<TestRequest, TestReply>({
    start: () => nodeRpcWorker(WORKER, (thread) => {
      const index = threads.push(thread) - 1
      thread.once('exit', () => exits.push(index))
    }),
    crashError,
    ...(idleMs === undefined ? {} : { idleMs }),
  })
  return { client, threads, exits }
}

/** A client and a server in this thread over a real MessageChannel. */
function channelPair<Req extends { type: string }, Reply, Progress = never>(
  handle: Parameters<typeof serveRpc<Req, Reply, Progress>>[1],
  options: Parameters<typeof serveRpc>[2] = {},
) {
  const { port1, port2 } = new MessageChannel()
  serveRpc<Req, Reply, Progress>(port2 as unknown as RpcEndpoint, handle, options)
  // heard after serveRpc's own listener (added first), so the server has seen it by then
  const serverSaw = (type: string) => new Promise<void>((resolve) => {
    port2.addEventListener('message', (event) => { if ((event as unknown as { data: { type: string } }).data.type === type) resolve() })
  })
  const client = new RpcClient<Req, Reply, Progress>({
    start: () => Object.assign(port1 as unknown as RpcEndpoint, { terminate: () => port1.close() }) as RpcWorker,
    crashError,
  })
  return { client, serverSaw, close: () => { port1.close(); port2.close() } }
}

describe('RpcClient and serveRpc, with a real worker thread', () => {
  it('answers calls by id, moves buffers both ways when told to, and carries an error\'s code', async () => {
    const { client, threads } = workerClient()
    const data = new Uint8Array([1, 2, 3, 250]).buffer
    const [sum, echo] = await Promise.all([
      client.call({ type: 'sum', data, replyBytes: 4096 }, { transfer: [data] }),
      client.call({ type: 'echo', text: 'hi' }),
    ])
    expect(data.byteLength).toBe(0) // moved to the worker, not copied
    expect(sum).toMatchObject({ sum: 256 })
    expect((sum as { back: ArrayBuffer }).back.byteLength).toBe(4096)
    expect(echo).toBe('hi')
    await expect(client.call({ type: 'fail' })).rejects.toMatchObject({ code: 'QUOTA', message: 'The disk is full: free space, then resume.' })
    expect(threads).toHaveLength(1)
    client.fail('test over')
  })

  it('without a transfer list a buffer is copied, and the caller keeps it', async () => {
    const { client } = workerClient()
    const data = new Uint8Array([5, 5]).buffer
    await expect(client.call({ type: 'sum', data, replyBytes: 1 })).resolves.toMatchObject({ sum: 10 })
    expect(data.byteLength).toBe(2)
    client.fail('test over')
  })

  it('a crash rejects every pending call with the client\'s clear error, and the next call starts a new worker', async () => {
    const { client, threads, exits } = workerClient()
    await client.call({ type: 'echo', text: 'up' })
    const pending = [client.call({ type: 'until-aborted' }), client.call({ type: 'until-aborted' }), client.call({ type: 'crash' })]
    for (const outcome of await Promise.allSettled(pending)) {
      expect(outcome.status).toBe('rejected')
      const reason = (outcome as PromiseRejectedResult).reason as AppError
      expect(reason.message).toMatch(/^The test worker stopped \((boom in the worker|the worker exited with code 1)\)\. Reload the page\.$/)
      expect(reason.code).toBe('STORAGE')
    }
    expect(client.inFlight).toBe(0)
    await vi.waitFor(() => expect(exits).toEqual([0]))
    await expect(client.call({ type: 'echo', text: 'again' })).resolves.toBe('again')
    expect(threads).toHaveLength(2)
    client.fail('test over')
  })

  it('an idle worker is terminated, one with a call in flight is not, and the next call starts another', async () => {
    const { client, threads, exits } = workerClient(0)
    const controller = new AbortController()
    const long = client.call({ type: 'until-aborted' }, { signal: controller.signal })
    await expect(client.call({ type: 'echo', text: 'one' })).resolves.toBe('one')
    await new Promise((resolve) => setTimeout(resolve, 50)) // well past idleMs: only the long call keeps it
    expect(exits).toEqual([])
    expect(client.running).toBe(true)
    controller.abort()
    await expect(long).rejects.toMatchObject({ name: 'AbortError' })
    // aborted here, but the worker still answers it: then, and only then, it is idle
    await vi.waitFor(() => expect(exits).toEqual([0]))
    expect(client.running).toBe(false)
    await expect(client.call({ type: 'echo', text: 'two' })).resolves.toBe('two')
    expect(threads).toHaveLength(2)
    client.fail('test over')
  })
})

describe('RpcClient and serveRpc over a real MessageChannel', () => {
  it('a call aborted before it is sent rejects with the signal\'s reason; nothing is sent and its buffers stay', async () => {
    const handled: string[] = []
    const { client, close } = channelPair<{ type: 'take'; data: ArrayBuffer }, number>((request) => {
      handled.push(request.type)
      return request.data.byteLength
    })
    const controller = new AbortController()
    const reason = new Error('the user closed the dialog')
    controller.abort(reason)
    const data = new ArrayBuffer(1024)
    await expect(client.call({ type: 'take', data }, { signal: controller.signal, transfer: [data] })).rejects.toBe(reason)
    expect(data.byteLength).toBe(1024)
    await expect(client.call({ type: 'take', data: new ArrayBuffer(8) })).resolves.toBe(8)
    expect(handled).toEqual(['take'])
    close()
  })

  it('a call aborted after it is sent rejects at once, and the handler\'s signal aborts', async () => {
    let handlerSignal: AbortSignal | undefined
    let finish = () => {}
    const { client, close } = channelPair<{ type: 'slow'; data: ArrayBuffer }, string>(async (_request, call) => {
      handlerSignal = call.signal
      await new Promise<void>((resolve) => { finish = resolve })
      return 'late'
    })
    const controller = new AbortController()
    const data = new ArrayBuffer(16)
    const call = client.call({ type: 'slow', data }, { signal: controller.signal, transfer: [data] })
    await vi.waitFor(() => expect(handlerSignal).toBeDefined())
    expect(data.byteLength).toBe(0) // sent: the buffer went with it
    controller.abort()
    await expect(call).rejects.toMatchObject({ name: 'AbortError' })
    await vi.waitFor(() => expect(handlerSignal?.aborted).toBe(true))
    expect(client.inFlight).toBe(1) // the handler still runs
    finish()
    await vi.waitFor(() => expect(client.inFlight).toBe(0)) // its late answer is taken and dropped
    close()
  })

  it('abortWaitsForAnswer: an aborted call settles with the other end\'s answer, done if it was done', async () => {
    const finishes: ((stopped: boolean) => void)[] = []
    const { client, serverSaw, close } = channelPair<{ type: 'job' }, string>((_request, call) =>
      new Promise((resolve, reject) => finishes.push((stopped) => (stopped && call.signal.aborted ? reject(new Error('stopped')) : resolve('done')))))
    const late = new AbortController()
    const finished = client.call({ type: 'job' }, { signal: late.signal, abortWaitsForAnswer: true })
    const stopped = new AbortController()
    const cancelled = client.call({ type: 'job' }, { signal: stopped.signal, abortWaitsForAnswer: true })
    const cancelledOutcome = cancelled.then(() => 'resolved', (err: unknown) => err) // handled from the start
    await vi.waitFor(() => expect(finishes).toHaveLength(2))
    const heard = serverSaw('rpc-abort')
    late.abort()
    stopped.abort()
    await heard
    let settled = false
    void finished.finally(() => { settled = true })
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(settled).toBe(false) // not at once: it waits for the answer
    finishes[0]!(false) // the first had done its work when the abort came
    finishes[1]!(true)
    await expect(finished).resolves.toBe('done')
    expect(await cancelledOutcome).toMatchObject({ name: 'AbortError' })
    expect(client.inFlight).toBe(0)
    close()
  })

  it('serial: one call at a time in order, and a call aborted while it waits never runs', async () => {
    const order: string[] = []
    let release = () => {}
    const { client, serverSaw, close } = channelPair<{ type: 'step'; name: string }, string>(async (request) => {
      order.push(`start ${request.name}`)
      if (request.name === 'a') await new Promise<void>((resolve) => { release = resolve })
      order.push(`end ${request.name}`)
      return request.name
    }, { serial: true })
    const controller = new AbortController()
    const a = client.call({ type: 'step', name: 'a' })
    const b = client.call({ type: 'step', name: 'b' }, { signal: controller.signal })
    const c = client.call({ type: 'step', name: 'c' })
    await vi.waitFor(() => expect(order).toEqual(['start a']))
    const abortHeard = serverSaw('rpc-abort')
    controller.abort()
    await expect(b).rejects.toMatchObject({ name: 'AbortError' })
    await abortHeard // an abort is a message too: it may arrive after the call it aborts has started
    release()
    await expect(a).resolves.toBe('a')
    await expect(c).resolves.toBe('c')
    expect(order).toEqual(['start a', 'end a', 'start c', 'end c'])
    close()
  })

  it('progress reaches the caller, and a handler\'s reply buffers move when it says so', async () => {
    let kept: ArrayBuffer | undefined
    const { client, close } = channelPair<{ type: 'work' }, ArrayBuffer, number>((_request, call) => {
      call.progress(1)
      call.progress(2)
      kept = new ArrayBuffer(32)
      call.transfer(kept)
      return kept
    })
    const seen: number[] = []
    const reply = await client.call({ type: 'work' }, { onProgress: (n) => seen.push(n) })
    expect(seen).toEqual([1, 2])
    expect(reply.byteLength).toBe(32)
    expect(kept?.byteLength).toBe(0) // moved, not copied
    close()
  })

  it('a request that cannot be sent fails alone, and a worker that cannot start fails the call with the clear error', async () => {
    const { client, close } = channelPair<{ type: 'odd'; value: unknown }, string>(() => 'fine')
    await expect(client.call({ type: 'odd', value: () => {} })).rejects.toMatchObject({ name: 'AppError', message: expect.stringMatching(/could not be cloned/) })
    await expect(client.call({ type: 'odd', value: 1 })).resolves.toBe('fine')
    close()
    const unstartable = new RpcClient<{ type: 'any' }, string>({ start: () => { throw new Error('module workers are off') }, crashError })
    await expect(unstartable.call({ type: 'any' })).rejects.toThrow('The test worker stopped (module workers are off). Reload the page.')
  })

  it('many callers on one BroadcastChannel get only their own answers', async () => {
    const name = `rpc-test-${Math.random()}`
    const host = new BroadcastChannel(name)
    serveRpc<{ type: 'who'; n: number }, number>(host as unknown as RpcEndpoint, (request) => request.n * 10)
    const clients = ['tab-a', 'tab-b'].map((caller) => {
      const channel = new BroadcastChannel(name)
      const endpoint = Object.assign(channel as unknown as RpcEndpoint, { terminate: () => {} }) as RpcWorker
      return { channel, client: new RpcClient<{ type: 'who'; n: number }, number>({ start: () => endpoint, crashError, caller }) }
    })
    // both use id 1 for their first call: only `caller` tells the answers apart
    const answers = await Promise.all(clients.flatMap(({ client }, i) => [client.call({ type: 'who', n: i + 1 }), client.call({ type: 'who', n: i + 3 })]))
    expect(answers).toEqual([10, 30, 20, 40])
    host.close()
    for (const { channel } of clients) channel.close()
  })
})
