// STATUS frames from a real bridge (in-process, loopback): a page is told the bridge's
// connectivity right after WELCOME, and why port mapping is off when it is; WELCOME says whether
// the bridge runs a DHT node.
import { afterEach, describe, expect, it } from 'vitest'
import type { BridgeClient } from '../../src/bridge-client/bridge-client'
import { connectClient, startTestBridge, waitFor, type TestBridge } from './harness'

describe('STATUS frames', () => {
  let bridge: TestBridge | undefined
  let client: BridgeClient | undefined

  afterEach(async () => {
    client?.close()
    await bridge?.close()
  })

  it('a page connecting is told the connectivity: no mapping for a peer port on loopback, its own DHT with no nodes yet', async () => {
    bridge = await startTestBridge()
    client = await connectClient(bridge)
    await waitFor(() => client!.status !== null, 5000, 'a STATUS frame')
    expect(client.status).toEqual({
      type: 8,
      portMapping: { state: 'off', protocol: '', gateway: '', externalHost: '', externalPort: 0, message: 'the peer port listens on 127.0.0.1 only (--peer-host)' },
      dhtNodes: 0, lsd: false, proxy: '', ipv6: false,
    })
    expect(client.welcome?.dht, 'WELCOME says the bridge runs a DHT node').toBe(true)
  })

  it('says port mapping was turned off, and that there is no DHT node', async () => {
    bridge = await startTestBridge(['--port-mapping', 'off', '--no-dht'])
    client = await connectClient(bridge)
    await waitFor(() => client!.status !== null, 5000, 'a STATUS frame')
    expect(client.status?.portMapping).toMatchObject({ state: 'off', message: 'port mapping is turned off (--port-mapping off)' })
    expect(client.status?.dhtNodes).toBe(-1)
    // regression: WELCOME said dht: true from a bridge started with --no-dht
    expect(client.welcome?.dht, 'WELCOME says the bridge runs no DHT node').toBe(false)
  })
})
