/**
 * How many RTCPeerConnections the page makes (a WebRTC offer or answer each), counted exactly:
 * the page's constructor wrapped before its scripts run. A count, not a time, so it holds on a
 * machine shared with other runs, where the main thread's busy share does not (issue 17: the
 * WebRTC offers of downloading torrents).
 */
import type { BrowserContext, Page } from '@playwright/test'

export async function countPeerConnections(context: BrowserContext): Promise<void> {
  // a string, not a function: tsx adds a `__name` helper to functions, undefined in the page
  await context.addInitScript({ content: `(() => {
    const Own = globalThis.RTCPeerConnection
    if (typeof Own !== 'function') return
    let made = 0
    globalThis.RTCPeerConnection = class extends Own { constructor(...args) { super(...args); made++ } }
    globalThis.__peerConnectionsMade = () => made
  })()` })
}

export function peerConnectionsMade(page: Page): Promise<number> {
  return page.evaluate(() => (globalThis as unknown as { __peerConnectionsMade?: () => number }).__peerConnectionsMade?.() ?? -1)
}
