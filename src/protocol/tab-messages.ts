import type { EngineEvent } from './engine-events'
import type { RpcToCaller, RpcToServer } from './rpc-messages'

/** The BroadcastChannel between the tab that runs the engine and the other tabs of the app. */
export const TAB_CHANNEL = 'torrent-web-engine'
/** The Web Lock held by the tab that runs the engine, for as long as it lives. */
export const ENGINE_LOCK = 'torrent-web-engine'

/** Engine methods another tab may call. */
export type RemoteMethod =
  | 'add' | 'remove' | 'pause' | 'resume' | 'recheck' | 'setFilePriority' | 'chooseFiles' | 'setSequential' | 'setSpeedLimits' | 'move'
  | 'releaseFile' | 'saveLayout' | 'applySettings' | 'peers' | 'trackers' | 'history' | 'clearHistory'

/** A call from another tab to the engine's tab, inside the RPC envelope (rpc-messages.ts). */
export type TabRequest = { type: RemoteMethod; args: unknown[] }

/**
 * Everything on the channel: engine events from the engine's tab to all others, a new tab's
 * hello (answered with the current list), and calls (each tab is its own RPC caller).
 */
export type TabMessage =
  | { type: 'hello' }
  | { type: 'event'; event: EngineEvent }
  | RpcToServer<TabRequest>
  | RpcToCaller<unknown, never>
