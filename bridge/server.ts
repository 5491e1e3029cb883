import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import sirv from 'sirv'
import { RUNTIME_CONFIG_PATH } from '../src/protocol/runtime-config'
import type { ServerOptions } from './options'

export interface RunningServer {
  server: Server
  url: string
  close(): Promise<void>
}

/** Serves the built app and hands it its runtime configuration. The bridge joins here later. */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const serveApp = sirv(options.appDir, { single: true, etag: true, gzip: false, brotli: false, dev: false })
  const runtimeJson = JSON.stringify(options.runtime)

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]
    if (path === RUNTIME_CONFIG_PATH) {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' })
      res.end(runtimeJson)
      return
    }
    res.setHeader('x-content-type-options', 'nosniff')
    res.setHeader('referrer-policy', 'no-referrer')
    serveApp(req, res, () => {
      res.writeHead(404, { 'content-type': 'text/plain' })
      res.end('Not found')
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, options.host, () => resolve())
  })
  const { port } = server.address() as AddressInfo
  const host = options.host.includes(':') ? `[${options.host}]` : options.host
  return {
    server,
    url: `http://${host}:${port}/`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}
