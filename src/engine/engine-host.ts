import { serveRpc } from '../core/rpc-server'
import { AppError } from '../protocol/errors'
import type { RpcEndpoint, RpcEvent } from '../protocol/rpc-messages'
import { TAB_CHANNEL, type RemoteMethod, type TabMessage, type TabRequest } from '../protocol/tab-messages'
import type { Engine } from './engine'

/** In the tab that runs the engine: mirrors its events to the other tabs and runs their calls (over the worker RPC, core/rpc-server.ts). */
export function hostEngine(engine: Engine): () => void {
  const channel = new BroadcastChannel(TAB_CHANNEL)
  const post = (message: TabMessage) => channel.postMessage(message)
  const unsubscribe = engine.on((event) => {
    if (event.type !== 'warning') post({ type: 'event', event })
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
    history: () => engine.history(),
    clearHistory: () => engine.clearHistory(),
  }
  channel.addEventListener('message', (event: RpcEvent) => {
    if ((event.data as TabMessage).type !== 'hello') return
    post({ type: 'event', event: { type: 'bridge', status: engine.bridgeStatus() } })
    post({ type: 'event', event: { type: 'progress', torrents: engine.list() } })
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
