import type { EngineApi } from '../engine/download-manager/engine-api'
import { t } from '../i18n/i18n'
import { AppError } from '../protocol/errors'
import type { TorrentSnapshot } from '../protocol/engine-events'
import type { AddChoice, BtAddDialog, ChoosableTorrent } from './bt-add-dialog'

export interface MagnetChoicesHost {
  engine(): EngineApi | undefined
  dialog(): BtAddDialog
  /** Runs `ask` when the add dialog is free: it asks about one torrent at a time. */
  dialogTurn(ask: () => Promise<AddChoice | undefined>): Promise<AddChoice | undefined>
  notify(text: string): void
}

/** The add dialog's view of a magnet whose metadata arrived: the snapshot lists no padding files. */
function choosable(torrent: TorrentSnapshot): ChoosableTorrent {
  return { name: torrent.name, files: torrent.files.map((file) => ({ index: file.index, path: file.path.split('/'), name: file.path, length: file.length, pad: false })) }
}

/**
 * Magnets added with "ask which files" wait in the list ('choosing') once their metadata is
 * here: the add dialog asks; Add downloads the chosen files, Cancel removes the torrent and its
 * data. The same holds after a reload. Chosen (or removed) in another tab: the dialog closes.
 */
export class MagnetChoices {
  /** Torrents asked about, or waiting for the dialog. */
  private readonly asking = new Set<string>()
  /** The torrent the dialog shows now. */
  private showing: string | undefined
  private torrents: TorrentSnapshot[] = []

  constructor(private readonly host: MagnetChoicesHost) {}

  /** Called with every new list of torrents. */
  update(torrents: TorrentSnapshot[]): void {
    this.torrents = torrents
    if (this.showing && !this.isChoosing(this.showing)) this.host.dialog().dismiss()
    for (const torrent of torrents) {
      if (torrent.state !== 'choosing' || this.asking.has(torrent.infoHash)) continue
      this.asking.add(torrent.infoHash)
      void this.ask(torrent.infoHash).finally(() => this.asking.delete(torrent.infoHash))
    }
  }

  private isChoosing(infoHash: string): boolean {
    return this.torrents.some((t) => t.infoHash === infoHash && t.state === 'choosing')
  }

  private async ask(infoHash: string): Promise<void> {
    const choice = await this.host.dialogTurn(async () => {
      const torrent = this.torrents.find((t) => t.infoHash === infoHash)
      if (torrent?.state !== 'choosing') return undefined
      this.showing = infoHash
      try {
        return await this.host.dialog().ask(choosable(torrent), { note: t('addDialog.magnetNote') })
      } finally {
        this.showing = undefined
      }
    })
    // Settled meanwhile (another tab chose, or it was removed): nothing left to do here.
    const engine = this.host.engine()
    if (!engine || !this.isChoosing(infoHash)) return
    try {
      if (choice) await engine.chooseFiles(infoHash, choice)
      else await engine.remove(infoHash, true)
    } catch (err) {
      this.host.notify(AppError.from(err).message)
    }
  }
}
