import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import sirv from 'sirv'
import { BRIDGE_PATH } from '../../src/protocol/bridge-frames'
import { RUNTIME_CONFIG_PATH } from '../../src/protocol/runtime-config'
import { BridgeHub } from './bridge-hub'
import type { ServerOptions } from '../options'
import { METRICS_PATH } from '../metrics'
import { checkHost, checkToken } from './policy'
import { SECURITY_HEADERS, isSourceMapPath } from './security-headers'

export interface RunningServer {
  server: Server
  url: string
  /** The bridge (sessions, stats, peer port), or null when started with `--no-bridge`. */
  bridge: BridgeHub | null
  close(): Promise<void>
}

/** Serves the built app, hands it its runtime configuration, and runs the bridge on `/bridge`. */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const serveApp = sirv(options.appDir, { single: true, etag: true, gzip: false, brotli: false, dev: false })
  const bridge = options.bridge ? await BridgeHub.start({ ...options.bridge, dhtBootstrap: options.bridge.dhtBootstrap }) : null
  const runtime = {
    ...options.runtime,
    bridge: bridge ? { path: BRIDGE_PATH, tokenRequired: options.bridge!.token !== null } : null,
  }
  const runtimeJson = JSON.stringify(runtime)

  const hostPolicy = { allowOrigins: options.allowOrigins, token: null }
  const server = createServer((req, res) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value)
    const path = (req.url ?? '/').split('?')[0] ?? '/'
    const reply = (status: number, text: string) => {
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' })
      res.end(text)
    }
    if (path === RUNTIME_CONFIG_PATH) {
      // a DNS-rebound page (its own hostname in Host) must not read the trackers and bridge it would get
      const host = checkHost(req.headers.host, hostPolicy)
      if (!host.ok) return reply(403, `Refused: ${host.reason}`)
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' })
      res.end(runtimeJson)
      return
    }
    if (path === METRICS_PATH && bridge) {
      // the bridge's own rules: its Host (no DNS-rebound page reads it) and its token, when it has one
      const host = checkHost(req.headers.host, hostPolicy)
      if (!host.ok) return reply(403, `Refused: ${host.reason}`)
      const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? new URL(req.url ?? '/', 'http://x').searchParams.get('token')
      const token = checkToken(bearer, { allowOrigins: [], token: options.bridge!.token })
      if (!token.ok) return reply(401, `Refused: ${token.reason}`)
      void bridge.metrics.text().then((text) => {
        res.writeHead(200, { 'content-type': bridge.metrics.contentType, 'cache-control': 'no-store' })
        res.end(text)
      }, (err: Error) => reply(500, err.message))
      return
    }
    if (!options.sourceMaps && isSourceMapPath(path)) return reply(404, 'Not found (start the server with --source-maps to serve source maps)')
    serveApp(req, res, () => reply(404, 'Not found'))
  })
  server.on('upgrade', (req, socket, head) => {
    if (!bridge?.handleUpgrade(req, socket, head)) socket.destroy()
  })
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(options.port, options.host, () => resolve())
    })
  } catch (err) {
    await bridge?.close()
    throw err
  }
  const { port } = server.address() as AddressInfo
  const host = options.host.includes(':') ? `[${options.host}]` : options.host
  return {
    server,
    url: `http://${host}:${port}/`,
    bridge,
    close: async () => {
      await bridge?.close()
      await new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
    },
  }
}
