import { formatBytes } from '../../core/format'

/** Free space that counts as "freed": enough for a few pieces of any sane size. */
const ENOUGH_FREE_BYTES = 32 * 1024 * 1024
const POLL_MS = 3000

/**
 * While a full disk keeps torrents paused, watches the browser's storage estimate and calls
 * `onSpace` once space was freed (or the quota raised). `onSpace` returns whether any torrent
 * still waits; when none does, the watch stops.
 */
export class QuotaWatch {
  private timer: ReturnType<typeof setInterval> | undefined

  constructor(private readonly onSpace: () => boolean) {}

  start(): void {
    this.timer ??= setInterval(() => void this.poll(), POLL_MS)
  }

  private async poll(): Promise<void> {
    const { quota = 0, usage = 0 } = await navigator.storage.estimate()
    if (quota - usage < ENOUGH_FREE_BYTES) return
    if (!this.onSpace()) {
      clearInterval(this.timer)
      this.timer = undefined
    }
  }
}

/** A message when the browser's storage cannot hold `needed` more bytes for `name`; else undefined. */
export async function spaceShortfall(name: string, needed: number): Promise<string | undefined> {
  if (!navigator.storage?.estimate || needed <= 0) return undefined
  const { quota = 0, usage = 0 } = await navigator.storage.estimate()
  if (!quota || needed <= quota - usage) return undefined
  return `“${name}” needs ${formatBytes(needed)}, but the browser allows this site only ${formatBytes(Math.max(0, quota - usage))} more. Free space or skip some files; otherwise the download pauses when storage is full.`
}
