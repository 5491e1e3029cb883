/** One file to save, at its path inside the torrent; `open` hands over the disk-backed File (storage/file-assembly/save.ts). */
export interface SaveEntry { path: string[]; open: () => Promise<File> }
