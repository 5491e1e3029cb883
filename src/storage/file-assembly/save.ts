import type { SaveEntry } from './save-entry'

/**
 * Saving: the browser gets the disk-backed File that OPFS hands out, never a copy in memory.
 * A single file goes through an ordinary download (works in every browser, no prompt);
 * "Save all" writes into a folder the user picks where the browser can (showDirectoryPicker),
 * and otherwise falls back to one download per file: a zip would need a streaming zip writer
 * plus a service-worker download route, and gains little over a folder.
 */
export function downloadFile(file: Blob, name: string): void {
  const url = URL.createObjectURL(file)
  const anchor = document.createElement('a')
  anchor.href = url
  anchor.download = name
  anchor.rel = 'noopener'
  document.body.append(anchor)
  anchor.click()
  anchor.remove()
  // The download has taken its own reference to the blob by the next task; keep a margin anyway.
  setTimeout(() => URL.revokeObjectURL(url), 60_000)
}

export type { SaveEntry } from './save-entry'

type DirectoryPicker = (opts?: { mode?: 'readwrite'; id?: string }) => Promise<FileSystemDirectoryHandle>

export function canPickFolder(): boolean {
  return typeof (window as { showDirectoryPicker?: DirectoryPicker }).showDirectoryPicker === 'function'
}

/** Writes every entry under a folder named `folderName` inside a folder the user picks. */
export async function saveToPickedFolder(folderName: string, entries: SaveEntry[]): Promise<void> {
  const picker = (window as unknown as { showDirectoryPicker: DirectoryPicker }).showDirectoryPicker
  const parent = await picker({ mode: 'readwrite', id: 'torrent-save' })
  const root = await parent.getDirectoryHandle(folderName, { create: true })
  for (const entry of entries) {
    let dir = root
    for (const part of entry.path.slice(0, -1)) dir = await dir.getDirectoryHandle(part, { create: true })
    const handle = await dir.getFileHandle(entry.path[entry.path.length - 1]!, { create: true })
    const writable = await handle.createWritable()
    await (await entry.open()).stream().pipeTo(writable) // streams from disk to disk; closes the writable
  }
}

export async function downloadEach(entries: SaveEntry[]): Promise<void> {
  for (const entry of entries) {
    downloadFile(await entry.open(), entry.path.join(' - '))
    await new Promise((resolve) => setTimeout(resolve, 250)) // browsers drop bursts of downloads
  }
}

/** The browser's ways of saving, as the save flow (engine/file-assembly/save-flow.ts) uses them. */
export const browserSaver = { downloadFile, canPickFolder, saveToPickedFolder, downloadEach }
