/**
 * A focused bench of the piece path over the storage worker (hashHeld then putHeld per piece,
 * engine/piece-hashing.ts), the hand-written client main had against the worker RPC
 * (core/rpc-client.ts), side by side in one run, alternating. Reports, per piece: the messages
 * each way, whether every buffer moved (none copied), the calling thread's busy time
 * (event-loop utilisation, the page's main thread in the app) and the wall time.
 * Run: node --import tsx test/bench/rpc-piece-path.ts [pieces] [rounds]
 */
import { Worker } from 'node:worker_threads'
import { performance } from 'node:perf_hooks'
import { RpcClient } from '../../src/core/rpc-client'
import { nodeRpcWorker } from '../support/node-rpc-worker'
import type { PieceReply, PieceRequest } from './rpc-piece-path.worker'

const PIECE = 1024 * 1024
const PIECES = Number(process.argv[2] ?? 1024)
const ROUNDS = Number(process.argv[3] ?? 5)
/** Pieces in flight at once, about what webtorrent has when a fast peer feeds it. */
const IN_FLIGHT = 8
const FILE = new URL('./rpc-piece-path.worker.ts', import.meta.url)
const ENTRY = new URL('../support/ts-worker-entry.mjs', import.meta.url)

interface Client {
  hashHeld(held: number, data: ArrayBuffer): Promise<ArrayBuffer>
  putHeld(index: number, held: number): Promise<ArrayBuffer | undefined>
  close(): void
  messages(): { out: number; back: number }
}

/** What src/storage/file-storage/storage-client.ts was on main before the RPC: a Map of pending ids. */
function handWritten(): Client {
  const worker = new Worker(ENTRY, { workerData: { tsFile: FILE.href, mode: 'hand-written', pieceLength: PIECE, pieces: PIECES } })
  const pending = new Map<number, { resolve: (r: PieceReply) => void }>()
  let nextId = 1
  let out = 0
  let back = 0
  worker.on('message', (response: { id: number; data?: ArrayBuffer }) => {
    back++
    const call = pending.get(response.id)
    pending.delete(response.id)
    call?.resolve(response)
  })
  const call = (request: PieceRequest, transfer: ArrayBuffer[] = []) => new Promise<PieceReply>((resolve) => {
    const id = nextId++
    pending.set(id, { resolve })
    out++
    worker.postMessage({ ...request, id }, transfer)
  })
  return {
    hashHeld: async (held, data) => (await call({ type: 'hash', held, data }, [data])).data!,
    putHeld: async (index, held) => (await call({ type: 'put-held', index, held })).data,
    close: () => void worker.terminate(),
    messages: () => ({ out, back }),
  }
}

function overRpc(): Client {
  let out = 0
  let back = 0
  const rpc = new RpcClient<PieceRequest, PieceReply>({
    start: () => {
      const endpoint = nodeRpcWorker(FILE, undefined, { mode: 'rpc', pieceLength: PIECE, pieces: PIECES })
      const post = endpoint.postMessage.bind(endpoint)
      endpoint.postMessage = (message, transfer) => { out++; post(message, transfer) }
      endpoint.addEventListener('message', () => void back++)
      return endpoint
    },
    crashError: (why) => new Error(why),
  })
  return {
    hashHeld: async (held, data) => (await rpc.call({ type: 'hash', held, data }, { transfer: [data] })).data!,
    putHeld: async (index, held) => (await rpc.call({ type: 'put-held', index, held })).data,
    close: () => rpc.fail('bench over'),
    messages: () => ({ out, back }),
  }
}

/** Downloads PIECES pieces through `client`, IN_FLIGHT at a time, reusing the buffers given back. */
async function run(client: Client): Promise<{ seconds: number; busyMsPerPiece: number; copied: number }> {
  const spare: ArrayBuffer[] = []
  let next = 0
  let copied = 0
  let held = 1
  const elu = performance.eventLoopUtilization()
  const start = performance.now()
  const lane = async () => {
    while (next < PIECES) {
      const index = next++
      const buffer = spare.pop() ?? new ArrayBuffer(PIECE)
      new Uint8Array(buffer).fill(index & 0xff, 0, 64) // assembled: a few bytes of our own
      const id = held++
      const digest = await client.hashHeld(id, buffer)
      if (digest.byteLength !== 20) throw new Error('no SHA-1')
      if (buffer.byteLength !== 0) copied++ // still here: it was copied, not moved
      const back = await client.putHeld(index, id)
      if (back) spare.push(back)
    }
  }
  await Promise.all(Array.from({ length: IN_FLIGHT }, lane))
  const seconds = (performance.now() - start) / 1000
  const used = performance.eventLoopUtilization(elu)
  return { seconds, busyMsPerPiece: (used.active / PIECES), copied }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!
const results: Record<string, { seconds: number[]; busy: number[]; copied: number; perPiece: string }> = {}
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, make] of [['hand-written', handWritten], ['rpc', overRpc]] as const) {
    const client = make()
    await client.hashHeld(0, new ArrayBuffer(PIECE)) // the worker is up (and its first call's cost is not counted)
    await client.putHeld(0, 0)
    const before = client.messages()
    const { seconds, busyMsPerPiece, copied } = await run(client)
    const after = client.messages()
    client.close()
    const entry = results[name] ??= { seconds: [], busy: [], copied: 0, perPiece: '' }
    entry.seconds.push(seconds)
    entry.busy.push(busyMsPerPiece)
    entry.copied += copied
    entry.perPiece = `${(after.out - before.out) / PIECES} out, ${(after.back - before.back) / PIECES} back`
  }
}
console.log(`piece path, ${PIECES} pieces of 1 MiB, ${IN_FLIGHT} in flight, median of ${ROUNDS} rounds (alternating)`)
console.log('| client | messages per piece | buffers copied | calling thread busy per piece | wall time | MiB/s |')
console.log('|---|---|---|---|---|---|')
for (const [name, r] of Object.entries(results)) {
  const seconds = median(r.seconds)
  console.log(`| ${name} | ${r.perPiece} | ${r.copied} | ${(median(r.busy) * 1000).toFixed(1)} µs | ${seconds.toFixed(2)} s | ${(PIECES / seconds).toFixed(0)} |`)
}
