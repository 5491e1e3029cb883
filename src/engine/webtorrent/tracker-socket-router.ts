import { DroppedMessages } from '../../core/peer-discovery/dropped-messages'
import { KeyedListeners } from '../../core/peer-discovery/keyed-listeners'
import type { DropReason, WebSocketTrackerMessage } from '../../core/peer-discovery/websocket-tracker-message'

type Listener = (...args: never[]) => void
/** bittorrent-tracker's pooled socket (simple-websocket, an event emitter): what the router uses of it. */
interface TrackerSocket {
  connected?: boolean
  on(event: 'data' | 'close' | 'error' | 'connect', fn: Listener): unknown
  once(event: 'connect', fn: () => void): unknown
  removeListener(event: 'data' | 'close' | 'error' | 'connect', fn: Listener): unknown
  listeners?(event: 'data' | 'close' | 'error' | 'connect'): unknown[]
}

/**
 * bittorrent-tracker's WebSocketTracker, one per torrent and tracker URL: the private members the
 * router reads and wraps (see bittorrent-tracker's lib/client/websocket-tracker.js).
 */
interface RoutedTracker {
  socket: TrackerSocket | null
  announceUrl?: string
  destroyed?: boolean
  reconnecting?: boolean
  /** Set by `_send`, cleared by any message on the socket; `destroy` of the socket's last tracker waits for one if set. */
  expectingResponse?: boolean
  client: { _infoHashBinary?: unknown; emit(event: 'warning', err: Error): void }
  /** The listeners `_openSocket` adds to the socket (connect only if it made the socket); `destroy` removes them. */
  _onSocketDataBound: ((data: unknown) => void) | null
  _onSocketConnectBound?: (() => void) | null
  _onSocketCloseBound?: (() => void) | null
  _onSocketErrorBound?: ((err: unknown) => void) | null
  _onSocketData(data: unknown): void
  _onSocketClose(): void
  _onSocketError(err: unknown): void
  _onScrapeResponse(data: Record<string, unknown>): void
  announce?(opts: unknown): void
  scrape?(opts: unknown): void
}
interface RouterProto {
  _openSocket(this: RoutedTracker): void
  destroy(this: RoutedTracker, ...args: unknown[]): unknown
  _send(this: RoutedTracker, params: unknown): void
  announce?(this: RoutedTracker, opts: unknown): void
  scrape?(this: RoutedTracker, opts: unknown): void
}

/** A call waiting for the socket to connect (a tracker's own connect listener, or an announce or scrape put off); `null` once removed. */
interface ConnectWaiter {
  run: (() => void) | null
}

/** What a message is (core/peer-discovery/websocket-tracker-message.ts), read once for all its recipients. */
export type ReadTrackerMessage = (data: unknown) => WebSocketTrackerMessage

/** Why the router dropped a message: the reader's reasons, and a well-formed answer for no torrent on the socket. */
type RouterDropReason = DropReason | 'announce answer for no torrent' | 'scrape answer for no torrent'

