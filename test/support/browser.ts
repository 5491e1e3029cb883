import { chromium, type Browser, type BrowserContext } from '@playwright/test'

/** Debian's Chromium (Playwright cannot download its own browsers here). */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/** Flags that keep Chromium quiet and on loopback, and let WebRTC gather loopback candidates. */
export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--allow-loopback-in-peer-connection', '--disable-dev-shm-usage',
  // English unless a test asks for another language (newContext({ locale })): the app follows the
  // browser's language, and the machine's LANG must not change what a test reads.
  '--lang=en-US',
]

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true })
}

/** Without media permission Chromium gathers no ICE candidate at all on loopback. */
export async function allowWebRtc(context: BrowserContext, origin: string): Promise<void> {
  await context.grantPermissions(['camera', 'microphone'], { origin })
}
