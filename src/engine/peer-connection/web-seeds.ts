/**
 * A torrent's web seeds (BEP 19: the .torrent's url-list, a magnet's `ws=`), each a WebSeedConn
 * handed to webtorrent once the torrent has its metadata. The one place where web seeds meet
 * webtorrent: its client is made with `webSeeds: false`, so that it never builds web seeds of its
 * own (its WebConn reads any answer whole, trusts its length, and retries a lying server forever),
 * and `torrent.addWebSeed(conn)` is its documented API for "a custom web seed implementation".
 * The peers list finds each web seed's wire by the peer id the connection answers with.
 */
import { rawFilePaths, type Metainfo } from '../../core/torrent-parser/metainfo'
import { seedFiles } from '../../core/peer-connection/web-seed-ranges'
import { WebSeedConn, type RangeFetch } from './web-seed-conn'

/** Most web seeds used per torrent: more only spread the same pieces over more servers. */
export const MAX_WEB_SEEDS = 10

/** The part of a webtorrent torrent this uses (the browser build's and Node's alike). */
export interface WebSeedTorrent {
  readonly infoHash: string
  readonly destroyed: boolean
  addWebSeed(conn: unknown): unknown
}

export interface WebSeedsOptions {
  /** The page's own fetch; null where the page may not fetch other origins itself. */
  direct: RangeFetch | null
  /** The bridge's fetch for this torrent (failing as 'busy' while it is not connected); null without a bridge. */
  bridge: (infoHash: string) => RangeFetch | null
  /** A web seed was dropped, and why. */
  onDropped?: (infoHash: string, url: string, reason: string) => void
  /** How long a web seed that failed is left alone at first (web-seed-conn.ts; tests shorten it). */
  backoffMs?: number
}

export interface WebSeedView {
  url: string
  /** Host (and port, when it is not the scheme's) of its URL. */
  host: string
  viaBridge: boolean
  /** Why it was dropped; null while it works. */
  dropped: string | null
}

export class WebSeeds {
  private readonly torrents = new Map<string, WebSeedConn[]>()

  constructor(private readonly opts: WebSeedsOptions) {}

  /** Adds the web seeds `urls` to a torrent that has its metadata; once per torrent run. */
  attach(torrent: WebSeedTorrent, metainfo: Metainfo, urls: readonly string[]): void {
    const infoHash = torrent.infoHash
    if (this.torrents.has(infoHash) || torrent.destroyed) return
    const list = [...new Set(urls)].slice(0, MAX_WEB_SEEDS)
    this.torrents.set(infoHash, [])
    if (!list.length) return
    const paths = rawFilePaths(metainfo.infoBytes)
    for (const url of list) {
      const conn = new WebSeedConn({
        url,
        infoHash,
        peerId: webSeedPeerId(),
        pieceLength: metainfo.pieceLength,
        pieceCount: metainfo.pieceCount,
        lastPieceLength: metainfo.lastPieceLength,
        pieceHashes: metainfo.pieceHashes,
        files: seedFiles(url, paths, metainfo.files),
        direct: this.opts.direct,
        bridge: () => this.opts.bridge(infoHash),
        ...(globalThis.crypto?.subtle ? { sha1: sha1 } : {}),
        onDropped: (reason) => this.opts.onDropped?.(infoHash, url, reason),
        ...(this.opts.backoffMs !== undefined ? { backoffMs: this.opts.backoffMs } : {}),
      })
      this.torrents.get(infoHash)!.push(conn)
      torrent.addWebSeed(conn)
    }
  }

  /** The torrent stopped: its web seeds go with it (webtorrent destroys their connections). */
  detach(infoHash: string): void {
    for (const conn of this.torrents.get(infoHash) ?? []) conn.destroy()
    this.torrents.delete(infoHash)
  }

  /** The web seed behind a wire of type 'webSeed', by the peer id it answered with. */
  describe(infoHash: string, wire: { readonly peerId?: string | null }): WebSeedView | undefined {
    const conn = this.torrents.get(infoHash)?.find((c) => c.peerId === wire.peerId)
    return conn && view(conn)
  }

  /** Every web seed of the torrent, those dropped included. */
  list(infoHash: string): WebSeedView[] {
    return (this.torrents.get(infoHash) ?? []).map(view)
  }
}

function view(conn: WebSeedConn): WebSeedView {
  return { url: conn.url, host: hostOf(conn.url), viaBridge: conn.viaBridge, dropped: conn.dropped }
}

function hostOf(url: string): string {
  try {
    return new URL(url).host
  } catch {
    return url
  }
}

/** "-WS0001-" and 12 random bytes, as 40 hex: unlike any client's, so webtorrent never takes two web seeds for one peer. */
function webSeedPeerId(): string {
  const bytes = new Uint8Array(20)
  bytes.set(Array.from('-WS0001-', (c) => c.charCodeAt(0)))
  crypto.getRandomValues(bytes.subarray(8))
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}

async function sha1(bytes: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-1', bytes as Uint8Array<ArrayBuffer>))
}
