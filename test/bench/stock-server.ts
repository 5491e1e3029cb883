import { readFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/** Serves the anchor page and webtorrent's stock browser build on a loopback port. */
export async function startStockServer(): Promise<{ url: string; close(): Promise<void> }> {
  const page = await readFile('test/bench/stock-page.html')
  const lib = await readFile('node_modules/webtorrent/dist/webtorrent.min.js')
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]
    if (path === '/webtorrent.min.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(lib)
    } else if (path === '/') {
      res.writeHead(200, { 'content-type': 'text/html' }).end(page)
    } else {
      res.writeHead(404).end()
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((resolve) => server.close(() => resolve())) }
}
