// A bridge with encryption off and a page's client on it with one torrent registered: the set-up
// of the tests that dial loopback listeners posing as peers (plaintext, so OPENED comes as soon as
// TCP is up and a listener reads the page's handshake as it was sent).
import type { BridgeClient } from '../../src/bridge-client/bridge-client'
import type { BridgeLimits } from '../../bridge/api-gateway/limits'
import { connectClient, startTestBridge, type TestBridge } from './harness'

export interface PlaintextPage {
  bridge: TestBridge
  client: BridgeClient
  close(): Promise<void>
}

export async function plaintextPage(limits: Partial<BridgeLimits>, infoHash: string, peerId: string): Promise<PlaintextPage> {
  const bridge = await startTestBridge(['--encryption', 'off'], limits)
  const client = await connectClient(bridge)
  client.register(infoHash, peerId)
  return {
    bridge,
    client,
    close: async () => {
      client.close()
      await bridge.close()
    },
  }
}
