// The bridge's DHT node: bootstrapped from a local bittorrent-dht node only; another node
// announces a peer, and the page's lookup through the bridge finds it.
import { randomBytes } from 'node:crypto'
// @ts-ignore -- bittorrent-dht ships no types
import DHTModule from 'bittorrent-dht'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { PeerAddress } from '../../src/protocol/bridge-frames'
import { connectClient, randomPeerId, startTestBridge, type TestBridge } from './harness'

interface Dht {
  listen(port: number, host: string, cb: () => void): void
  address(): { port: number }
  announce(infoHash: string, port: number, cb: (err?: Error) => void): void
  destroy(cb?: () => void): void
  once(event: string, fn: () => void): void
}
const DHT = DHTModule as unknown as new (opts: object) => Dht

async function node(bootstrap: string[] | false): Promise<Dht> {
  const dht = new DHT({ bootstrap, host: false })
  await new Promise<void>((resolve) => dht.listen(0, '127.0.0.1', resolve))
  return dht
}

describe('DHT through the bridge', () => {
  let boot: Dht
  let announcer: Dht
  let bridge: TestBridge
  const infoHash = randomBytes(20).toString('hex')

  beforeAll(async () => {
    boot = await node(false)
    const bootAddr = `127.0.0.1:${boot.address().port}`
    announcer = await node([bootAddr])
    await new Promise<void>((resolve) => announcer.once('ready', resolve))
    await new Promise<void>((resolve, reject) => announcer.announce(infoHash, 40123, (err) => (err ? reject(err) : resolve())))
    bridge = await startTestBridge(['--dht-bootstrap', bootAddr])
  }, 30_000)

  afterAll(async () => {
    await bridge?.close()
    await new Promise<void>((r) => announcer.destroy(() => r()))
    await new Promise<void>((r) => boot.destroy(() => r()))
  })

  it('finds a peer another node announced', async () => {
    const client = await connectClient(bridge)
    try {
      const found = new Promise<PeerAddress[]>((resolve) => client.on('peers', (hash, source, peers) => {
        if (hash === infoHash && source === 'dht' && peers.some((p) => p.port === 40123)) resolve(peers)
      }))
      client.register(infoHash, randomPeerId())
      client.announce(infoHash, 'started', { trackers: [], dht: true, uploaded: 0, downloaded: 0, left: -1 })
      expect(await found).toContainEqual({ host: '127.0.0.1', port: 40123 })
    } finally {
      client.close()
    }
  }, 20_000)
})
