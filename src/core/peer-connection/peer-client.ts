/**
 * A peer's client in words ("qBittorrent 4.6.5"), for the peers list: from the name it gives in
 * its extended handshake (BEP 10 `v`) when it gives one, otherwise from its peer ID's prefix
 * (BEP 20's "Azureus style", `-qB4650-`, and aria2's `A2-1-37-0-`).
 */

/** Azureus-style client codes of the clients a user meets most. */
const CLIENTS: Record<string, string> = {
  qB: 'qBittorrent', TR: 'Transmission', LT: 'libtorrent', lt: 'rTorrent', UT: 'µTorrent', UM: 'µTorrent Mac',
  DE: 'Deluge', AZ: 'Vuze', BI: 'BiglyBT', BT: 'BitTorrent', KT: 'KTorrent', WW: 'WebTorrent', WD: 'WebTorrent Desktop',
  FD: 'Free Download Manager', TX: 'Tixati', PI: 'PicoTorrent', FW: 'FrostWire', XL: 'Xunlei', SD: 'Thunder',
}

/** Printable, short: a peer chooses these bytes. */
function clean(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/g, '').trim().slice(0, 40)
}

/** "4650" → "4.6.5"; WebTorrent's two digits a part, "0300" → "3.0"; trailing zero parts dropped. */
function version(code: string, digits: string): string {
  const parts = code === 'WW' || code === 'WD'
    ? (digits.match(/../g) ?? []).map((p) => String(Number(p)))
    : [...digits].map((c) => String(parseInt(c, 36)))
  while (parts.length > 2 && parts.at(-1) === '0') parts.pop()
  return parts.join('.')
}

/** The client's name from `v` (bytes or text) or the 20-byte peer ID (40 hex); '' when unknown. */
export function peerClient(peerIdHex: string | undefined, v?: Uint8Array | string): string {
  if (v !== undefined) {
    const name = clean(typeof v === 'string' ? v : new TextDecoder().decode(v))
    if (name) return name
  }
  if (!peerIdHex || !/^[0-9a-f]{40}$/i.test(peerIdHex)) return ''
  const id = String.fromCharCode(...(peerIdHex.match(/../g) ?? []).map((h) => parseInt(h, 16)))
  const azureus = /^-([A-Za-z0-9]{2})([A-Za-z0-9]{4})-/.exec(id)
  if (azureus) {
    const [, code, digits] = azureus as unknown as [string, string, string]
    const name = CLIENTS[code]
    return name ? `${name} ${version(code, digits)}` : `${code} ${version(code, digits)}`
  }
  const aria2 = /^A2-(\d+)-(\d+)-(\d+)-/.exec(id)
  if (aria2) return `aria2 ${aria2.slice(1).join('.')}`
  return ''
}
