import { STORAGE_ROOT, opfsFileName } from '../../protocol/storage-messages'

/** A torrent file's bytes in OPFS as a disk-backed File (its handle must be released first). */
export async function opfsFile(infoHash: string, fileIndex: number): Promise<File> {
  const root = await navigator.storage.getDirectory()
  const dir = await (await root.getDirectoryHandle(STORAGE_ROOT)).getDirectoryHandle(infoHash)
  return (await dir.getFileHandle(opfsFileName(fileIndex))).getFile()
}
