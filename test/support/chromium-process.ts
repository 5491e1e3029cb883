import { spawn, type ChildProcess } from 'node:child_process'
import { readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { chromium, type Browser } from '@playwright/test'
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './browser'

export interface ChromiumProcess {
  browser: Browser
  /** SIGKILL to the whole process group: the browser dies as in a crash, with no chance to save. */
  kill(): Promise<void>
}

/**
 * Chromium started by hand (not by Playwright) on a persistent profile, so a test can kill it
 * like a crash and start it again on the same profile: OPFS and IndexedDB survive.
 */
export async function startChromium(profileDir: string): Promise<ChromiumProcess> {
  await rm(join(profileDir, 'DevToolsActivePort'), { force: true }) // a killed browser leaves it behind
  const child: ChildProcess = spawn(CHROMIUM_PATH, [
    '--headless', ...CHROMIUM_ARGS, `--user-data-dir=${profileDir}`, '--remote-debugging-port=0', 'about:blank',
  ], { detached: true, stdio: 'ignore' })
  const port = await devToolsPort(profileDir)
  const browser = await chromium.connectOverCDP(`http://127.0.0.1:${port}`)
  return {
    browser,
    async kill() {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      process.kill(-child.pid!, 'SIGKILL')
      await exited
    },
  }
}

async function devToolsPort(profileDir: string): Promise<number> {
  const deadline = Date.now() + 20_000
  while (Date.now() < deadline) {
    const text = await readFile(join(profileDir, 'DevToolsActivePort'), 'utf8').catch(() => '')
    const port = Number(text.split('\n')[0])
    if (port > 0) return port
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error('Chromium did not open its DevTools port within 20 s')
}
