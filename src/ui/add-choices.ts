import type { AddChooser } from '../engine/download-manager/add-flow'
import type { AddOptions } from '../engine/download-manager/engine'
import { parseTorrentFile } from '../engine/torrent-parser/parse-service'
import type { TorrentSnapshot } from '../protocol/engine-events'
import type { Settings } from '../prefs/settings'
import { choosableFiles, type AddChoice, type BtAddDialog } from './bt-add-dialog'

/** What the choices need of the app. */
export interface AddChoicesHost {
  settings(): Settings | undefined
  torrents(): readonly TorrentSnapshot[]
  dialog(): BtAddDialog
}

/**
 * How a torrent is added (paused? which files?): the add dialog's answer when the setting asks for
 * it, one torrent at a time. The app's own adds and the launches (pwa/launch.ts) both ask here.
 */
export class AddChoices implements AddChooser {
  /** The add dialog asks about one torrent at a time; several dropped files wait their turn. */
  private turn: Promise<unknown> = Promise.resolve()

  constructor(private readonly host: AddChoicesHost) {}

  /** How a magnet is added: asking which files once its metadata is here, if the setting says so. */
  magnetOptions(): AddOptions {
    return { askFiles: this.host.settings()?.askFilesOnAdd ?? true }
  }

  /**
   * How a .torrent is added: with several files (and the setting on), as the add dialog's choice
   * after it showed the tree; null when the user cancelled.
   */
  async torrentOptions(bytes: Uint8Array): Promise<AddOptions | null> {
    if (!(this.host.settings()?.askFilesOnAdd ?? true)) return {}
    const metainfo = await parseTorrentFile(bytes)
    const known = this.host.torrents().some((t) => t.infoHash === metainfo.infoHash) // the engine shows it, not twice
    if (known || choosableFiles(metainfo).length <= 1) return {}
    return (await this.dialogTurn(() => this.host.dialog().ask(metainfo))) ?? null
  }

  /** `ask` runs once the questions before it are answered. */
  dialogTurn(ask: () => Promise<AddChoice | undefined>): Promise<AddChoice | undefined> {
    const turn = this.turn.then(ask)
    this.turn = turn.catch(() => undefined)
    return turn
  }
}
