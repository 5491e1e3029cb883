/**
 * A torrent's files as a tree of folders, for the add dialog, listed one folder at a time: a
 * folder's subfolders are found when it is shown, from its own files only, so opening the dialog
 * costs time in proportion to the files, not to all the folder names in their paths. History
 * (issue 13): the dialog's first tree searched each folder's subfolders one by one (quadratic:
 * 10,000 folders side by side took 7.7 s on the main thread) and re-listed every file under a
 * folder each time it drew one; a whole tree built at once for 10,000 files 100 deep (1,000,000
 * folders) still took about 1 s, most of it collecting the garbage of a million folders.
 */

export interface TreeFile {
  index: number
  path: readonly string[]
  length: number
}

export interface Folder<F extends TreeFile = TreeFile> {
  name: string
  parent: Folder<F> | null
  /** Path names above its contents: 0 for the root, 1 for a top-level folder. */
  depth: number
  /** Every file under it, in its subfolders too, is `tree.ordered[from]` up to `tree.ordered[to - 1]`. */
  from: number
  to: number
  /** Bytes under it. */
  size: number
}

export interface Listing<F extends TreeFile = TreeFile> {
  folders: Folder<F>[]
  files: F[]
}

export class FileTree<F extends TreeFile = TreeFile> {
  readonly root: Folder<F>
  /** The files, reordered as folders are listed so that every listed folder's files are one run. */
  readonly ordered: F[]
  private readonly listings = new Map<Folder<F>, Listing<F>>()

  constructor(files: readonly F[]) {
    this.ordered = [...files]
    let size = 0
    for (const file of files) size += file.length
    this.root = { name: '', parent: null, depth: 0, from: 0, to: files.length, size }
  }

  /**
   * A folder's subfolders (in the order their first files come) and its own files. The first
   * call sorts the folder's run so that each subfolder's files follow one another, in time
   * proportional to the files under it.
   */
  list(folder: Folder<F>): Listing<F> {
    const known = this.listings.get(folder)
    if (known) return known
    const groups = new Map<string, F[]>()
    const own: F[] = []
    for (let i = folder.from; i < folder.to; i++) {
      const file = this.ordered[i]!
      if (file.path.length - 1 <= folder.depth) {
        own.push(file)
        continue
      }
      const name = file.path[folder.depth]!
      const group = groups.get(name)
      if (group) group.push(file)
      else groups.set(name, [file])
    }
    const folders: Folder<F>[] = []
    let at = folder.from
    for (const [name, files] of groups) {
      let size = 0
      for (const file of files) {
        this.ordered[at++] = file
        size += file.length
      }
      folders.push({ name, parent: folder, depth: folder.depth + 1, from: at - files.length, to: at, size })
    }
    for (const file of own) this.ordered[at++] = file
    const listing = { folders, files: own }
    this.listings.set(folder, listing)
    return listing
  }

  /** Every folder under `folder` (not itself), parents before children; lists them all, so for small trees. */
  allFolders(folder: Folder<F> = this.root): Folder<F>[] {
    const out: Folder<F>[] = []
    for (let i = -1; i < out.length; i++) for (const child of this.list(i < 0 ? folder : out[i]!).folders) out.push(child)
    return out
  }
}

/** "a/b/c" for folder c in b in a; the root's path is "". */
export function folderPath(at: Folder): string {
  const names: string[] = []
  for (let f: Folder | null = at; f && f.parent; f = f.parent) names.push(f.name)
  return names.reverse().join('/')
}
