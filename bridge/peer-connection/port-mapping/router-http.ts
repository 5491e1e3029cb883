/**
 * HTTP to a UPnP router, bounded: the address is an IP literal already checked (no name is
 * resolved), redirects are not followed, an answer longer than its cap is cut off and refused,
 * and every request has a deadline. The router is a stranger's device as far as its bytes go.
 */
import http from 'node:http'

export interface RouterAnswer {
  status: number
  text: string
  /** The address this machine used to reach the router: what it must name as the mapping's internal client. */
  localAddress: string
}

export function routerRequest(url: URL, opts: { method: 'GET' | 'POST'; headers?: Record<string, string>; body?: string; maxBytes: number; timeoutMs: number }): Promise<RouterAnswer> {
  return new Promise((resolve, reject) => {
    const body = opts.body === undefined ? undefined : Buffer.from(opts.body)
    const req = http.request({
      host: url.hostname.replace(/^\[|\]$/g, ''),
      port: url.port || 80,
      path: `${url.pathname}${url.search}`,
      method: opts.method,
      headers: { host: url.host, connection: 'close', ...opts.headers, ...(body ? { 'content-length': String(body.length) } : {}) },
      timeout: opts.timeoutMs,
      agent: false,
    })
    const deadline = setTimeout(() => req.destroy(new Error(`no answer within ${opts.timeoutMs / 1000} s`)), opts.timeoutMs)
    req.on('timeout', () => req.destroy(new Error(`no answer within ${opts.timeoutMs / 1000} s`)))
    req.on('error', (err) => { clearTimeout(deadline); reject(err) })
    req.on('response', (res) => {
      const declared = Number(res.headers['content-length'] ?? 0)
      if (declared > opts.maxBytes) return req.destroy(new Error(`an answer of ${declared} bytes (at most ${opts.maxBytes} are read)`))
      const localAddress = res.socket?.localAddress ?? ''
      const chunks: Buffer[] = []
      let size = 0
      res.on('data', (chunk: Buffer) => {
        size += chunk.length
        if (size > opts.maxBytes) return req.destroy(new Error(`an answer of over ${opts.maxBytes} bytes`))
        chunks.push(chunk)
      })
      res.on('end', () => {
        clearTimeout(deadline)
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), localAddress })
      })
      res.on('error', (err) => { clearTimeout(deadline); reject(err) })
    })
    req.end(body)
  })
}