/** One shared socket's router: its only 'data', 'close', 'error' and 'connect' listener for the routed trackers. */
class SocketRouter {
  readonly trackers = new KeyedListeners<RoutedTracker>()
  /**
   * The trackers that sent since the socket's last message. Each tracker's own listener used to
   * clear its `expectingResponse` at every message on the socket, whoever it was for; now the
   * router clears it for these, which is the same, at the cost of the sends, not of the trackers.
   */
  readonly awaiting = new Set<RoutedTracker>()
  /** The info-hashes each tracker asked to scrape and has had no answer for (`_send`). */
  readonly scrapeRequests = new Map<RoutedTracker, Set<string>>()
  readonly dropped = new DroppedMessages<RouterDropReason>(() => Date.now())
  /** The trackers whose 'close' and 'error' listeners the router took over, in the order they joined. */
  private readonly closing = new Set<RoutedTracker>()
  /** What runs when the socket connects, in the order bittorrent-tracker added it; a tracker's own one by tracker. */
  private connectWaiters: ConnectWaiter[] = []
  private readonly ownConnect = new Map<RoutedTracker, ConnectWaiter>()
  private readonly onData = (data: unknown): void => this.route(data)
  private readonly onClose = (): void => {
    for (const tracker of [...this.closing]) if (this.closing.has(tracker)) tracker._onSocketClose()
  }
  /**
   * Each tracker's `_onSocketError` runs as before (destroy, warning, backoff), but the warning it
   * emits for this error is held: bittorrent-tracker warned once per torrent, 1,000 copies of
   * "Error connecting to …" on the page with 1,000 torrents each time the tracker drops the
   * connection. One warning goes out instead, on the first torrent that warned, saying how many.
   */
  private readonly onError = (err: unknown): void => {
    let first: RoutedTracker | undefined
    let warned = 0
    for (const tracker of [...this.closing]) {
      if (!this.closing.has(tracker)) continue
      if (holdingWarning(tracker.client, err, () => tracker._onSocketError(err))) {
        warned++
        first ??= tracker
      }
    }
    if (!first) return
    if (warned === 1 || !(err instanceof Error)) return first.client.emit('warning', err as Error)
    first.client.emit('warning', new Error(`${err.message} (the tracker of ${warned} torrents)`, { cause: err }))
  }
  private readonly onConnect = (): void => {
    const waiters = this.connectWaiters
    this.connectWaiters = []
    this.ownConnect.clear()
    for (const waiter of waiters) waiter.run?.()
  }
  private listening = false

  constructor(readonly socket: TrackerSocket, private readonly read: ReadTrackerMessage) {}

  /** Takes over `tracker`'s listeners on the socket (`_openSocket` has just added them): its 'data' one is the caller's to remove. */
  join(tracker: RoutedTracker, infoHash: string): void {
    if (!this.listening) {
      // the router listens before a tracker's listener goes: no gap
      this.socket.on('data', this.onData)
      this.socket.on('close', this.onClose)
      this.socket.on('error', this.onError)
      this.socket.on('connect', this.onConnect)
      this.listening = true
    }
    this.trackers.add(tracker, infoHash)
    if (tracker.expectingResponse) this.awaiting.add(tracker)
    this.takeLifecycleListeners(tracker)
  }

  /**
   * bittorrent-tracker adds a 'close' and an 'error' listener per tracker (and 'connect' for the
   * one that made the socket): with 1,000 torrents, 1,000 of each on one socket (the browser's
   * MaxListeners warnings), and at a close each tracker's destroy scans them all to remove its
   * own (quadratic). The router calls each tracker's handler from its one listener instead, in
   * the same order; taken only where found on the socket, so each is called as often as before.
   */
  private takeLifecycleListeners(tracker: RoutedTracker): void {
    const socket = this.socket
    const listening = (event: 'close' | 'error' | 'connect', fn: Listener) => typeof socket.listeners === 'function' && socket.listeners(event).includes(fn)
    const close = tracker._onSocketCloseBound
    const error = tracker._onSocketErrorBound
    if (close && error && listening('close', close) && listening('error', error)) {
      socket.removeListener('close', close)
      socket.removeListener('error', error)
      this.closing.add(tracker)
    }
    const connect = tracker._onSocketConnectBound
    if (!connect) return
    if (listening('connect', connect)) {
      socket.removeListener('connect', connect)
    } else if (socket.connected) {
      return // a pooled socket already open: `_openSocket` called it (bittorrent-tracker's own way)
    }
    // Also a pooled socket still connecting: bittorrent-tracker gives only the socket's maker a
    // connect listener and calls the others' handler only if the socket is already open, so a
    // tracker reopened (reconnecting) while another's socket connects never learns it connected:
    // it stays reconnecting and never announces again. After a tracker restart, 1,000 torrents'
    // reconnect timers spread over minutes, and some land in another's connecting window. Here it
    // is called when the socket connects, once (the socket emits 'connect' once).
    const waiter = { run: connect }
    this.connectWaiters.push(waiter)
    this.ownConnect.set(tracker, waiter)
  }

