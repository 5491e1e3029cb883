import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { parseOptions, USAGE } from './options'
import { portMappingText } from './connectivity'
import type { PortMappingStatus } from '../src/protocol/bridge-frames'
import { setLogLevel } from './log'
import { startServer } from './api-gateway/server'

async function main(): Promise<void> {
  let options
  try {
    options = parseOptions(process.argv.slice(2))
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${USAGE}`)
    process.exit(2)
  }
  if (!existsSync(join(options.appDir, 'index.html'))) {
    console.error(`No built app in ${options.appDir}: run "npm run build" first (npm start does it for you).`)
    process.exit(2)
  }
  setLogLevel(options.logLevel)
  let running
  try {
    running = await startServer(options)
  } catch (err) {
    // a port in use, a proxy whose name does not resolve, an interface with no address: said in a line
    console.error(`Torrent Web cannot start: ${(err as Error).message}`)
    process.exit(1)
  }
  console.log(`Torrent Web is running: open ${running.url}`)
  if (running.bridge) {
    const dht = running.bridge.dht ? `, DHT on UDP ${running.bridge.dht.port}` : ', no DHT'
    const lsd = running.bridge.lsd ? ', Local Service Discovery on' : ''
    console.log(`Bridge: peers connect to TCP port ${running.bridge.peerPort}${dht}${lsd}`)
    const logMapping = (status: PortMappingStatus) => console.log(`Port mapping: ${portMappingText(status)}`)
    logMapping(running.bridge.connectivity.portMapping)
    running.bridge.connectivity.onPortMapping(logMapping)
    const { outgoing } = running.bridge
    const route = outgoing.describe()
    if (route) {
      // the operator hears when the proxy or the interface stops working, and when it is back
      const via = outgoing.proxied ? `only through ${route} (no DHT)` : route
      const say = () => console.log(`Bridge: outgoing connections ${via}: ${outgoing.route.state === 'down' ? `DOWN, ${outgoing.route.message}` : outgoing.route.state}`)
      say()
      outgoing.route.onChange(say)
    }
  }
  const stop = () => void running.close().then(() => process.exit(0))
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}

void main()
