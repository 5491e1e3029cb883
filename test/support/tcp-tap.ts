// A watcher in front of a peer: a TCP relay on 127.0.0.1 that forwards every connection to the
// peer and writes down where each came from. Whoever dials the tap's port reaches the peer, and
// the test knows every address that did (a proxy's, or the bridge's own when something leaked).
import net from 'node:net'

export interface TcpTap {
  port: number
  /** The remote address of every connection accepted so far, in order. */
  connections: string[]
  close(): Promise<void>
}

export async function startTcpTap(target: { host: string; port: number }): Promise<TcpTap> {
  const connections: string[] = []
  const sockets = new Set<net.Socket>()
  const server = net.createServer((inbound) => {
    connections.push(inbound.remoteAddress ?? '?')
    const outbound = net.connect(target)
    for (const s of [inbound, outbound]) {
      sockets.add(s)
      s.on('error', () => {})
      s.on('close', () => {
        sockets.delete(s)
        inbound.destroy()
        outbound.destroy()
      })
    }
    inbound.pipe(outbound)
    outbound.pipe(inbound)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  return {
    port: (server.address() as net.AddressInfo).port,
    connections,
    close: () => new Promise((resolve) => {
      for (const s of sockets) s.destroy()
      server.close(() => resolve())
    }),
  }
}
