/**
 * A Node worker thread serving the RPC (src/core/rpc-server.ts) for test/unit/rpc.test.ts: a
 * real second thread, so transfers really detach and a crash really ends it.
 */
import { parentPort } from 'node:worker_threads'
import { serveRpc } from '../../src/core/rpc-server'
import { AppError } from '../../src/protocol/errors'
import type { RpcEndpoint } from '../../src/protocol/rpc-messages'

export type TestRequest =
  | { type: 'echo'; text: string }
  /** Answers with the bytes' sum, and moves a new buffer of `replyBytes` bytes back. */
  | { type: 'sum'; data: ArrayBuffer; replyBytes: number }
  /** Never answers until aborted; then answers whether its signal aborted. */
  | { type: 'until-aborted' }
  | { type: 'fail' }
  /** Throws outside any call: the worker dies. */
  | { type: 'crash' }

export type TestReply = string | number | boolean | ArrayBuffer | { sum: number; back: ArrayBuffer }

serveRpc<TestRequest, TestReply>(parentPort as unknown as RpcEndpoint, async (request, call) => {
  switch (request.type) {
    case 'echo': return request.text
    case 'sum': {
      const back = new ArrayBuffer(request.replyBytes)
      call.transfer(back)
      return { sum: new Uint8Array(request.data).reduce((a, b) => a + b, 0), back }
    }
    case 'until-aborted':
      await new Promise((resolve) => call.signal.addEventListener('abort', resolve))
      return call.signal.aborted
    case 'fail': throw new AppError('QUOTA', 'The disk is full: free space, then resume.')
    case 'crash':
      setTimeout(() => { throw new Error('boom in the worker') })
      return new Promise(() => {})
  }
})
