/**
 * The bridge bench's headline: this app downloading a .torrent in a Chromium page driven over
 * bare CDP (raw-page.ts), as a user's browser runs it, with no DevTools Network domain copying
 * every WebSocket message.
 */
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { cpuMeter, settle, type CpuSpent } from './machine-cpu'
import { deep, openRawPage } from './raw-page'

/**
 * Seconds from opening the file to "Seeding", and the CPU spent meanwhile (the machine's; the
 * seeder's, process `seederPid`). The clock starts once the browser has finished starting up.
 */
export async function rawAppDownload(url: string, torrent: Uint8Array, workDir: string, seederPid?: number): Promise<{ seconds: number; cpu: CpuSpent }> {
  const torrentPath = join(workDir, 'raw-bench.torrent')
  await writeFile(torrentPath, torrent)
  const page = await openRawPage(url)
  try {
    const until = (what: string, expr: string, ms: number) => page.until(what, expr, ms)
    await until('bridge', `deepText().includes('Connected to the whole swarm')`, 30_000)
    await settle() // a user picks a file seconds after the page is up, not while the browser starts
    const start = Date.now()
    const spent = cpuMeter(seederPid)
    const input = await page.evaluate<string>(deep(`deepAll('input[type=file]').find((i) => i.getAttribute('aria-label') === 'Open torrent file')`), false)
    await page.send('DOM.setFileInputFiles', { files: [torrentPath], objectId: input })
    await until('add dialog', `(() => { const b = deepAll('dialog[open] button').find((b) => b.textContent.trim() === 'Add'); if (b) b.click(); return !!b })()`, 10_000).catch(() => {})
    await until('Seeding', `deepAll('[data-testid=state]').some((s) => s.textContent === 'Seeding')`, 10 * 60_000)
    return { seconds: (Date.now() - start) / 1000, cpu: spent() }
  } finally {
    await page.close()
  }
}
