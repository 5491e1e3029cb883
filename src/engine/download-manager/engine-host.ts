import { serveRpc } from '../../core/rpc-server'
import { listDelta } from '../../core/download-manager/snapshot-delta'
import { AppError } from '../../protocol/errors'
import type { TorrentSnapshot } from '../../protocol/engine-events'
import type { RpcEndpoint, RpcEvent } from '../../protocol/rpc-messages'
import { TAB_CHANNEL, TAB_SILENT_MS, type RemoteMethod, type TabMessage, type TabRequest } from '../../protocol/tab-messages'
import type { Engine } from './engine'

const infoHashOf = (torrent: TorrentSnapshot) => torrent.infoHash

/**
 * In the tab that runs the engine: mirrors its events to the other tabs and runs their calls
 * (over the worker RPC, core/rpc-server.ts). Progress (every tick, once a second) goes only while
 * another tab listens, and only the snapshots that changed: copying every torrent's snapshot to
 * nobody was a cost paid at every tick.
 */
export function hostEngine(engine: Engine, now: () => number = Date.now): () => void {
  const channel = new BroadcastChannel(TAB_CHANNEL)
  const post = (message: TabMessage) => channel.postMessage(message)
  /** Mirroring tabs by id, and when each last said hello. */
  const tabs = new Map<string, number>()
  /** What the other tabs hold: the snapshots last sent. */
  const sent = new Map<string, TorrentSnapshot>()
  const listened = () => {
    for (const [tab, seen] of tabs) if (now() - seen > TAB_SILENT_MS) tabs.delete(tab)
    return tabs.size > 0
  }
  const sendAll = () => {
    sent.clear()
    const delta = listDelta(sent, engine.list(), infoHashOf)
    post({ type: 'progress', changed: delta.changed, order: delta.order ?? [] })
  }
  const unsubscribe = engine.on((event) => {
    if (event.type === 'warning') return
    if (event.type !== 'progress') return post({ type: 'event', event })
    if (!listened()) return
    const delta = listDelta(sent, event.torrents, infoHashOf)
    if (delta.changed.length || delta.order) post({ type: 'progress', ...delta })
  })
  const methods: Record<RemoteMethod, (...args: never[]) => unknown> = {
    add: (source, options) => engine.add(source, options),
    remove: (infoHash, deleteData) => engine.remove(infoHash, deleteData),
    pause: (infoHash) => engine.pause(infoHash),
    resume: (infoHash) => engine.resume(infoHash),
    recheck: (infoHash) => engine.recheck(infoHash),
    setFilePriority: (infoHash, fileIndex, priority) => engine.setFilePriority(infoHash, fileIndex, priority),
    chooseFiles: (infoHash, choice) => engine.chooseFiles(infoHash, choice),
    setSequential: (infoHash, sequential) => engine.setSequential(infoHash, sequential),
    setSpeedLimits: (infoHash, limits) => engine.setSpeedLimits(infoHash, limits),
    move: (infoHash, delta) => engine.move(infoHash, delta),
    releaseFile: (infoHash, fileIndex) => engine.releaseFile(infoHash, fileIndex),
    saveLayout: (infoHash) => engine.saveLayout(infoHash),
    applySettings: (settings) => engine.applySettings(settings),
    peers: (infoHash) => engine.peers(infoHash),
    trackers: (infoHash) => engine.trackers(infoHash),
    diagnostics: (infoHash) => engine.diagnostics(infoHash),
    history: () => engine.history(),
    clearHistory: () => engine.clearHistory(),
  }
  channel.addEventListener('message', (event: RpcEvent) => {
    const message = event.data as TabMessage
    if (message.type === 'hello') {
      const known = listened() && message.tab !== undefined && tabs.has(message.tab)
      if (message.tab) tabs.set(message.tab, now())
      if (known) return
      // a new tab, or one that was silent (hidden) for a while: everything, as it is now
      post({ type: 'event', event: { type: 'bridge', status: engine.bridgeStatus() } })
      return sendAll()
    }
    if (message.type === 'bye') tabs.delete(message.tab)
  })
  const stopServing = serveRpc<TabRequest, unknown>(
    channel as RpcEndpoint,
    (request) => (methods[request.type] as (...args: unknown[]) => unknown)(...request.args),
    { toError: (err) => AppError.from(err) },
  )
  return () => {
    stopServing()
    unsubscribe()
    channel.close()
  }
}
