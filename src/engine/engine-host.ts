import { AppError } from '../protocol/errors'
import { TAB_CHANNEL, type RemoteMethod, type TabMessage } from '../protocol/tab-messages'
import type { Engine } from './engine'

/** In the tab that runs the engine: mirrors its events to the other tabs and runs their calls. */
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
  channel.onmessage = async (event: MessageEvent<TabMessage>) => {
    const message = event.data
    if (message.type === 'hello') {
      post({ type: 'event', event: { type: 'bridge', status: engine.bridgeStatus() } })
      return post({ type: 'event', event: { type: 'progress', torrents: engine.list() } })
    }
    if (message.type !== 'call') return
    try {
      const result = await (methods[message.method] as (...args: unknown[]) => unknown)(...message.args)
      post({ type: 'reply', id: message.id, ok: true, result })
    } catch (err) {
      post({ type: 'reply', id: message.id, ok: false, error: AppError.from(err).toInfo() })
    }
  }
  return () => {
    unsubscribe()
    channel.close()
  }
}
