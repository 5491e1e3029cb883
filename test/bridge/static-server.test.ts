// The static server's headers (issue 13): a Content-Security-Policy, nosniff and frame
// protection on every response, source maps only with --source-maps, and the Host check on the
// runtime configuration, against a running server on loopback.
import { request, type IncomingHttpHeaders } from 'node:http'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseOptions } from '../../bridge/options'
import { CONTENT_SECURITY_POLICY } from '../../bridge/api-gateway/security-headers'
import { startServer, type RunningServer } from '../../bridge/api-gateway/server'

interface Reply { status: number; headers: IncomingHttpHeaders; body: string }

/** GET with any Host header (fetch does not let one set it). */
function get(base: string, path: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, base), { headers }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => { body += chunk })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

let appDir: string
const servers: RunningServer[] = []

async function serve(...args: string[]): Promise<string> {
  const running = await startServer(parseOptions(['--port', '0', '--host', '127.0.0.1', '--app-dir', appDir, '--ice-servers', 'none',
    '--trackers', 'ws://127.0.0.1:9', '--peer-port', '0', '--peer-host', '127.0.0.1', '--dht-port', '0', '--dht-bootstrap', 'none', ...args]))
  servers.push(running)
  return running.url
}

beforeAll(async () => {
  appDir = await mkdtemp(join(tmpdir(), 'static-app-'))
  await mkdir(join(appDir, 'assets'))
  await writeFile(join(appDir, 'index.html'), '<!doctype html><title>test</title>')
  await writeFile(join(appDir, 'assets', 'app.js'), 'console.log(1)\n//# sourceMappingURL=app.js.map\n')
  await writeFile(join(appDir, 'assets', 'app.js.map'), '{"version":3,"sources":["../src/secret.ts"]}')
})

afterAll(async () => {
  for (const running of servers) await running.close()
  await rm(appDir, { recursive: true, force: true })
})

describe('static server headers', () => {
  it('sends the policy, nosniff and frame protection on every response', async () => {
    const url = await serve()
    const port = new URL(url).port
    const replies = await Promise.all([
      get(url, '/'), get(url, '/assets/app.js'), get(url, '/runtime-config.json'), get(url, '/no/such/page'),
      get(url, '/assets/app.js.map'), get(url, '/runtime-config.json', { host: `evil.example:${port}` }),
    ])
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200, 200, 404, 403])
    for (const reply of replies) {
      expect(reply.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY)
      expect(reply.headers['x-content-type-options']).toBe('nosniff')
      expect(reply.headers['x-frame-options']).toBe('DENY')
    }
  })

  it('has a policy without inline script, eval or inline style, and no framing', () => {
    const directives = new Map(CONTENT_SECURITY_POLICY.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1)]))
    expect(directives.get('frame-ancestors')).toEqual(["'none'"])
    expect(directives.get('object-src')).toEqual(["'none'"])
    expect(directives.get('script-src')).toEqual(["'self'"])
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-inline|unsafe-eval|\*/)
  })
})

describe('source maps', () => {
  it('are refused unless asked for, however the path is spelt', async () => {
    const url = await serve()
    for (const path of ['/assets/app.js.map', '/assets/app.js.m%61p', '/assets/app.js.map?x=1']) {
      const reply = await get(url, path)
      expect(reply.status, path).toBe(404)
      expect(reply.body).not.toContain('secret.ts')
    }
    expect((await get(url, '/assets/app.js')).status).toBe(200)
  })

  it('are served with --source-maps', async () => {
    const url = await serve('--source-maps')
    const reply = await get(url, '/assets/app.js.map')
    expect(reply.status).toBe(200)
    expect(reply.body).toContain('secret.ts')
  })
})

describe('runtime configuration and the Host header', () => {
  it('is refused to a DNS-rebound name, served to its own address and to an allowed origin', async () => {
    const url = await serve('--allow-origin', 'http://app.example:8080')
    const port = new URL(url).port
    const rebound = await get(url, '/runtime-config.json', { host: `evil.example:${port}` })
    expect(rebound.status).toBe(403)
    expect(rebound.body).toMatch(/DNS rebinding/)
    expect(rebound.body).not.toContain('ws://127.0.0.1:9')
    const own = await get(url, '/runtime-config.json')
    expect(own.status).toBe(200)
    expect(JSON.parse(own.body)).toMatchObject({ type: 'runtime-config', trackers: ['ws://127.0.0.1:9'] })
    expect((await get(url, '/runtime-config.json', { host: 'app.example:8080' })).status).toBe(200)
    expect((await get(url, '/runtime-config.json', { host: `localhost:${port}` })).status).toBe(200)
  })

  it('is checked without a bridge too', async () => {
    const url = await serve('--no-bridge')
    const port = new URL(url).port
    expect((await get(url, '/runtime-config.json', { host: `evil.example:${port}` })).status).toBe(403)
    expect((await get(url, '/runtime-config.json')).status).toBe(200)
  })
})
