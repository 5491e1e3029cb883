import { parseAddInput, type AddInput } from '../../core/torrent-parser/add-input'
import { errorText } from '../../i18n/error-text'
import { t } from '../../i18n/i18n'
import { AppError } from '../../protocol/errors'
import type { AddOptions, AddSource } from './add-source'
import type { EngineApi } from './engine-api'
import { fetchTorrent } from '../torrent-parser/fetch-torrent'
import { readOpenedFile } from './read-opened-file'
import { yieldToPage } from './yield-to-page'

/** What the person reads: an error, or news. */
export type Report = (kind: 'error' | 'info', text: string) => void

/**
 * How the app adds what the person typed or dropped (<bt-app>), so a launch adds it the same way:
 * per the setting "ask which files", a magnet waits for a choice once its metadata is here and a
 * .torrent with several files shows the add dialog first (null: the person cancelled it).
 */
export interface AddChooser {
  magnetOptions(): AddOptions
  torrentOptions(bytes: Uint8Array): Promise<AddOptions | null>
}

/** A dropped or opened file larger than this is not read further: no .torrent is (metainfo's limit is far below). */
export const MAX_OPENED_FILE_BYTES = 64 * 1024 * 1024

export interface AddFlowHost {
  /** The engine, once it runs (the app's first moments have none yet). */
  engine(): EngineApi | undefined
  chooser: AddChooser
  report: Report
  /** Told after each torrent the engine added (the app asks for persistent storage then). */
  added?(): void
}

/**
 * The one way a torrent gets added, whatever brought it: the add box, a drop or paste, a file
 * picked, a `magnet:` launch, a shared link or file, a .torrent opened with the app. Text becomes
 * a magnet or a torrent URL (core/torrent-parser/add-input.ts); a URL is fetched here so that its files can be
 * chosen first, as a file's are; every failure is reported to the person, never thrown.
 */
export class AddFlow {
  constructor(private readonly host: AddFlowHost) {}

  /** What the person typed, pasted or dropped as text. */
  async addText(text: string): Promise<void> {
    let input: AddInput
    try {
      input = parseAddInput(text)
    } catch (err) {
      // the add box's own help, in the person's language; a broken magnet's reason names its field
      const error = AppError.from(err, 'BAD_INPUT')
      return this.host.report('error', error.code === 'BAD_INPUT' ? t('add.help') : error.message)
    }
    const engine = this.host.engine()
    if (!engine) return this.host.report('error', t('notice.starting'))
    try {
      if (input.kind === 'magnet') await this.add(engine, { kind: 'magnet', magnet: input.magnet }, this.host.chooser.magnetOptions())
      else await this.addTorrentBytes(await fetchTorrent(input.url))
    } catch (err) {
      this.host.report('error', errorText(AppError.from(err)))
    }
  }

  /** Shared text often wraps the link in words ("Look at this: magnet:?…"): the link is added. */
  addSharedText(text: string): Promise<void> {
    return this.addText(sharedLink(text))
  }

  /** Files dropped, picked or opened with the app, one after the other (the add dialog asks about one at a time). */
  async addFiles(files: readonly File[]): Promise<void> {
    for (const [i, file] of files.entries()) {
      // one file's work per task, not a thousand's: the page draws and takes input in between
      if (i > 0) await yieldToPage()
      let bytes: Uint8Array | undefined
      try {
        bytes = await readOpenedFile(file, MAX_OPENED_FILE_BYTES)
      } catch (err) {
        this.host.report('error', t('notice.fileFailed', { name: file.name, reason: errorText(AppError.from(err, 'BAD_TORRENT')) }))
        continue
      }
      if (!bytes) {
        this.host.report('error', t('notice.tooLarge', { name: file.name }))
        continue
      }
      await this.addFileBytes(file.name, bytes)
    }
  }

  /** A .torrent file's bytes (a shared file arrives as bytes). */
  async addFileBytes(name: string, bytes: Uint8Array): Promise<void> {
    try {
      await this.addTorrentBytes(bytes, name)
    } catch (err) {
      this.host.report('error', t('notice.fileFailed', { name, reason: errorText(AppError.from(err, 'BAD_TORRENT')) }))
    }
  }

  /**
   * A .torrent's bytes: with several files (and the setting on), the add dialog shows the tree
   * first and the engine gets the chosen priorities; otherwise it is added at once. Throws.
   */
  private async addTorrentBytes(bytes: Uint8Array, fileName?: string): Promise<void> {
    const engine = this.host.engine()
    if (!engine) throw new AppError('BAD_INPUT', t('notice.starting'))
    const options = await this.host.chooser.torrentOptions(bytes)
    if (!options) return // cancelled
    await this.add(engine, fileName ? { kind: 'file', bytes, fileName } : { kind: 'file', bytes }, options)
  }

  private async add(engine: EngineApi, source: AddSource, options: AddOptions): Promise<void> {
    await engine.add(source, options)
    this.host.added?.()
  }
}

/** The magnet or web link in shared text, else the text itself. */
export function sharedLink(text: string): string {
  return /magnet:\?\S+/i.exec(text)?.[0] ?? /https?:\/\/\S+/i.exec(text)?.[0] ?? text.trim()
}
