import type { TorrentDb } from '../../prefs/db'
import type { HistoryEntry, StoredTorrent } from '../../protocol/stored-torrent'

/** How long verified pieces may wait before their bitfield is written (pagehide writes at once). */
const RESUME_DEBOUNCE_MS = 1000

/** Saves what must survive a reload: torrents, resume bitfields (debounced), history. */
export class Persistence {
  private readonly pendingResume = new Map<string, () => Uint8Array>()
  private timer: ReturnType<typeof setTimeout> | undefined

  constructor(private readonly db: TorrentDb) {}

  async loadAll(): Promise<{ stored: StoredTorrent; bitfield?: Uint8Array }[]> {
    const [torrents, resume] = await Promise.all([this.db.getAll('torrents'), this.db.getAll('resume')])
    const bitfields = new Map(resume.map((entry) => [entry.infoHash, entry.bitfield]))
    return torrents.map((stored) => {
      const bitfield = bitfields.get(stored.infoHash)
      return bitfield ? { stored, bitfield } : { stored }
    })
  }

  saveTorrent(stored: StoredTorrent): Promise<void> {
    return this.db.put('torrents', stored).then(() => undefined)
  }

  /** Several at once, committed at once: in pagehide a transaction left to auto-commit is lost. */
  async saveTorrentsNow(list: StoredTorrent[]): Promise<void> {
    if (!list.length) return
    const tx = this.db.transaction('torrents', 'readwrite')
    for (const stored of list) void tx.store.put(stored)
    tx.commit()
    await tx.done
  }

  /** `read` is called when the write happens, so the freshest bitfield is saved. */
  scheduleResume(infoHash: string, read: () => Uint8Array): void {
    this.pendingResume.set(infoHash, read)
    this.timer ??= setTimeout(() => void this.flush(), RESUME_DEBOUNCE_MS)
  }

  async flush(): Promise<void> {
    clearTimeout(this.timer)
    this.timer = undefined
    const pending = [...this.pendingResume]
    this.pendingResume.clear()
    if (!pending.length) return
    const tx = this.db.transaction('resume', 'readwrite')
    for (const [infoHash, read] of pending) void tx.store.put({ infoHash, bitfield: read().slice(), savedAt: Date.now() })
    tx.commit() // at once, not on auto-commit: flush() runs in pagehide too (see saveTorrentsNow)
    await tx.done
  }

  async delete(infoHash: string): Promise<void> {
    this.pendingResume.delete(infoHash)
    const tx = this.db.transaction(['torrents', 'resume'], 'readwrite')
    void tx.objectStore('torrents').delete(infoHash)
    void tx.objectStore('resume').delete(infoHash)
    await tx.done
  }

  async addHistory(entry: HistoryEntry): Promise<void> {
    await this.db.add('history', entry)
  }

  async clearHistory(): Promise<void> {
    await this.db.clear('history')
  }

  async history(): Promise<HistoryEntry[]> {
    return (await this.db.getAllFromIndex('history', 'finishedAt')).reverse()
  }
}
