import type { SpeedLimits } from '../core/speed-limits'
import type { FilePriority, HistoryEntry } from '../prefs/db'
import type { Settings } from '../prefs/settings'
import { RpcClient, type RpcWorker } from '../core/rpc-client'
import { AppError } from '../protocol/errors'
import type { BridgeStatus, EngineEvent, PeerSnapshot, TorrentSnapshot, TrackerSnapshot } from '../protocol/engine-events'
import type { RpcEndpoint, RpcEvent } from '../protocol/rpc-messages'
import { TAB_CHANNEL, type RemoteMethod, type TabMessage, type TabRequest } from '../protocol/tab-messages'
import type { AddOptions, AddSource } from './engine'
import type { EngineApi } from './engine-api'
import type { FileChoice } from './file-choice'
import { opfsFile } from './opfs-file'

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
  private bridge: BridgeStatus = { state: 'none', reason: null }

  constructor() {
    this.channel.addEventListener('message', (event: RpcEvent) => this.onMessage(event.data as TabMessage))
    this.channel.postMessage({ type: 'hello' } satisfies TabMessage)
  }

  close(): void {
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
    if (message.type !== 'event') return // calls and their answers: the RPC's
    if (message.event.type === 'progress') this.torrents = message.event.torrents
    if (message.event.type === 'bridge') this.bridge = message.event.status
    for (const listener of this.listeners) listener(message.event)
  }
}
