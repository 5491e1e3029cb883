// nginx (Debian's nginx-light) serving a folder on loopback, as a web seed (BEP 19) is served:
// static files with Range support and no CORS headers (nginx sends none unless told to), so a
// page's own fetch of it fails and the bridge's must carry it. Run as a child process (no systemd),
// in the foreground, its config, pid file and temporary folders in a folder of its own; stopped by PID.
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { findFreePort, makeTempDir, pollUntil, spawnDaemon, type Daemon } from './process'

export interface Nginx {
  /** http://127.0.0.1:PORT/ : the folder's root. */
  url: string
  port: number
  daemon: Daemon
  /** Requests served so far, as its access log lists them ("GET /path 206"). */
  requests(): Promise<string[]>
  stop(): Promise<void>
}

export interface NginxOptions {
  /** The folder it serves at /. */
  root: string
  /** Bytes/s per connection (nginx's limit_rate); default unlimited. */
  rateLimit?: number
}

export async function startNginx(opts: NginxOptions): Promise<Nginx> {
  const port = await findFreePort()
  const home = await makeTempDir('nginx-', { worldReadable: true })
  const log = join(home.dir, 'access.log')
  // `user root`: as root nginx's workers would otherwise become nobody, who cannot read a test's 0700 temporary folders
  const conf = `
${process.getuid?.() === 0 ? 'user root;' : ''}
worker_processes 1;
daemon off;
pid ${join(home.dir, 'nginx.pid')};
error_log stderr warn;
events { worker_connections 256; }
http {
  access_log ${log} combined;
  client_body_temp_path ${join(home.dir, 'body')};
  proxy_temp_path ${join(home.dir, 'proxy')};
  fastcgi_temp_path ${join(home.dir, 'fastcgi')};
  uwsgi_temp_path ${join(home.dir, 'uwsgi')};
  scgi_temp_path ${join(home.dir, 'scgi')};
  default_type application/octet-stream;
  sendfile on;
  server {
    listen 127.0.0.1:${port};
    root ${opts.root};
    ${opts.rateLimit ? `limit_rate ${opts.rateLimit};` : ''}
  }
}
`
  const confPath = join(home.dir, 'nginx.conf')
  await writeFile(confPath, conf)
  const daemon = spawnDaemon('nginx', ['-e', 'stderr', '-p', home.dir, '-c', confPath], { name: 'nginx' })
  try {
    await pollUntil(async () => (await fetch(`http://127.0.0.1:${port}/`, { method: 'HEAD' })).status > 0, { timeoutMs: 10_000, what: 'nginx answering', daemon })
  } catch (err) {
    await daemon.stop()
    await home.remove()
    throw err
  }
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    daemon,
    async requests() {
      const { readFile } = await import('node:fs/promises')
      const text = await readFile(log, 'utf8').catch(() => '')
      return text.split('\n').filter(Boolean).map((line) => {
        const m = /"(\w+) (\S+) [^"]*" (\d+)/.exec(line)
        return m ? `${m[1]} ${m[2]} ${m[3]}` : line
      })
    },
    async stop() {
      await daemon.stop()
      await home.remove()
    },
  }
}
