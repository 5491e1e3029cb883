import { KeyedListeners } from '../../core/peer-discovery/keyed-listeners'

/** bittorrent-tracker's pooled socket (simple-websocket, an event emitter): what the router uses of it. */
interface TrackerSocket {
  on(event: 'data', fn: (data: unknown) => void): unknown
  removeListener(event: 'data', fn: (data: unknown) => void): unknown
  listeners?(event: 'data'): unknown[]
}

/**
 * bittorrent-tracker's WebSocketTracker, one per torrent and tracker URL: the private members the
 * router reads and wraps (see bittorrent-tracker's lib/client/websocket-tracker.js).
 */
interface RoutedTracker {
  socket: TrackerSocket | null
  destroyed?: boolean
  /** Set by `_send`, cleared by any message on the socket; `destroy` of the socket's last tracker waits for one if set. */
  expectingResponse?: boolean
  client: { _infoHashBinary?: unknown }
  /** The listener `_openSocket` adds to the socket (it calls `_onSocketData`); `destroy` removes it. */
  _onSocketDataBound: ((data: unknown) => void) | null
  _onSocketData(data: unknown): void
}
interface RouterProto {
  _openSocket(this: RoutedTracker): void
  destroy(this: RoutedTracker, ...args: unknown[]): unknown
  _send(this: RoutedTracker, params: unknown): void
}

/** What a message is for, as the router needs it: `undefined` if it is not JSON. */
export type ParseTrackerMessage = (data: unknown) => { action?: unknown; info_hash?: unknown } | undefined

/** One shared socket's router: its only 'data' listener for the routed trackers. */
class SocketRouter {
  readonly trackers = new KeyedListeners<RoutedTracker>()
  /**
   * The trackers that sent since the socket's last message. Each tracker's own listener used to
   * clear its `expectingResponse` at every message on the socket, whoever it was for; now the
   * router clears it for these, which is the same, at the cost of the sends, not of the trackers.
   */
  readonly awaiting = new Set<RoutedTracker>()
  readonly listener = (data: unknown): void => this.route(data)
  private listening = false

  constructor(readonly socket: TrackerSocket, private readonly parse: ParseTrackerMessage) {}

  join(tracker: RoutedTracker, infoHash: string): void {
    if (!this.listening) {
      this.socket.on('data', this.listener)
      this.listening = true
    }
    this.trackers.add(tracker, infoHash)
    if (tracker.expectingResponse) this.awaiting.add(tracker)
  }

  /** True once no tracker is left: the listener is off the socket and the router can be dropped. */
  leave(tracker: RoutedTracker): boolean {
    this.trackers.delete(tracker)
    this.awaiting.delete(tracker)
    if (this.trackers.size > 0) return false
    this.socket.removeListener('data', this.listener)
    this.listening = false
    return true
  }

  private route(data: unknown): void {
    for (const tracker of this.awaiting) tracker.expectingResponse = false
    this.awaiting.clear()
    const message = this.parse(data)
    // an announce message names its torrent: only that torrent's trackers would not drop it
    // (bittorrent-tracker's _onAnnounceResponse); anything else goes to all, as before
    const recipients = message?.action === 'announce' && typeof message.info_hash === 'string'
      ? this.trackers.of(message.info_hash)
      : this.trackers.all()
    for (const tracker of recipients) {
      // one that left while the others were called (destroyed by one of them) is not called
      if (this.trackers.has(tracker)) tracker._onSocketData(data)
    }
  }
}

const routerOfSocket = new WeakMap<object, SocketRouter>()
const routerOfTracker = new WeakMap<object, SocketRouter>()
const patched = new WeakSet<object>()

/**
 * bittorrent-tracker pools one socket per tracker URL among all torrents, and each torrent's
 * tracker adds its own 'data' listener to it: every message was handed to every torrent, 1,000
 * calls for one announce answer with 1,000 torrents, the top JavaScript functions of the page's
 * profile (issue 17). Now each socket has one router, its single 'data' listener for the patched
 * trackers: it parses a message once (`parse`, tracker-messages.ts) and hands an announce message
 * only to the trackers of its info-hash, anything else (scrape answers, not JSON, other actions,
 * no info-hash) to each tracker on the socket as before. A tracker joins its socket's router
 * after `_openSocket` (which the constructor and every reconnect call) by moving its listener
 * there, and leaves it in `destroy`, which the socket's close and error, the torrent's
 * destruction and the pool's cleanup all go through: a destroyed tracker is never kept, nor
 * called. `_send` is wrapped to keep `expectingResponse` (read by `destroy`) as it was. No public
 * API: the socket, its pool and the listener are private to bittorrent-tracker. The prototype is
 * patched once (websocket-tracker-prototype.ts); a tracker made before (the first torrent's) is
 * moved to its router by `routeTrackerSocket`.
 */
export function routeTrackerSocket(proto: object, tracker: object, parse: ParseTrackerMessage): void {
  const p = proto as Partial<RouterProto>
  if (!patched.has(proto)) {
    if (typeof p._openSocket !== 'function' || typeof p.destroy !== 'function' || typeof p._send !== 'function') return
    patchPrototype(p as RouterProto, parse)
  }
  // made before the patch: still on its socket with a listener of its own
  const t = tracker as RoutedTracker
  const bound = t._onSocketDataBound
  if (routerOfTracker.has(t) || t.destroyed || !t.socket || !bound) return
  if (typeof t.socket.listeners === 'function' && !t.socket.listeners('data').includes(bound)) return
  join(t, parse)
}

function patchPrototype(proto: RouterProto, parse: ParseTrackerMessage): void {
  patched.add(proto)
  const open = proto._openSocket
  proto._openSocket = function (this: RoutedTracker) {
    leave(this) // bittorrent-tracker reopens only after destroy; never in two routers if that changes
    open.call(this)
    join(this, parse)
  }
  const destroy = proto.destroy
  proto.destroy = function (this: RoutedTracker, ...args: unknown[]) {
    leave(this)
    return destroy.apply(this, args)
  }
  const send = proto._send
  proto._send = function (this: RoutedTracker, params: unknown) {
    send.call(this, params)
    if (this.expectingResponse) routerOfTracker.get(this)?.awaiting.add(this)
  }
}

function join(tracker: RoutedTracker, parse: ParseTrackerMessage): void {
  const socket = tracker.socket
  const bound = tracker._onSocketDataBound
  const infoHash = tracker.client?._infoHashBinary
  if (!socket || tracker.destroyed || !bound || typeof infoHash !== 'string') return // left on its own listener
  let router = routerOfSocket.get(socket)
  if (!router) {
    router = new SocketRouter(socket, parse)
    routerOfSocket.set(socket, router)
  }
  router.join(tracker, infoHash) // the router listens before the tracker's listener goes: no gap
  routerOfTracker.set(tracker, router)
  socket.removeListener('data', bound)
}

function leave(tracker: RoutedTracker): void {
  const router = routerOfTracker.get(tracker)
  if (!router) return
  routerOfTracker.delete(tracker)
  if (router.leave(tracker)) routerOfSocket.delete(router.socket)
}

/** For the tests: the trackers routed on `socket` (none once the last left), and whether it listens. */
export function routedTrackers(socket: object): { size: number; keys: number; has(tracker: object): boolean } | undefined {
  const router = routerOfSocket.get(socket)
  if (!router) return undefined
  return { size: router.trackers.size, keys: router.trackers.keys, has: (tracker) => router.trackers.has(tracker as RoutedTracker) }
}
