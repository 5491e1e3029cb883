import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { parseOptions, USAGE } from './options'
import { startServer } from './server'

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
  const running = await startServer(options)
  console.log(`Torrent Web is running: open ${running.url}`)
  if (running.bridge) {
    const dht = running.bridge.dht ? `, DHT on UDP ${running.bridge.dht.port}` : ', no DHT'
    const lsd = running.bridge.lsd ? ', Local Service Discovery on' : ''
    console.log(`Bridge: peers connect to TCP port ${running.bridge.peerPort}${dht}${lsd}`)
  }
  const stop = () => void running.close().then(() => process.exit(0))
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}

void main()
