import type { MagnetLink } from '../../core/torrent-parser/magnet'
import type { FilePriority } from '../../protocol/stored-torrent'

/** What the user adds a torrent from: a magnet link, a .torrent file's bytes, or its URL. */
export type AddSource =
  | { kind: 'magnet'; magnet: MagnetLink }
  | { kind: 'file'; bytes: Uint8Array; fileName?: string }
  | { kind: 'url'; url: string }

export interface AddOptions {
  /** Start paused (the add dialog's "Add paused"). */
  paused?: boolean
  priorities?: FilePriority[]
  /** Every piece is on disk and verified (a torrent just created here from the user's files). */
  complete?: boolean
  /** A magnet: fetch the metadata with nothing selected, then wait for `chooseFiles`. */
  askFiles?: boolean
}
