/**
 * A Chromium page driven over a bare CDP connection (no Playwright): Playwright enables the
 * Network domain on every page and worker, and then Chromium base64-encodes the payload of every
 * WebSocket message for it, passes it through the browser process and the client parses it: a
 * cost per byte through the bridge that no user pays. This driver enables no domain at all.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { WebSocket } from 'ws'
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../support/browser'

export interface RawPage {
  /** Runs `expression` in the page; the value, or an object id when `byValue` is false. */
  evaluate<T>(expression: string, byValue?: boolean): Promise<T>
  send(method: string, params?: Record<string, unknown>): Promise<Record<string, unknown>>
  /** A command to the browser target (Tracing, say). */
  sendBrowser(method: string, params?: Record<string, unknown>): Promise<Record<string, unknown>>
  /** A command to another attached session (a worker's, from Target.attachedToTarget). */
  sendTo(sessionId: string, method: string, params?: Record<string, unknown>): Promise<Record<string, unknown>>
  /** Every CDP event, of any session. */
  onEvent(listener: (method: string, params: Record<string, unknown>, sessionId?: string) => void): void
  /** Polls `expr` (run through `deep`, so it may use deepAll and deepText) until it is true; throws after `ms`. */
  until(what: string, expr: string, ms: number): Promise<void>
  process: ChildProcess
  close(): Promise<void>
}

export async function openRawPage(url: string): Promise<RawPage> {
  const profile = await mkdtemp(join(tmpdir(), 'raw-chromium-'))
  const child = spawn(CHROMIUM_PATH, [...CHROMIUM_ARGS, '--headless', '--remote-debugging-port=0', `--user-data-dir=${profile}`, 'about:blank'], { stdio: ['ignore', 'ignore', 'pipe'] })
  const endpoint = await new Promise<string>((resolve, reject) => {
    let err = ''
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString()
      const m = /DevTools listening on (ws:\/\/\S+)/.exec(err)
      if (m) resolve(m[1]!)
    })
    child.once('exit', () => reject(new Error(`chromium exited:\n${err}`)))
  })
  const ws = new WebSocket(endpoint, { perMessageDeflate: false, maxPayload: 256 * 1024 * 1024 })
  await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject) })
  let nextId = 1
  const pending = new Map<number, { resolve: (v: Record<string, unknown>) => void; reject: (e: Error) => void }>()
  const listeners: ((method: string, params: Record<string, unknown>, sessionId?: string) => void)[] = []
  ws.on('message', (data: Buffer) => {
    const msg = JSON.parse(data.toString()) as { id?: number; result?: Record<string, unknown>; error?: { message: string }; method?: string; params?: Record<string, unknown>; sessionId?: string }
    if (msg.method) for (const l of listeners) l(msg.method, msg.params ?? {}, msg.sessionId)
    const p = msg.id === undefined ? undefined : pending.get(msg.id)
    if (!p) return
    pending.delete(msg.id!)
    if (msg.error) p.reject(new Error(msg.error.message))
    else p.resolve(msg.result ?? {})
  })
  const raw = (method: string, params: Record<string, unknown> = {}, sessionId?: string) => new Promise<Record<string, unknown>>((resolve, reject) => {
    const id = nextId++
    pending.set(id, { resolve, reject })
    ws.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }))
  })
  const { targetId } = await raw('Target.createTarget', { url: 'about:blank' }) as { targetId: string }
  const { sessionId } = await raw('Target.attachToTarget', { targetId, flatten: true }) as { sessionId: string }
  const send = (method: string, params?: Record<string, unknown>) => raw(method, params, sessionId)
  await send('Page.navigate', { url })
  const evaluate = async <T>(expression: string, byValue = true): Promise<T> => {
    const r = await send('Runtime.evaluate', { expression, returnByValue: byValue, awaitPromise: true }) as { result: { value?: unknown; objectId?: string }; exceptionDetails?: { text: string } }
    if (r.exceptionDetails) throw new Error(`evaluate: ${r.exceptionDetails.text}`)
    return (byValue ? r.result.value : r.result.objectId) as T
  }
  return {
    send,
    sendTo: (id, method, params) => raw(method, params, id),
    sendBrowser: (method, params) => raw(method, params),
    onEvent: (listener) => { listeners.push(listener) },
    evaluate,
    process: child,
    async until(what, expr, ms) {
      const end = Date.now() + ms
      while (!(await evaluate<boolean>(deep(expr)).catch(() => false))) {
        if (Date.now() > end) throw new Error(`raw page: no ${what} in ${ms} ms`)
        await new Promise((r) => setTimeout(r, 100))
      }
    },
    async close() {
      ws.close()
      child.kill('SIGTERM')
      await new Promise((r) => child.once('exit', r))
      // Chromium's helper processes may still be writing the profile when the browser has exited
      await rm(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 }).catch((err: unknown) => console.error('[raw page] profile not removed:', err))
    },
  }
}

/** `expr` run with page-side helpers that look through shadow roots (deepAll, deepText). */
export const deep = (expr: string) => `(() => {
const deepAll = (sel, root = document) => {
  const out = [...root.querySelectorAll(sel)]
  for (const el of root.querySelectorAll('*')) if (el.shadowRoot) out.push(...deepAll(sel, el.shadowRoot))
  return out
};
const deepText = (root = document.body) => {
  let t = ''
  const walk = (n) => { if (n.nodeType === 3) t += n.textContent; if (n.shadowRoot) walk(n.shadowRoot); for (const c of n.childNodes) walk(c) }
  walk(root); return t
};
return (${expr})
})()`
