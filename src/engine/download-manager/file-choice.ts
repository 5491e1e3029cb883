import type { Metainfo } from '../../core/torrent-parser/metainfo'
import { chosenPriorities } from '../../core/piece-selection/selection'
import type { FilePriority, StoredTorrent } from '../../protocol/stored-torrent'

/**
 * A magnet added with "ask which files" (AddOptions.askFiles) fetches its metadata with nothing
 * selected, waits for the user's choice (Engine.chooseFiles), and only then downloads. The wait
 * persists (`StoredTorrent.awaitingFiles`), so after a reload the choice is asked again.
 */

/** What the user chose in the add dialog: a priority per file (0 skip), and whether to start paused. */
export interface FileChoice { priorities: FilePriority[]; paused: boolean }

/** webtorrent selects every piece the moment metadata arrives unless the torrent is added `deselect`ed. */
export function choiceAddOptions(stored: StoredTorrent): { deselect?: true } {
  return stored.awaitingFiles ? { deselect: true } : {}
}

/** Records the choice in what persists: the priorities it downloads by, and no more waiting. */
export function applyChoice(stored: StoredTorrent, metainfo: Metainfo, priorities: readonly FilePriority[]): void {
  stored.priorities = chosenPriorities(metainfo.files, priorities)
  delete stored.awaitingFiles
}

/** Metadata that lists at most one file leaves nothing to choose: all of it is wanted, no dialog. */
export function settleIfNothingToChoose(stored: StoredTorrent, metainfo: Metainfo): void {
  if (stored.awaitingFiles && metainfo.files.filter((file) => !file.pad).length <= 1) applyChoice(stored, metainfo, metainfo.files.map(() => 1))
}
