// The LAN side of the port mapping test, as one process run inside the LAN namespace
// (netns-router.ts): the bridge as `npm start` configures it (port mapping on, peer port on every
// address) and a "page" that seeds a fixture through it (webtorrent in Node, BridgeClient and
// PeerService, as test/bridge/inbound.test.ts). The page announces to the given tracker through
// the bridge and dials nobody: a peer can only get its data by connecting in.
//
//   ip netns exec LAN node --import tsx test/support/portmap-lan-cli.ts --root DIR --tracker URL --peer-port P
//
// stdout, one JSON object a line: {"event":"ready","infoHash","torrentFile":"<base64>"}, then
// {"event":"status","frame":STATUS} for each STATUS frame the page receives and
// {"event":"counts","counts":{…}} when its peer counts change; {"event":"closed"} once the bridge
// has stopped (SIGTERM, or stdin closed). Everything else goes to stderr.
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { parseOptions } from '../../bridge/options'
import { startServer } from '../../bridge/api-gateway/server'
import { BridgeClient, bridgeUrl } from '../../src/bridge-client/bridge-client'
import { PeerService } from '../../src/engine/peer-connection/peers'
import { nodeWebSocket, waitFor } from '../bridge/harness'
import { startSeeder } from './seeder'

const { values } = parseArgs({
  options: { root: { type: 'string' }, tracker: { type: 'string' }, 'peer-port': { type: 'string' } },
})
const print = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`)

const appDir = await mkdtemp(join(tmpdir(), 'portmap-app-'))
await writeFile(join(appDir, 'index.html'), '<!doctype html><title>test</title>')
const seeder = await startSeeder({ root: values.root!, announce: [], webrtc: false, tcpPort: false })
const running = await startServer(parseOptions([
  '--port', '0', '--host', '127.0.0.1', '--app-dir', appDir, '--ice-servers', 'none', '--trackers', 'ws://127.0.0.1:9',
  '--peer-port', values['peer-port']!, '--dht-bootstrap', 'none', '--port-mapping', 'on',
]))
const origin = running.url.replace(/\/$/, '')
const client = new BridgeClient({ url: bridgeUrl(running.url), WebSocket: nodeWebSocket(origin), reconnect: { minMs: 100, maxMs: 500 } })
client.on('status', (frame) => print({ event: 'status', frame }))
client.start()
await waitFor(() => client.state === 'connected', 10_000, 'the page connected to the bridge')
const peers = new PeerService(client)
peers.on('counts', (_infoHash, counts) => print({ event: 'counts', counts }))
peers.attach(seeder.torrent as never)
client.register(seeder.infoHash, (seeder.client as unknown as { peerId: string }).peerId)
client.announce(seeder.infoHash, 'started', { trackers: [values.tracker!], dht: false, uploaded: 0, downloaded: 0, left: 0 })
print({ event: 'ready', infoHash: seeder.infoHash, torrentFile: Buffer.from(seeder.torrentFile).toString('base64') })

let stopping = false
async function stop(): Promise<void> {
  if (stopping) return
  stopping = true
  peers.destroy()
  client.close()
  await running.close()
  await seeder.destroy()
  print({ event: 'closed' })
  process.exit(0)
}
process.on('SIGTERM', () => void stop())
process.stdin.on('end', () => void stop())
process.stdin.resume()
