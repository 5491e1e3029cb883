/**
 * `--proxy socks5://[user:pass@]host:port`: the SOCKS5 proxy every outgoing connection of the
 * bridge goes through. Pure: parsed once at start, with a message a person can act on.
 */
export interface ProxyConfig {
  /** A host name or an IP literal (IPv6 without brackets), as given. */
  host: string
  port: number
  /** RFC 1929 user name and password, when the URL has them. */
  userId?: string
  password?: string
  /** `socks5://host:port`, never the credentials: what logs and pages are shown. */
  display: string
}

export const DEFAULT_SOCKS_PORT = 1080
/** RFC 1929 gives the user name and the password one length byte each. */
const MAX_CREDENTIAL_BYTES = 255

/**
 * socks5:// and socks5h:// mean the same here: host names are always resolved by the proxy (curl's
 * socks5h), never by the bridge, so that no DNS query leaves around the proxy.
 */
export function parseProxyUrl(text: string): ProxyConfig {
  const bad = (why: string) => new Error(`--proxy: "${redact(text)}" ${why}; use socks5://[user:password@]host:port`)
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw bad('is not a URL')
  }
  if (url.protocol !== 'socks5:' && url.protocol !== 'socks5h:') throw bad(`is a ${url.protocol.replace(/:$/, '')} proxy, and the bridge speaks SOCKS5 only`)
  const host = url.hostname.replace(/^\[|\]$/g, '')
  if (!host) throw bad('names no host')
  if ((url.pathname && url.pathname !== '/') || url.search || url.hash) throw bad('has more than a host and a port')
  const port = url.port ? Number(url.port) : DEFAULT_SOCKS_PORT
  if (port < 1) throw bad('has port 0')
  const out: ProxyConfig = { host, port, display: `socks5://${url.hostname}:${port}` }
  if (url.username || url.password) {
    const userId = decode(url.username, bad)
    const password = decode(url.password, bad)
    if (!userId) throw bad('has a password but no user name')
    if (Buffer.byteLength(userId) > MAX_CREDENTIAL_BYTES || Buffer.byteLength(password) > MAX_CREDENTIAL_BYTES) throw bad(`has a user name or password over ${MAX_CREDENTIAL_BYTES} bytes`)
    out.userId = userId
    out.password = password
  }
  return out
}

function decode(part: string, bad: (why: string) => Error): string {
  try {
    return decodeURIComponent(part)
  } catch {
    throw bad('has a badly percent-encoded user name or password')
  }
}

/** The URL with its credentials blanked out, for an error message (they may be in a shell's history, not in logs). */
function redact(text: string): string {
  return text.replace(/\/\/[^/@]*@/, '//***@')
}