  /** bittorrent-tracker's `announce` and `scrape` before the socket connects: `socket.once('connect', retry)`, here one listener for all. */
  whenConnected(retry: () => void): void {
    this.connectWaiters.push({ run: retry })
  }

  /** True once no tracker is left: the listeners are off the socket and the router can be dropped. */
  leave(tracker: RoutedTracker): boolean {
    this.trackers.delete(tracker)
    this.awaiting.delete(tracker)
    this.scrapeRequests.delete(tracker)
    this.closing.delete(tracker)
    // destroy removes a tracker's own connect listener; a put-off announce stays, as its once('connect') did
    const own = this.ownConnect.get(tracker)
    if (own) own.run = null
    this.ownConnect.delete(tracker)
    if (this.trackers.size > 0) return false
    this.socket.removeListener('data', this.onData)
    this.socket.removeListener('close', this.onClose)
    this.socket.removeListener('error', this.onError)
    this.socket.removeListener('connect', this.onConnect)
    this.listening = false
    // calls still waiting go back to the socket as bittorrent-tracker left them
    for (const waiter of this.connectWaiters) if (waiter.run) this.socket.once('connect', waiter.run)
    this.connectWaiters = []
    return true
  }

  askedToScrape(tracker: RoutedTracker, infoHashes: unknown): void {
    const asked = (Array.isArray(infoHashes) ? infoHashes : [infoHashes]).filter((h): h is string => typeof h === 'string')
    if (asked.length === 0) return
    const pending = this.scrapeRequests.get(tracker)
    if (pending) for (const h of asked) pending.add(h)
    else this.scrapeRequests.set(tracker, new Set(asked))
  }

  private route(data: unknown): void {
    for (const tracker of this.awaiting) tracker.expectingResponse = false
    this.awaiting.clear()
    const message = this.read(data)
    if (message.kind === 'announce') {
      // an announce answer names its torrent: only that torrent's trackers would not drop it
      // (bittorrent-tracker's _onAnnounceResponse)
      const recipients = this.trackers.of(message.infoHash)
      // quiet: a late answer for a torrent just removed is no fault of the tracker
      if (recipients.length === 0) return this.drop('announce answer for no torrent', true)
      for (const tracker of recipients) {
        // one that left while the others were called (destroyed by one of them) is not called
        if (this.trackers.has(tracker)) tracker._onSocketData(data)
      }
    } else if (message.kind === 'scrape') {
      this.routeScrape(message)
    } else {
      this.drop(message.reason)
    }
  }

  /**
   * A scrape answer goes to the trackers that asked for one of its torrents, with all they asked
   * for, and to the trackers of its torrents, each with its own torrent's entry. bittorrent-tracker
   * handed it to every tracker on the socket, and each emitted every entry as its own torrent's
   * scrape: a hostile answer listing n torrents cost n events in each of them.
   */
  private routeScrape({ infoHashes, files, message }: Extract<WebSocketTrackerMessage, { kind: 'scrape' }>): void {
    const wanted = new Map<RoutedTracker, string[]>()
    const want = (tracker: RoutedTracker, infoHash: string) => {
      const list = wanted.get(tracker)
      if (!list) wanted.set(tracker, [infoHash])
      else if (!list.includes(infoHash)) list.push(infoHash)
    }
    for (const [tracker, pending] of this.scrapeRequests) {
      for (const infoHash of infoHashes) {
        if (pending.delete(infoHash)) want(tracker, infoHash)
      }
      if (pending.size === 0) this.scrapeRequests.delete(tracker)
    }
    for (const infoHash of infoHashes) for (const tracker of this.trackers.of(infoHash)) want(tracker, infoHash)
    if (wanted.size === 0) return this.drop('scrape answer for no torrent', true)
    for (const [tracker, own] of wanted) {
      if (!this.trackers.has(tracker) || tracker.destroyed) continue
      // entries copied: bittorrent-tracker's _onScrapeResponse writes into each
      const entries: Record<string, unknown> = {}
      for (const infoHash of own) entries[infoHash] = { ...(files[infoHash] as object) }
      tracker._onScrapeResponse({ ...message, files: entries })
    }
  }

