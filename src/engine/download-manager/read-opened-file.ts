import { concatBytes } from '../../core/bytes'

/**
 * A dropped or picked file's bytes, or `undefined` when it holds more than `max` (then only
 * `max` + one chunk were read). Its `size` is not asked: for a file from disk Chromium fetches it
 * with a synchronous call to the browser process (File::CaptureSnapshotIfNeeded), which blocked
 * the page's main thread for tens of milliseconds a file while 1,000 were added
 * (ScopedBlockingCallWithBaseSyncPrimitives in the trace, docs/BENCHMARKS.md "Scale: the page");
 * reading the stream is asynchronous from the first byte.
 */
export async function readOpenedFile(file: Blob, max: number): Promise<Uint8Array | undefined> {
  const reader = file.stream().getReader()
  const chunks: Uint8Array[] = []
  let length = 0
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      length += value.byteLength
      if (length > max) {
        void reader.cancel().catch(() => {})
        return undefined
      }
      chunks.push(value)
    }
  } finally {
    reader.releaseLock()
  }
  return chunks.length === 1 ? chunks[0]! : concatBytes(chunks)
}
