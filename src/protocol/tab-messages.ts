import type { ErrorInfo } from './errors'
import type { EngineEvent } from './engine-events'

/** The BroadcastChannel between the tab that runs the engine and the other tabs of the app. */
export const TAB_CHANNEL = 'torrent-web-engine'
/** The Web Lock held by the tab that runs the engine, for as long as it lives. */
export const ENGINE_LOCK = 'torrent-web-engine'

/** Engine methods another tab may call. */
export type RemoteMethod =
  | 'add' | 'remove' | 'pause' | 'resume' | 'recheck' | 'setFilePriority' | 'chooseFiles' | 'setSequential' | 'setSpeedLimits' | 'move'
  | 'releaseFile' | 'saveLayout' | 'applySettings' | 'peers' | 'trackers' | 'history' | 'clearHistory'

export type TabMessage =
  | { type: 'hello' }
  | { type: 'event'; event: EngineEvent }
  | { type: 'call'; id: string; method: RemoteMethod; args: unknown[] }
  | { type: 'reply'; id: string; ok: true; result?: unknown }
  | { type: 'reply'; id: string; ok: false; error: ErrorInfo }