  /**
   * A message no torrent on the socket takes: counted once for the socket, with at most one
   * warning a minute (DroppedMessages), on the first tracker's torrent. bittorrent-tracker had
   * every tracker on the socket parse it and warn, or, for an unknown action, close and reconnect:
   * a tracker that sends nonsense is not trusted to end every torrent's announces at once.
   */
  private drop(reason: RouterDropReason, quiet = false): void {
    const warning = this.dropped.drop(reason, quiet)
    if (warning === undefined) return
    const first = this.trackers.all()[0] // once a minute at most: the copy does not matter
    first?.client.emit('warning', new Error(`Invalid tracker response from ${first.announceUrl ?? 'a WebSocket tracker'}: ${warning}`))
  }
}

/**
 * Calls `call` with `client`'s first 'warning' emit of `err` held back (any other emit goes
 * through); true if it was held. The wrapper is an own property of the client for the call only.
 */
function holdingWarning(client: RoutedTracker['client'], err: unknown, call: () => void): boolean {
  const target = client as { emit: RoutedTracker['client']['emit'] }
  const hadOwn = Object.prototype.hasOwnProperty.call(client, 'emit')
  const emit = client.emit
  let held = false
  target.emit = function (this: unknown, ...args: Parameters<typeof emit>) {
    if (!held && args[0] === 'warning' && args[1] === err) {
      held = true
      return
    }
    return emit.apply(this, args)
  }
  try {
    call()
  } finally {
    if (hadOwn) target.emit = emit
    else delete (client as Partial<typeof target>).emit
  }
  return held
}

const routerOfSocket = new WeakMap<object, SocketRouter>()
const routerOfTracker = new WeakMap<object, SocketRouter>()
const patched = new WeakSet<object>()

/**
 * bittorrent-tracker pools one socket per tracker URL among all torrents, and each torrent's
 * tracker adds its own 'data' listener to it: every message was handed to every torrent, 1,000
 * calls for one announce answer with 1,000 torrents, the top JavaScript functions of the page's
 * profile (issue 17). Now each socket has one router, its single 'data' listener for the patched
 * trackers: it reads a message once (`read`, tracker-messages.ts) and hands an announce answer
 * only to the trackers of its info-hash, a scrape answer only to the trackers that asked or whose
 * torrent it lists, and drops anything else once for the socket, counted, with at most one warning
 * a minute (not JSON, not an object, another action, no info-hash, or no torrent here): a hostile
 * tracker's message costs one read, not one per torrent. Its 'close', 'error' and 'connect'
 * listeners are the router's too, calling each tracker's handler as its own listener did, and an
 * announce or scrape put off until the socket connects waits in the router; so does the connect
 * handler of a tracker reopened onto a pooled socket still connecting, which bittorrent-tracker
 * never called (the tracker stayed reconnecting and stopped announcing). A socket error's warning,
 * which each tracker emitted for its own torrent, goes out once for the socket. A tracker joins its
 * socket's router after `_openSocket` (which the constructor and every reconnect call) by moving
 * its listeners there, and leaves it in `destroy`, which the socket's close and error, the
 * torrent's destruction and the pool's cleanup all go through: a destroyed tracker is never kept,
 * nor called; reconnects (backoff, re-announce) stay bittorrent-tracker's own. `_send` is wrapped
 * to keep `expectingResponse` (read by `destroy`) as it was, and to note what a tracker asked to
 * scrape. No public API: the socket, its pool and the listeners are private to bittorrent-tracker. The prototype is
 * patched once (websocket-tracker-prototype.ts); a tracker made before (the first torrent's) is
 * moved to its router by `routeTrackerSocket`.
 */
