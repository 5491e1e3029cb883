import { AppError } from '../../protocol/errors'
import { MAX_TORRENT_BYTES } from '../../core/torrent-parser/metainfo'

/** Downloads a .torrent from an http(s) address, with messages that say what went wrong. */
export async function fetchTorrent(url: string): Promise<Uint8Array> {
  let response: Response
  try {
    response = await fetch(url, { credentials: 'omit', redirect: 'follow' })
  } catch {
    // fetch gives no detail on purpose: a CORS refusal and an unreachable host look the same.
    throw new AppError('FETCH_FAILED',
      `Could not download ${url}. The site may not allow other web pages to fetch its files (CORS), or it is unreachable. Download the .torrent yourself and open it with "Open torrent file".`)
  }
  if (!response.ok) {
    throw new AppError('FETCH_FAILED', `The site answered ${response.status} ${response.statusText} for ${url}. Check the address.`)
  }
  const declared = Number(response.headers.get('content-length') ?? 0)
  if (declared > MAX_TORRENT_BYTES) {
    throw new AppError('TOO_LARGE', `That file is ${declared} bytes: too large to be a .torrent file.`)
  }
  const bytes = new Uint8Array(await response.arrayBuffer())
  if (bytes.byteLength > MAX_TORRENT_BYTES) {
    throw new AppError('TOO_LARGE', 'That file is too large to be a .torrent file.')
  }
  return bytes
}
