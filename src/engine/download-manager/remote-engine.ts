import type { SpeedLimits } from '../../core/download-manager/speed-limits'
import type { FilePriority, HistoryEntry } from '../../protocol/stored-torrent'
import type { Settings } from '../../prefs/settings'
import { RpcClient, type RpcWorker } from '../../core/rpc-client'
import { AppError } from '../../protocol/errors'
import type { BridgeStatus, EngineEvent, PeerSnapshot, TorrentDiagnostics, TorrentSnapshot, TrackerSnapshot } from '../../protocol/engine-events'
import type { RpcEndpoint, RpcEvent } from '../../protocol/rpc-messages'
import { TAB_CHANNEL, TAB_HELLO_MS, type RemoteMethod, type TabMessage, type TabRequest } from '../../protocol/tab-messages'
import { applyDelta } from '../../core/download-manager/snapshot-delta'
import type { AddOptions, AddSource } from './engine'
import type { EngineApi } from './engine-api'
import type { FileChoice } from './file-choice'
import { opfsFile } from '../file-assembly/opfs-file'

/**
 * In every other tab: the same list and controls, carried out by the tab that runs the engine.
 * Its calls go over the one worker RPC (core/rpc-client.ts) on the tabs' BroadcastChannel: every
 * tab hears every message there, so each tab is a caller with an id of its own. A BroadcastChannel
 * reports no crash: when the engine's tab goes, this tab takes the engine lock and reloads
 * (main.ts), which ends its calls.
 */
export class RemoteEngine implements EngineApi {
  readonly local = false
  private readonly channel = new BroadcastChannel(TAB_CHANNEL)
  private readonly listeners = new Set<(event: EngineEvent) => void>()
  private readonly rpc = new RpcClient<TabRequest, unknown>({
    // one channel for the life of the tab, shared with the events: never closed by the RPC
    start: () => Object.assign(this.channel as RpcEndpoint, { terminate: () => {} }) satisfies RpcWorker,
    crashError: (why) => new AppError('ENGINE', `The tab that runs the engine did not answer (${why}). Reload this tab.`),
    caller: crypto.randomUUID(),
  })
  private torrents: TorrentSnapshot[] = []
  /** The engine's tab sends only the snapshots that changed: the whole list is kept here. */
  private readonly held = new Map<string, TorrentSnapshot>()
  private bridge: BridgeStatus = { state: 'none', reason: null }
  private readonly tab = crypto.randomUUID()
  private readonly helloTimer: ReturnType<typeof setInterval>
  private readonly bye = () => this.channel.postMessage({ type: 'bye', tab: this.tab } satisfies TabMessage)

  constructor() {
    this.channel.addEventListener('message', (event: RpcEvent) => this.onMessage(event.data as TabMessage))
    const hello = () => this.channel.postMessage({ type: 'hello', tab: this.tab } satisfies TabMessage)
    hello()
    // still here: the engine's tab sends progress only while some tab listens
    this.helloTimer = setInterval(hello, TAB_HELLO_MS)
    addEventListener('pagehide', this.bye)
  }

  close(): void {
    clearInterval(this.helloTimer)
    removeEventListener('pagehide', this.bye)
    this.bye()
    this.rpc.fail('this tab closed its channel')
    this.channel.close()
  }

  on(listener: (event: EngineEvent) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  list(): TorrentSnapshot[] {
    return this.torrents
  }

  bridgeStatus(): BridgeStatus {
    return this.bridge
  }

  add(source: AddSource, options: AddOptions = {}): Promise<string> { return this.call('add', source, options) as Promise<string> }
  remove(infoHash: string, deleteData: boolean): Promise<void> { return this.call('remove', infoHash, deleteData).then(() => undefined) }
  pause(infoHash: string): Promise<void> { return this.call('pause', infoHash).then(() => undefined) }
  resume(infoHash: string): Promise<void> { return this.call('resume', infoHash).then(() => undefined) }
  recheck(infoHash: string): Promise<void> { return this.call('recheck', infoHash).then(() => undefined) }
  setFilePriority(infoHash: string, fileIndex: number, priority: FilePriority): Promise<void> {
    return this.call('setFilePriority', infoHash, fileIndex, priority).then(() => undefined)
  }
  chooseFiles(infoHash: string, choice: FileChoice): Promise<void> { return this.call('chooseFiles', infoHash, choice).then(() => undefined) }
  setSequential(infoHash: string, sequential: boolean): Promise<void> { return this.call('setSequential', infoHash, sequential).then(() => undefined) }
  setSpeedLimits(infoHash: string, limits: Partial<SpeedLimits>): Promise<void> {
    return this.call('setSpeedLimits', infoHash, limits).then(() => undefined)
  }
  move(infoHash: string, delta: -1 | 1): Promise<void> { return this.call('move', infoHash, delta).then(() => undefined) }
  applySettings(settings: Settings): void { void this.call('applySettings', settings) }
  peers(infoHash: string): Promise<PeerSnapshot[]> { return this.call('peers', infoHash) as Promise<PeerSnapshot[]> }
  trackers(infoHash: string): Promise<TrackerSnapshot[]> { return this.call('trackers', infoHash) as Promise<TrackerSnapshot[]> }
  diagnostics(infoHash: string): Promise<TorrentDiagnostics | undefined> { return this.call('diagnostics', infoHash) as Promise<TorrentDiagnostics | undefined> }
  history(): Promise<HistoryEntry[]> { return this.call('history') as Promise<HistoryEntry[]> }
  clearHistory(): Promise<void> { return this.call('clearHistory').then(() => undefined) }

  /** The engine's tab lets go of the file; this tab reads it from OPFS itself. */
  async fileForSave(infoHash: string, fileIndex: number): Promise<File> {
    await this.call('releaseFile', infoHash, fileIndex)
    return opfsFile(infoHash, fileIndex)
  }

  async saveEntries(infoHash: string) {
    const layout = await this.call('saveLayout', infoHash) as { name: string; files: { path: string[]; index: number }[] }
    return { name: layout.name, entries: layout.files.map((file) => ({ path: file.path, open: () => this.fileForSave(infoHash, file.index) })) }
  }

  private call(method: RemoteMethod, ...args: unknown[]): Promise<unknown> {
    return this.rpc.call({ type: method, args })
  }

  private onMessage(message: TabMessage): void {
    if (message.type === 'progress') {
      this.torrents = applyDelta(this.held, message, (torrent) => torrent.infoHash)
      for (const listener of this.listeners) listener({ type: 'progress', torrents: this.torrents })
    } else if (message.type === 'event') {
      if (message.event.type === 'bridge') this.bridge = message.event.status
      for (const listener of this.listeners) listener(message.event)
    }
    // calls and their answers: the RPC's
  }
}
