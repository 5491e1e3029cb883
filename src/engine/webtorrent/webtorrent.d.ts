/**
 * The parts of webtorrent 3's prebuilt browser module that we use (it ships no types). Members
 * marked Internal are private to webtorrent: only the files of this folder use them.
 */
declare module 'webtorrent/dist/webtorrent.min.js' {
  type Listener = (...args: any[]) => void

  interface Emitter {
    on(event: string, listener: Listener): this
    once(event: string, listener: Listener): this
    off(event: string, listener: Listener): this
    removeListener(event: string, listener: Listener): this
  }

  export interface WebTorrentFile extends Emitter {
    readonly name: string
    readonly path: string
    readonly length: number
    readonly offset: number
    readonly downloaded: number
    readonly progress: number
    readonly done: boolean
    select(priority?: number): void
    deselect(): void
    /** Bytes [start, end] inclusive; waits for missing pieces and makes them critical. */
    stream(opts?: { start?: number; end?: number }): ReadableStream<Uint8Array>
  }

  /** A bittorrent-protocol wire (webtorrent sets the address from the connection). */
  export interface Wire extends Emitter {
    readonly type: string
    readonly remoteAddress?: string
    readonly remotePort?: number
    /** The remote's peer ID, 40 hex, once its handshake came. */
    readonly peerId?: string | null
    /** The remote's BEP 10 extended handshake, once it came (`v`: its client's name). */
    readonly peerExtendedHandshake?: { readonly p?: unknown; readonly m?: Record<string, unknown>; readonly v?: Uint8Array | string }
    /** The remote's pieces: a bitfield, or after BEP 6's HaveAll an object that answers true to every get() (its buffer empty). */
    readonly peerPieces?: { get(index: number): boolean; readonly buffer?: Uint8Array }
    /** Set by destroy(), and while it ends. */
    readonly destroyed?: boolean
    readonly destroying?: boolean
    /** Registers a protocol extension: a class whose prototype has a `name`, made once per wire. */
    use(Extension: new (wire: Wire) => object): void
    /** Piece data got and sent per second (bittorrent-protocol's meters; called with no argument they read it). */
    downloadSpeed?(): number
    uploadSpeed?(): number
    /** Sends an extended message by the extension's name (the remote's id for it) or id. */
    extended(ext: string | number, payload: Uint8Array): void
    destroy(): void
  }

  /** limiter's TokenBucket (bundled in webtorrent's build): a byte spends from it and from its parent. */
  export interface TokenBucket {
    readonly bucketSize: number
    readonly tokensPerInterval: number
    parentBucket: TokenBucket | null
  }

  /**
   * speed-limiter's ThrottleGroup (bundled in webtorrent's build, not exported): a peer's pipeline
   * holds one throttle of a group each way, which spends from the group's bucket.
   */
  export interface ThrottleGroup {
    /** setRate makes one when there is none. */
    bucket: TokenBucket | null
    setEnabled(enabled: boolean): void
    setRate(rate: number, chunksize?: number): void
  }

  export interface ThrottleGroups { down: ThrottleGroup; up: ThrottleGroup }

  export interface Torrent extends Emitter {
    readonly infoHash: string
    readonly magnetURI: string
    readonly name?: string
    readonly length: number
    readonly pieceLength: number
    readonly files: WebTorrentFile[]
    readonly downloaded: number
    readonly uploaded: number
    readonly received: number
    readonly downloadSpeed: number
    readonly uploadSpeed: number
    readonly progress: number
    readonly timeRemaining: number
    readonly numPeers: number
    readonly ready: boolean
    readonly done: boolean
    readonly paused: boolean
    readonly destroyed: boolean
    readonly torrentFile?: Uint8Array
    readonly wires: Wire[]
    /** Read on every scheduling pass, so it can change while downloading. */
    strategy: 'sequential' | 'rarest'
    /** The verified pieces: the `bitfield` package's BitField, whose `buffer` is public. */
    readonly bitfield?: { get(index: number): boolean; readonly buffer: Uint8Array }
    pause(): void
    resume(): void
    addPeer(peer: unknown): boolean
    /** Internal: creates a Peer (WebRTC, or a stream given to addPeer) with `client.throttleGroups`. */
    _addPeer(...args: unknown[]): unknown
    /**
     * Adds a web seed: a URL, or (documented) "a custom web seed implementation", a Duplex that
     * speaks the wire protocol as the remote peer, with a unique `connId` (engine/peer-connection/web-seeds.ts).
     * Creates its Peer with `client.throttleGroups`.
     */
    addWebSeed(...args: unknown[]): unknown
    /**
     * Internal: webtorrent's Piece of each piece still to download (null once verified), after
     * 'metadata'; `missing` is how many of its `length` bytes have not arrived.
     */
    readonly pieces?: readonly ({ readonly length: number; readonly missing: number } | null)[]
    /**
     * Ours, not webtorrent's: the hook piece-check-hook.ts adds to its piece handler. Resolves with
     * the hex compared with the piece's SHA-1 from the metainfo (equal exactly when the piece is good).
     */
    pieceCheck?: (index: number, piece: Uint8Array) => Promise<string>
    /** Internal: schedules a request round (in an idle callback where the page has them). */
    _update(): void
    /** Internal: the request round itself, over every wire. */
    _updateWireWrapper(): void
    critical(start: number, end: number): void
    select(start: number, end: number, priority?: number): void
    deselect(start: number, end: number): void
  }

  export interface AddOptions {
    announce?: string[]
    store?: unknown
    storeCacheSlots?: number
    destroyStoreOnDestroy?: boolean
    skipVerify?: boolean
    bitfield?: Uint8Array
    maxWebConns?: number
    strategy?: 'sequential' | 'rarest'
    /** Select no piece when metadata arrives (by default every piece is selected then). */
    deselect?: boolean
    /** Merged into each tracker announce (webtorrent's documented option); `numwant` sets how many WebRTC offers a WebSocket announce carries (at most 5). */
    getAnnounceOpts?: () => { numwant?: number }
  }

  export interface ClientOptions {
    tracker?: { rtcConfig?: RTCConfiguration; announce?: string[] } | false
    dht?: boolean
    lsd?: boolean
    webSeeds?: boolean
    maxConns?: number
    downloadLimit?: number
    uploadLimit?: number
  }

  export default class WebTorrent implements Emitter {
    static readonly WEBRTC_SUPPORT: boolean
    /** The release, e.g. "3.0.21" (version.ts checks it). */
    static readonly VERSION: string
    constructor(opts?: ClientOptions)
    readonly torrents: Torrent[]
    /** 40 hex characters. */
    readonly peerId: string
    readonly downloadSpeed: number
    readonly uploadSpeed: number
    add(torrentId: string | Uint8Array | object, opts?: AddOptions, onTorrent?: (torrent: Torrent) => void): Torrent
    get(torrentId: string | Uint8Array): Promise<Torrent | null>
    remove(torrentId: string | Torrent, opts?: { destroyStore?: boolean }, cb?: (err?: Error) => void): Promise<void>
    destroy(cb?: (err?: Error) => void): void
    /** The groups a torrent hands each peer it creates; read at that moment, not kept by the torrent. */
    throttleGroups: ThrottleGroups
    on(event: string, listener: Listener): this
    once(event: string, listener: Listener): this
    off(event: string, listener: Listener): this
    removeListener(event: string, listener: Listener): this
  }
}
