/**
 * A torrent's files as a tree of folders, for the add dialog. Built in one pass over the path
 * names, so a hostile file list costs time in proportion to its names: the dialog's first tree
 * searched each folder's subfolders one by one (quadratic: 10,000 folders side by side froze the
 * page for 7.7 s, issue 13) and re-listed every file under a folder each time it drew one.
 */

export interface TreeFile {
  index: number
  path: readonly string[]
  length: number
}

export interface Folder<F extends TreeFile = TreeFile> {
  name: string
  parent: Folder<F> | null
  folders: Folder<F>[]
  files: F[]
  /** Every file under it, in its subfolders too, is `tree.ordered[from]` up to `tree.ordered[to - 1]`. */
  from: number
  to: number
  /** Bytes under it. */
  size: number
}

export interface FileTree<F extends TreeFile = TreeFile> {
  root: Folder<F>
  /** The files in tree order (a folder's subfolders, then its own files), so every folder's files are one run. */
  ordered: F[]
}

/** Up to this many subfolders are searched one by one; a map takes over beyond. */
const FEW_FOLDERS = 8

function folder<F extends TreeFile>(name: string, parent: Folder<F> | null): Folder<F> {
  return { name, parent, folders: [], files: [], from: 0, to: 0, size: 0 }
}

/** Files in the order given; a file's last path name is its own, the ones before it its folders. */
export function buildFileTree<F extends TreeFile>(files: readonly F[]): FileTree<F> {
  const root = folder<F>('', null)
  // a folder's subfolders by name, made once it has a few: most folders have one or two, and a
  // map each took most of the time for 1,000,000 folders (970 ms in Chromium 156)
  const byName = new Map<Folder<F>, Map<string, Folder<F>>>()
  const find = (at: Folder<F>, name: string): Folder<F> | undefined => {
    const map = byName.get(at)
    if (map) return map.get(name)
    const found = at.folders.find((f) => f.name === name) // at most FEW_FOLDERS
    if (!found && at.folders.length === FEW_FOLDERS) byName.set(at, new Map(at.folders.map((f) => [f.name, f])))
    return found
  }
  for (const file of files) {
    let at = root
    for (let i = 0; i < file.path.length - 1; i++) {
      const name = file.path[i] as string
      const last = at.folders[at.folders.length - 1] // files of a folder usually come together
      let child = last?.name === name ? last : find(at, name)
      if (!child) {
        child = folder(name, at)
        at.folders.push(child)
        byName.get(at)?.set(name, child)
      }
      at = child
    }
    at.files.push(file)
  }
  // without recursion: a chain of folders is as deep as a path is long
  const ordered: F[] = []
  const stack: { folder: Folder<F>; next: number }[] = [{ folder: root, next: 0 }]
  root.from = 0
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!
    const child = top.folder.folders[top.next++]
    if (child) {
      child.from = ordered.length
      stack.push({ folder: child, next: 0 })
      continue
    }
    const done = top.folder
    for (const file of done.files) {
      ordered.push(file)
      done.size += file.length
    }
    for (const sub of done.folders) done.size += sub.size
    done.to = ordered.length
    stack.pop()
  }
  return { root, ordered }
}

/** "a/b/c" for folder c in b in a; the root's path is "". */
export function folderPath(at: Folder): string {
  const names: string[] = []
  for (let f: Folder | null = at; f && f.parent; f = f.parent) names.push(f.name)
  return names.reverse().join('/')
}

/** Every folder under `root` (not root itself), parents before children. */
export function allFolders<F extends TreeFile>(root: Folder<F>): Folder<F>[] {
  const out: Folder<F>[] = []
  for (let i = -1; i < out.length; i++) for (const child of (i < 0 ? root : out[i]!).folders) out.push(child)
  return out
}
