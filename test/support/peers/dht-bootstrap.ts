// A local mainline DHT (BEP 5) bootstrap node: bittorrent-dht on 127.0.0.1 with no routers of its
// own. Real clients (aria2c --dht-entry-point, the bridge's --dht-bootstrap) join through it, so a
// trackerless swarm forms on loopback without any public router.
// @ts-ignore -- bittorrent-dht ships no types; the part used is typed below.
import DHTModule from 'bittorrent-dht'

interface DhtInstance {
  listen(port: number, host: string, cb: () => void): void
  address(): { address: string; port: number }
  destroy(cb?: () => void): void
  lookup(infoHash: string, cb?: (err: Error | null, n: number) => void): void
  on(event: 'peer', fn: (peer: { host: string; port: number }, infoHash: Buffer) => void): void
  on(event: 'announce', fn: (peer: { host: string; port: number }, infoHash: Buffer) => void): void
  on(event: 'node', fn: (node: { host: string; port: number }) => void): void
  on(event: 'error' | 'warning', fn: (err: Error) => void): void
  nodes: { count(): number; toArray(): { host: string; port: number }[] }
  _tables?: unknown
}
const DHT = DHTModule as unknown as new (opts: { bootstrap: false | string[]; host?: string | false }) => DhtInstance

export interface DhtBootstrap {
  host: '127.0.0.1'
  port: number
  /** "127.0.0.1:PORT", as --dht-bootstrap and --dht-entry-point take it. */
  address: string
  /** Nodes it has in its routing table. */
  nodeCount(): number
  /** Peers announced to this node (announce_peer), by info-hash (hex). */
  announced: Map<string, { host: string; port: number }[]>
  /** Resolves once some node has announced `infoHash` to this node. */
  waitAnnounce(infoHash: string, timeoutMs?: number): Promise<{ host: string; port: number }[]>
  stop(): Promise<void>
}

export async function startDhtBootstrap(opts: { port?: number } = {}): Promise<DhtBootstrap> {
  // bootstrap: false -- no public routers; host: false -- do not guess our own address
  const dht = new DHT({ bootstrap: false, host: false })
  const announced = new Map<string, { host: string; port: number }[]>()
  const waiters = new Set<() => void>()
  dht.on('announce', (peer, infoHash) => {
    const key = infoHash.toString('hex')
    const list = announced.get(key) ?? []
    if (!list.some((p) => p.host === peer.host && p.port === peer.port)) list.push({ host: peer.host, port: peer.port })
    announced.set(key, list)
    for (const w of [...waiters]) w()
  })
  dht.on('warning', () => {})
  await new Promise<void>((resolve, reject) => {
    dht.on('error', reject)
    dht.listen(opts.port ?? 0, '127.0.0.1', () => resolve())
  })
  const { port } = dht.address()
  let stopped: Promise<void> | undefined
  return {
    host: '127.0.0.1',
    port,
    address: `127.0.0.1:${port}`,
    nodeCount: () => dht.nodes.count(),
    announced,
    waitAnnounce(infoHash, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const list = announced.get(infoHash)
          if (list?.length) {
            waiters.delete(check)
            clearTimeout(timer)
            resolve(list)
          }
        }
        const timer = setTimeout(() => {
          waiters.delete(check)
          reject(new Error(`no DHT announce for ${infoHash} reached the bootstrap node in ${timeoutMs} ms`))
        }, timeoutMs)
        waiters.add(check)
        check()
      })
    },
    stop() {
      stopped ??= new Promise<void>((resolve) => dht.destroy(() => resolve()))
      return stopped
    },
  }
}
