// Shared plumbing of the real-peer harnesses: run a daemon as a child process (no systemd here),
// keep the tail of its output for error messages, stop it by PID, poll until something is true.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process'
import { chmod, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { findFreePort } from '../tracker'

export { findFreePort }

export interface Daemon {
  /** The program's name, for messages. */
  name: string
  pid: number
  child: ChildProcess
  /** Resolves with the exit code (or signal name) once the process has exited. */
  exited: Promise<number | string>
  /** True once the process has exited. */
  readonly hasExited: boolean
  /** The last ~64 KiB of stdout+stderr. */
  output(): string
  /** SIGTERM to this PID, SIGKILL after `graceMs` (default 5 s); resolves once it has exited. Idempotent. */
  stop(graceMs?: number): Promise<void>
}

const TAIL = 64 * 1024

/** Every daemon this process started and has not stopped yet: `stopAllDaemons` is the last-resort cleanup. */
const running = new Set<Daemon>()

export function spawnDaemon(command: string, args: string[], opts: SpawnOptions & { name?: string } = {}): Daemon {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts })
  let tail = ''
  const keep = (chunk: Buffer) => {
    tail += chunk.toString('utf8')
    if (tail.length > TAIL) tail = tail.slice(-TAIL)
  }
  child.stdout?.on('data', keep)
  child.stderr?.on('data', keep)
  let hasExited = false
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      hasExited = true
      resolve(code ?? signal ?? 'unknown')
    })
    child.once('error', (err) => {
      hasExited = true
      keep(Buffer.from(`\n[spawn error] ${err.message}\n`))
      resolve('spawn-error')
    })
  })
  if (child.pid === undefined) {
    // spawn failed synchronously (ENOENT is reported through 'error', pid stays undefined)
    hasExited = true
  }
  let stopping: Promise<void> | undefined
  const daemon: Daemon = {
    name: opts.name ?? command,
    pid: child.pid ?? -1,
    child,
    exited,
    get hasExited() {
      return hasExited
    },
    output: () => tail,
    stop(graceMs = 5000) {
      stopping ??= (async () => {
        running.delete(daemon)
        if (hasExited || child.pid === undefined) return
        try {
          process.kill(child.pid, 'SIGTERM')
        } catch {
          return // already gone
        }
        let timer: NodeJS.Timeout | undefined
        const killed = await Promise.race([
          exited.then(() => false),
          new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), graceMs))),
        ])
        clearTimeout(timer)
        if (killed) {
          try {
            process.kill(child.pid, 'SIGKILL')
          } catch {}
          await exited
        }
      })()
      return stopping
    },
  }
  running.add(daemon)
  return daemon
}

/** Stops every daemon started through spawnDaemon that is still running (by PID, each its own). */
export async function stopAllDaemons(): Promise<void> {
  await Promise.all([...running].map((d) => d.stop()))
}

/** Polls `check` (sync or async; a throw counts as "not yet") until it returns a value other than undefined/false. */
export async function pollUntil<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  opts: { timeoutMs: number; intervalMs?: number; what: string; daemon?: Daemon },
): Promise<T> {
  const start = Date.now()
  let lastError: unknown
  for (;;) {
    if (opts.daemon?.hasExited) {
      throw new Error(`${opts.daemon.name} exited while waiting for ${opts.what}:\n${opts.daemon.output().slice(-4000)}`)
    }
    try {
      const value = await check()
      if (value !== undefined && value !== false) return value
    } catch (err) {
      lastError = err
    }
    if (Date.now() - start > opts.timeoutMs) {
      const why = lastError ? ` (last error: ${(lastError as Error).message})` : ''
      const out = opts.daemon ? `\n--- ${opts.daemon.name} output ---\n${opts.daemon.output().slice(-4000)}` : ''
      throw new Error(`timed out after ${opts.timeoutMs} ms waiting for ${opts.what}${why}${out}`)
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 200))
  }
}

