// DNS rebinding against tracker announces: a tracker's name resolves to an allowed address for
// one request and to a refused one for the next. Every request resolves afresh, checks what it
// got, and connects to the address it checked, never to the name. The "DNS server" is a stand-in
// resolver (a real one cannot be made to rebind here); the trackers are real sockets on loopback,
// one on an address --allow-net allows (127.0.0.2) and one where it does not (127.0.0.1).
import { createHash } from 'node:crypto'
import dgram from 'node:dgram'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ResolvedAddress } from '../../bridge/api-gateway/checked-address'
import { FrameType, type BridgeToPageFrame, type TrackerFrame } from '../../src/protocol/bridge-frames'
import { randomPeerId, rawPage, startTestBridge, type TestBridge } from './harness'

const ANSWER = Buffer.from('d8:intervali1800e5:peers6:\x01\x02\x03\x04\x1a\xe1e', 'latin1')

/** An HTTP tracker and a UDP tracker on `host`, counting what reaches them. */
async function trackersOn(host: string, port: number): Promise<{ http: number; udp: number; port: number; close(): Promise<void> }> {
  const seen = { http: 0, udp: 0 }
  const server = http.createServer((_req, res) => {
    seen.http++
    res.end(ANSWER)
  })
  await new Promise<void>((resolve) => server.listen(port, host, resolve))
  const bound = (server.address() as AddressInfo).port
  const udp = dgram.createSocket('udp4')
  udp.on('message', (msg, from) => {
    seen.udp++
    const tid = msg.subarray(12, 16)
    const action = msg.readUInt32BE(8)
    const reply = action === 0
      ? Buffer.concat([Buffer.from([0, 0, 0, 0]), tid, Buffer.alloc(8, 1)])
      : Buffer.concat([Buffer.from([0, 0, 0, 1]), tid, Buffer.from([0, 0, 7, 8, 0, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3, 4, 0x1a, 0xe1])])
    udp.send(reply, from.port, from.address)
  })
  await new Promise<void>((resolve) => udp.bind(bound, host, resolve))
  return Object.assign(seen, {
    port: bound,
    close: async () => {
      udp.close()
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    },
  })
}

describe('tracker DNS rebinding', () => {
  let allowed: Awaited<ReturnType<typeof trackersOn>>
  let refused: Awaited<ReturnType<typeof trackersOn>>
  let bridge: TestBridge
  const answers: ResolvedAddress[][] = []
  const lookups: string[] = []

  beforeAll(async () => {
    allowed = await trackersOn('127.0.0.2', 0)
    refused = await trackersOn('127.0.0.1', allowed.port)
    // the rebinding name server: the next prepared answer for every lookup of every name
    bridge = await startTestBridge(['--allow-net', '127.0.0.2/32'], {}, {
      resolve: async (name) => {
        lookups.push(name)
        return answers.shift() ?? []
      },
    })
  })
  afterAll(async () => {
    await bridge?.close()
    await allowed?.close()
    await refused?.close()
  })

  it.each(['http', 'udp'] as const)('%s: the first announce reaches the checked address; after the name rebinds to 127.0.0.1, nothing does', async (scheme) => {
    const page = await rawPage(bridge.wsUrl, { origin: bridge.origin })
    const url = scheme === 'http' ? `http://rebind.test:${allowed.port}/announce` : `udp://rebind.test:${allowed.port}`
    const settled = (infoHash: string) => page.next((f: BridgeToPageFrame): f is TrackerFrame => f.type === FrameType.Tracker && f.infoHash === infoHash && f.state !== 'announcing', 15_000)
    const announce = (name: string) => {
      const infoHash = createHash('sha1').update(`${scheme} ${name}`).digest('hex')
      page.send({ type: FrameType.Register, infoHash, peerId: randomPeerId() })
      page.send({ type: FrameType.Announce, infoHash, event: 'started', trackers: [url], dht: false, uploaded: 0, downloaded: 0, left: 1 })
      return settled(infoHash)
    }
    const before = { allowed: allowed[scheme], refused: refused[scheme], lookups: lookups.length }

    answers.push([{ address: '127.0.0.2', family: 4 }])
    expect(await announce('first')).toMatchObject({ state: 'working', peers: 1 })
    expect(allowed[scheme] - before.allowed).toBeGreaterThanOrEqual(1) // connected to the address checked, not to the name

    answers.push([{ address: '127.0.0.1', family: 4 }])
    expect(await announce('rebound')).toMatchObject({ state: 'refused', message: expect.stringMatching(/127\.0\.0\.1 is a loopback address/) })
    // a name that resolves to an allowed and a refused address is refused whole
    answers.push([{ address: '127.0.0.2', family: 4 }, { address: '127.0.0.1', family: 4 }])
    expect(await announce('both')).toMatchObject({ state: 'refused' })

    expect(refused[scheme] - before.refused).toBe(0)
    expect(lookups.length - before.lookups).toBe(3) // one lookup a request, each checked
    page.close()
  }, 30_000)
})
