// Media fixtures for the streaming tests and bench: a video made by ffmpeg, subtitles, and a
// throttled seeder of a folder in a child process (WebRTC in Node stays out of the runner).
import { spawn, spawnSync } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { childStopper } from './child-stopper'
import { REPO_ROOT } from './seeder-process'

export interface VideoOptions {
  seconds: number
  /** Video bit rate in bits/s (noise keeps the encoder at it). */
  bitrate: number
  width?: number
  height?: number
}

/**
 * An H.264/AAC MP4 with its index at the front (`+faststart`, what a streamable release has),
 * a key frame every second, and noise so its size follows the bit rate.
 */
export function makeVideo(path: string, o: VideoOptions): void {
  const size = `${o.width ?? 640}x${o.height ?? 360}`
  const rate = String(o.bitrate)
  const args = [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=25`,
    '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100',
    '-t', String(o.seconds),
    '-vf', 'noise=alls=60:allf=t',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-g', '25',
    '-b:v', rate, '-minrate', rate, '-maxrate', rate, '-bufsize', String(o.bitrate * 2),
    '-c:a', 'aac', '-b:a', '64k',
    '-movflags', '+faststart', path,
  ]
  const result = spawnSync('ffmpeg', args, { stdio: 'inherit' })
  if (result.status !== 0) throw new Error(`ffmpeg failed (${result.status}); is ffmpeg installed?`)
}

/** A two-cue SubRip file. */
export async function writeSrt(path: string): Promise<void> {
  await writeFile(path, '1\r\n00:00:00,000 --> 00:00:30,000\r\nHello from the subtitles\r\n\r\n2\r\n00:00:30,000 --> 00:10:00,000\r\nStill here\r\n')
}

export interface MediaSeeder {
  magnetURI: string
  infoHash: string
  name: string
  wsUrl: string
  length: number
  torrentFile: Buffer
  stop(): Promise<void>
}

/** Seeds the folder `root` (its base name is the torrent name) at `uploadLimit` bytes/s. */
export function spawnMediaSeeder(root: string, opts: { uploadLimit?: number; pieceLength?: number } = {}): Promise<MediaSeeder> {
  const args = ['--import', 'tsx', join(REPO_ROOT, 'test/support/media-seeder-cli.ts'), '--root', root]
  if (opts.uploadLimit) args.push('--upload-limit', String(opts.uploadLimit))
  if (opts.pieceLength) args.push('--piece-length', String(opts.pieceLength))
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'inherit'] })
  const stop = childStopper(child)
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { void stop(); reject(new Error('media seeder printed nothing in 180 s')) }, 180_000)
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`media seeder exited early (${code})`)) })
    createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer)
      const info = JSON.parse(line) as Omit<MediaSeeder, 'torrentFile' | 'stop'> & { torrentFile: string }
      resolve({ ...info, torrentFile: Buffer.from(info.torrentFile, 'base64'), stop })
    })
  })
}
