import type { EngineEvent, TorrentSnapshot } from './engine-events'
import type { RpcToCaller, RpcToServer } from './rpc-messages'

/** The BroadcastChannel between the tab that runs the engine and the other tabs of the app. */
export const TAB_CHANNEL = 'torrent-web-engine'
/** The Web Lock held by the tab that runs the engine, for as long as it lives. */
export const ENGINE_LOCK = 'torrent-web-engine'

/** Engine methods another tab may call. */
export type RemoteMethod =
  | 'add' | 'remove' | 'pause' | 'resume' | 'recheck' | 'setFilePriority' | 'chooseFiles' | 'setSequential' | 'setSpeedLimits' | 'move'
  | 'releaseFile' | 'saveLayout' | 'applySettings' | 'peers' | 'trackers' | 'diagnostics' | 'history' | 'clearHistory'

/** A mirroring tab says hello this often; the engine's tab sends progress while it heard one within TAB_SILENT_MS. */
export const TAB_HELLO_MS = 15_000
/** Longer than a hidden tab's timers may be held back (Chromium runs them once a minute after 5 min hidden). */
export const TAB_SILENT_MS = 75_000

/** A call from another tab to the engine's tab, inside the RPC envelope (rpc-messages.ts). */
export type TabRequest = { type: RemoteMethod; args: unknown[] }

/**
 * Everything on the channel: engine events from the engine's tab to all others, a new tab's
 * hello (answered with the current list), and calls (each tab is its own RPC caller).
 */
export type TabMessage =
  /** A mirroring tab is there (again): the engine's tab answers with the whole list if it had not heard from it lately. */
  | { type: 'hello'; tab?: string }
  | { type: 'bye'; tab: string }
  /** The torrents whose snapshot changed since the last one sent, and the whole order when it changed. */
  | { type: 'progress'; changed: TorrentSnapshot[]; order?: string[] }
  | { type: 'event'; event: EngineEvent }
  | RpcToServer<TabRequest>
  | RpcToCaller<unknown, never>