export function routeTrackerSocket(proto: object, tracker: object, read: ReadTrackerMessage): void {
  const p = proto as Partial<RouterProto>
  if (!patched.has(proto)) {
    if (typeof p._openSocket !== 'function' || typeof p.destroy !== 'function' || typeof p._send !== 'function') return
    patchPrototype(p as RouterProto, read)
  }
  // made before the patch: still on its socket with a listener of its own
  const t = tracker as RoutedTracker
  const bound = t._onSocketDataBound
  if (routerOfTracker.has(t) || t.destroyed || !t.socket || !bound) return
  if (typeof t.socket.listeners === 'function' && !t.socket.listeners('data').includes(bound)) return
  join(t, read)
}

function patchPrototype(proto: RouterProto, read: ReadTrackerMessage): void {
  patched.add(proto)
  const open = proto._openSocket
  proto._openSocket = function (this: RoutedTracker) {
    leave(this) // bittorrent-tracker reopens only after destroy; never in two routers if that changes
    open.call(this)
    join(this, read)
  }
  const destroy = proto.destroy
  proto.destroy = function (this: RoutedTracker, ...args: unknown[]) {
    leave(this)
    return destroy.apply(this, args)
  }
  // a put-off announce or scrape waits in the router, not in a 'connect' listener of its own
  for (const method of ['announce', 'scrape'] as const) {
    const original = proto[method]
    if (typeof original !== 'function') continue
    proto[method] = function (this: RoutedTracker, opts: unknown) {
      const router = routerOfTracker.get(this)
      if (router && !this.destroyed && !this.reconnecting && this.socket === router.socket && !router.socket.connected) {
        router.whenConnected(() => this[method]!(opts))
        return
      }
      original.call(this, opts)
    }
  }
  const send = proto._send
  proto._send = function (this: RoutedTracker, params: unknown) {
    send.call(this, params)
    const router = routerOfTracker.get(this)
    if (!router) return
    if (this.expectingResponse) router.awaiting.add(this)
    const { action, info_hash: infoHash } = (params ?? {}) as { action?: unknown; info_hash?: unknown }
    if (action === 'scrape' && !this.destroyed) router.askedToScrape(this, infoHash)
  }
}

function join(tracker: RoutedTracker, read: ReadTrackerMessage): void {
  const socket = tracker.socket
  const bound = tracker._onSocketDataBound
  const infoHash = tracker.client?._infoHashBinary
  if (!socket || tracker.destroyed || !bound || typeof infoHash !== 'string') return // left on its own listener
  let router = routerOfSocket.get(socket)
  if (!router) {
    router = new SocketRouter(socket, read)
    routerOfSocket.set(socket, router)
  }
  router.join(tracker, infoHash)
  routerOfTracker.set(tracker, router)
  socket.removeListener('data', bound)
}

function leave(tracker: RoutedTracker): void {
  const router = routerOfTracker.get(tracker)
  if (!router) return
  routerOfTracker.delete(tracker)
  if (router.leave(tracker)) routerOfSocket.delete(router.socket)
}

/** For the tests: the trackers routed on `socket` (none once the last left), and the messages it dropped by reason. */
export function routedTrackers(socket: object): { size: number; keys: number; has(tracker: object): boolean; dropped: ReadonlyMap<string, number> } | undefined {
  const router = routerOfSocket.get(socket)
  if (!router) return undefined
  return { size: router.trackers.size, keys: router.trackers.keys, has: (tracker) => router.trackers.has(tracker as RoutedTracker), dropped: router.dropped.counts }
}
