import { errorText } from '../../i18n/error-text'
import { t } from '../../i18n/i18n'
import { AppError } from '../../protocol/errors'
import type { SaveEntry } from '../../storage/file-assembly/save-entry'
import type { Report } from '../download-manager/add-flow'
import type { EngineApi } from '../download-manager/engine-api'

/** How files reach the person's disk (storage/file-assembly/save.ts `browserSaver`): a download, or a folder they pick. */
export interface Saver {
  downloadFile(file: Blob, name: string): void
  canPickFolder(): boolean
  saveToPickedFolder(folderName: string, entries: SaveEntry[]): Promise<void>
  downloadEach(entries: SaveEntry[]): Promise<void>
}

export interface SaveFlowHost {
  /** The engine, once it runs. */
  engine(): EngineApi | undefined
  report: Report
  saver: Saver
}

/**
 * The one way a finished file gets saved, from the list's "Save NAME" and "Save all" and from the
 * player's "Save": the engine hands over a disk-backed File (never a copy in memory) and the
 * browser downloads it; a failure is reported to the person, never thrown.
 */
export class SaveFlow {
  constructor(private readonly host: SaveFlowHost) {}

  /** One file of a torrent, under its own name. */
  async saveFile(infoHash: string, fileIndex: number): Promise<void> {
    const engine = this.host.engine()
    const torrent = engine?.list().find((t) => t.infoHash === infoHash)
    const name = torrent?.files.find((f) => f.index === fileIndex)?.name ?? 'file'
    try {
      if (!engine) throw new AppError('STORAGE', t('notice.starting'))
      this.host.saver.downloadFile(await engine.fileForSave(infoHash, fileIndex), name)
    } catch (err) {
      this.host.report('error', t('notice.saveFailed', { name, reason: errorText(AppError.from(err, 'STORAGE')) }))
    }
  }

  /** Every wanted file of a torrent: into a folder the person picks where the browser can, else one download each. */
  async saveAll(infoHash: string): Promise<void> {
    try {
      const engine = this.host.engine()
      if (!engine) throw new AppError('STORAGE', t('notice.starting'))
      const { name, entries } = await engine.saveEntries(infoHash)
      if (this.host.saver.canPickFolder()) {
        await this.host.saver.saveToPickedFolder(name, entries)
        this.host.report('info', t('notice.savedAll', { count: entries.length, name }))
      } else {
        await this.host.saver.downloadEach(entries)
      }
    } catch (err) {
      if (isAbort(err)) return // the person closed the picker
      this.host.report('error', t('notice.saveAllFailed', { reason: errorText(AppError.from(err, 'STORAGE')) }))
    }
  }
}

function isAbort(err: unknown): boolean {
  return typeof DOMException !== 'undefined' && err instanceof DOMException && err.name === 'AbortError'
}
