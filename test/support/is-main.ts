// Whether a module is the script node was started with (so a file can be both a library and a CLI).
import { realpathSync } from 'node:fs'
import { pathToFileURL } from 'node:url'

/** `moduleUrl` is the caller's import.meta.url; argv[1] is resolved through links, as node resolves it. */
export function isMain(moduleUrl: string): boolean {
  try {
    return process.argv[1] !== undefined && moduleUrl === pathToFileURL(realpathSync(process.argv[1])).href
  } catch {
    return false
  }
}