export interface TempDir {
  dir: string
  remove(): Promise<void>
}

/**
 * A temporary folder. `worldReadable`: chmod 0755 -- a mkdtemp folder is 0700, and daemons that
 * drop root (opentracker) then cannot read their own files.
 */
export async function makeTempDir(prefix: string, opts: { worldReadable?: boolean } = {}): Promise<TempDir> {
  const dir = await mkdtemp(join(tmpdir(), prefix))
  if (opts.worldReadable) await chmod(dir, 0o755)
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms))
}

/** Runs a command to completion; rejects with its output when it exits non-zero. */
export function runCommand(command: string, args: string[], opts: { timeoutMs?: number; cwd?: string } = {}): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...(opts.cwd ? { cwd: opts.cwd } : {}) })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')))
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')))
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000)
    child.once('error', (err) => {
      clearTimeout(timer)
      reject(err)
    })
    child.once('exit', (code, signal) => {
      clearTimeout(timer)
      if (code === 0) resolve({ stdout, stderr })
      else reject(new Error(`${command} ${args.join(' ')} exited with ${code ?? signal}:\n${stderr}${stdout}`.slice(0, 8000)))
    })
  })
}

/** VmRSS and VmHWM (peak RSS) of a process, in bytes, from /proc (Linux). */
export async function processMemory(pid: number): Promise<{ rss: number; peakRss: number }> {
  const { readFile } = await import('node:fs/promises')
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024
  return { rss: kb('VmRSS'), peakRss: kb('VmHWM') }
}

/**
 * Connects to a BitTorrent peer, sends a handshake for `infoHash` (plaintext, or inside MSE with
 * RC4 when `encrypted`, for a peer that requires encryption) and resolves true if the peer answers
 * with a handshake for the same info-hash (then hangs up), false otherwise.
 */
export async function probeHandshake(port: number, infoHash: string, host = '127.0.0.1', timeoutMs = 2000, encrypted = false): Promise<boolean> {
  const net = await import('node:net')
  const { randomBytes } = await import('node:crypto')
  const { MseInitiator } = await import('../../../bridge/peer-connection/mse/mse-handshake')
  const { CRYPTO_RC4 } = await import('../../../bridge/peer-connection/mse/mse-crypto')
  return new Promise<boolean>((resolve) => {
    const socket = net.connect({ host, port })
    let got = Buffer.alloc(0)
    const done = (ok: boolean) => {
      clearTimeout(timer)
      socket.destroy()
      resolve(ok)
    }
    const hs = Buffer.alloc(68)
    hs[0] = 19
    hs.write('BitTorrent protocol', 1, 'latin1')
    hs[25] = 0x10 // extension protocol, as every real client sends
    Buffer.from(infoHash, 'hex').copy(hs, 28)
    Buffer.concat([Buffer.from('-PR0001-'), randomBytes(12)]).copy(hs, 48)
    const mse = encrypted ? new MseInitiator(Buffer.from(infoHash, 'hex'), CRYPTO_RC4, hs) : null
    let decrypt: ((b: Uint8Array) => Uint8Array) | null = null
    const timer = setTimeout(() => done(false), timeoutMs)
    socket.on('error', () => done(false))
    socket.on('close', () => done(false))
    socket.on('connect', () => socket.write(mse ? mse.start() : hs))
    const received = (plain: Uint8Array) => {
      got = Buffer.concat([got, plain])
      if (got.length >= 48) done(got[0] === 19 && got.subarray(28, 48).toString('hex') === infoHash)
    }
    socket.on('data', (chunk: Buffer) => {
      if (!mse || decrypt) return received(decrypt ? decrypt(chunk) : chunk)
      const step = mse.push(chunk)
      if (step.type === 'failed') return done(false)
      if (step.send) socket.write(step.send)
      if (step.type !== 'done') return
      const cipher = step.cipher
      decrypt = (b) => (cipher ? cipher.decrypt.crypt(b) : b)
      received(step.payload)
    })
  })
}
