/**
 * The bridge's mainline DHT node (BEP 5, bittorrent-dht): one node for every page. Pages say
 * which info-hashes they want; the node looks each up and announces the bridge's peer port for
 * it, again every `announceMs`, and reports what it finds.
 */
// @ts-ignore -- bittorrent-dht ships no types; the part used is typed below.
import DHTModule from 'bittorrent-dht'
import { log } from '../log'

interface DhtInstance {
  listen(port: number, host: string, cb?: () => void): void
  address(): { port: number; address: string }
  announce(infoHash: string, port: number, cb?: (err?: Error) => void): void
  lookup(infoHash: string, cb?: (err?: Error) => void): void
  addNode(node: { host: string; port: number }): void
  destroy(cb?: () => void): void
  on(event: 'peer', fn: (peer: { host: string; port: number }, infoHash: Buffer) => void): void
  on(event: 'ready' | 'listening', fn: () => void): void
  on(event: 'error' | 'warning', fn: (err: Error) => void): void
  once(event: 'ready' | 'listening', fn: () => void): void
  nodes: { count(): number }
}
const DHT = DHTModule as unknown as new (opts: { bootstrap: string[] | false; host?: string | false }) => DhtInstance

export interface DhtNodeOptions {
  /** host:port routers, or [] for a DHT of one's own. */
  bootstrap: string[]
  port: number
  host: string
  /** The TCP port peers should connect to (announced). */
  peerPort: number
  announceMs: number
  /** A peer for `infoHash`, as a DHT node gave it (bittorrent-dht decodes compact peers; not checked further). */
  onPeer(infoHash: string, host: unknown, port: unknown): void
  onWarning(message: string): void
}

export class DhtNode {
  private readonly dht: DhtInstance
  private readonly timers = new Map<string, NodeJS.Timeout>()

  private startError: ((err: Error) => void) | null = null

  private constructor(private readonly opts: DhtNodeOptions) {
    this.dht = new DHT({ bootstrap: opts.bootstrap.length ? opts.bootstrap : false })
    this.dht.on('peer', (peer, infoHash) => {
      // a stranger's answer: whatever it holds is the bridge's to contain, not to crash on
      try {
        opts.onPeer(Buffer.from(infoHash).toString('hex'), peer?.host, peer?.port)
      } catch (err) {
        log.error({ err }, 'a DHT peer could not be handled')
      }
    })
    this.dht.on('warning', (err) => opts.onWarning(`DHT: ${err.message}`))
    this.dht.on('error', (err) => {
      if (this.startError) this.startError(err)
      else opts.onWarning(`DHT: ${err.message}`)
    })
  }

  /** Binds the node; when `fallback` and the port is taken, binds any free port instead. */
  static async start(opts: DhtNodeOptions, fallback = false): Promise<DhtNode> {
    const node = new DhtNode(opts)
    try {
      await new Promise<void>((resolve, reject) => {
        node.startError = reject
        node.dht.listen(opts.port, opts.host, () => resolve())
      })
    } catch (err) {
      await node.destroy()
      if (fallback && opts.port !== 0) return DhtNode.start({ ...opts, port: 0 })
      throw new Error(`DHT: cannot bind UDP ${opts.host}:${opts.port} (${(err as Error).message})`)
    } finally {
      node.startError = null
    }
    return node
  }

  get port(): number {
    return this.dht.address().port
  }

  /** Nodes in its routing table (what the Connectivity panel shows). */
  get nodeCount(): number {
    return this.dht.nodes.count()
  }

  /** The address its socket is bound to. */
  get host(): string {
    return this.dht.address().address
  }

  /** Adds a node by hand (tests, or a peer that says it runs a DHT node). */
  addNode(host: string, port: number): void {
    this.dht.addNode({ host, port })
  }

  /** Starts (or restarts) looking up and announcing `infoHash` until `forget`. */
  want(infoHash: string): void {
    if (this.timers.has(infoHash)) return
    const run = () => this.dht.announce(infoHash, this.opts.peerPort, (err) => {
      if (err) this.opts.onWarning(`DHT announce: ${err.message}`)
    })
    run()
    const timer = setInterval(run, this.opts.announceMs)
    timer.unref()
    this.timers.set(infoHash, timer)
  }

  /** Looks `infoHash` up now (peers arrive through onPeer), whether or not it is wanted. */
  lookup(infoHash: string): void {
    this.dht.lookup(infoHash)
  }

  forget(infoHash: string): void {
    const timer = this.timers.get(infoHash)
    if (timer) clearInterval(timer)
    this.timers.delete(infoHash)
  }

  destroy(): Promise<void> {
    for (const timer of this.timers.values()) clearInterval(timer)
    this.timers.clear()
    return new Promise((resolve) => this.dht.destroy(() => resolve()))
  }
}
