/**
 * A UDP tracker announce (BEP 15): connect, then announce, to the address that passed the
 * destination policy (checked-address.ts), on a socket connected to that address, so the kernel
 * drops datagrams from anyone else; or through the proxy's UDP relay (outgoing.ts). Each step is sent up to TRIES times, TRY_MS apart (BEP 15's
 * own schedule waits up to an hour; a page wants to know sooner). Our own rather than
 * bittorrent-tracker's client: that one sends to the host name, resolved again at every datagram.
 */
import { randomBytes } from 'node:crypto'
import { COMPACT_V4, COMPACT_V6 } from '../../src/core/peer-address'
import { parseUdpAnswer, UDP_ACTION, type AnnounceAnswer, type TrackerFailure, type UdpAnswer } from '../../src/core/tracker-communication/tracker-response'
import { Outgoing, type DatagramChannel } from '../peer-connection/outgoing'
import { REQUEST_TIMEOUT_MS, type AnnounceParams, type TrackerRequestContext } from './tracker-http'

const TRIES = 3
const TRY_MS = 4000
const EVENTS = { none: 0, completed: 1, started: 2, stopped: 3 } as const
/** BEP 15's magic number that opens a connect request. */
const PROTOCOL_ID = Buffer.from('0000041727101980', 'hex')

export async function udpAnnounce(url: string, params: AnnounceParams, ctx: TrackerRequestContext): Promise<AnnounceAnswer | TrackerFailure> {
  const target = new URL(url)
  const port = Number(target.port)
  if (!port) throw new Error('a udp tracker URL needs a port')
  const deadline = AbortSignal.timeout(REQUEST_TIMEOUT_MS)
  const signal = ctx.signal ? AbortSignal.any([ctx.signal, deadline]) : deadline
  const outgoing = ctx.outgoing ?? Outgoing.DIRECT
  const dest = await outgoing.destination(target.hostname, { allowNet: ctx.allowNet, signal, ...(ctx.resolve ? { resolve: ctx.resolve } : {}) })
  if (signal.aborted) throw new Error('stopped')
  const channel = await outgoing.datagrams(dest, port, signal)
  try {
    const connect = await exchange(channel, 'connect', (tid) => Buffer.concat([PROTOCOL_ID, u32(UDP_ACTION.connect), u32(tid)]), signal)
    if (connect.type !== 'connect') return connect
    return await exchange(channel, 'announce', (tid) => Buffer.concat([
      connect.connectionId, u32(UDP_ACTION.announce), u32(tid),
      params.infoHash, params.peerId,
      u64(params.downloaded), params.left >= 0 ? u64(params.left) : Buffer.alloc(8, 0xff), u64(params.uploaded),
      u32(EVENTS[params.event]), u32(0), randomBytes(4), u32(params.numwant), u16(params.port),
    ]), signal) as AnnounceAnswer | TrackerFailure
  } finally {
    channel.close()
  }
}

/** Sends a request until an answer to it comes, or TRIES run out. */
function exchange(channel: DatagramChannel, action: 'connect' | 'announce', request: (tid: number) => Buffer, signal: AbortSignal | undefined): Promise<UdpAnswer> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new Error('stopped')) // an abort that came while the name resolved
    let tries = 0
    // one transaction id for every try: an answer to an earlier try is as good
    const tid = randomBytes(4).readUInt32BE(0)
    let timer: NodeJS.Timeout | undefined
    let finished = false
    const done = (fn: () => void) => {
      finished = true
      clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
      fn()
    }
    // BEP 15: peers come in the size of the address family the tracker answered over
    const onMessage = (msg: Buffer, family: 4 | 6) => {
      if (finished) return
      const answer = parseUdpAnswer(msg, tid, action, family === 6 ? COMPACT_V6 : COMPACT_V4)
      if (answer) done(() => resolve(answer))
    }
    const onAbort = () => done(() => reject(new Error('stopped')))
    const send = () => {
      if (tries++ >= TRIES) return done(() => reject(new Error(`no answer to ${TRIES} ${action} requests`)))
      channel.send(request(tid))
      timer = setTimeout(send, TRY_MS)
    }
    channel.onMessage(onMessage)
    signal?.addEventListener('abort', onAbort)
    send()
  })
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2)
  b.writeUInt16BE(n)
  return b
}
function u32(n: number): Buffer {
  const b = Buffer.alloc(4)
  b.writeUInt32BE(n >>> 0)
  return b
}
function u64(n: number): Buffer {
  const b = Buffer.alloc(8)
  b.writeBigUInt64BE(BigInt(Math.max(0, Math.floor(n))))
  return b
}
