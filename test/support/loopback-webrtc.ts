// Keeps the WebRTC of Node test peers on loopback, as far as libwebrtc allows.
//
// TRAP (measured here): with `iceServers: []` @roamhq/wrtc still gathers a host candidate on
// every interface (192.0.2.2 and fd00::2 on eth0 as well as 127.0.0.1 and ::1), and two Node
// peers then pick the fd00::2 <-> fd00::2 pair. `iceServers: []` only keeps STUN/TURN away.
// Workaround: patch wrtc (process-wide; the same module instance webrtc-polyfill uses) so that
//  - every RTCSessionDescription it builds (the `localDescription` simple-peer sends with
//    trickle off, and the remote description it is given) keeps only loopback candidates, and
//  - setRemoteDescription / addIceCandidate drop non-loopback remote candidates.
// Every connectivity check then goes TO 127.0.0.1 or ::1. What cannot be helped: libwebrtc has no
// option to skip interfaces when gathering, so one end may still send from a socket bound to the
// host's own eth0 address (seen: fd00::2 -> ::1, or 192.0.2.2 -> 127.0.0.1; the other end sees a
// peer-reflexive candidate whose address getStats reports as ''). Those packets are addressed to
// this host and never leave it, but to have nothing but `lo` run the peers in a loopback-only
// namespace: `unshare -n sh -c 'ip link set lo up; CMD'` (see ENVIRONMENT.md).
// A Chromium peer needs `--allow-loopback-in-peer-connection` to offer a loopback candidate at all.
import { createRequire } from 'node:module'

interface WrtcModule {
  RTCPeerConnection: { prototype: Record<string, unknown> }
  RTCSessionDescription: { prototype: object }
}

const PATCHED = Symbol.for('torrent-web.test.loopback-webrtc')
const SDP = Symbol('sdp')

/** True for 127.0.0.0/8 and ::1 (IPv4-mapped too). mDNS `.local` names and the rest: false. */
export function isLoopbackAddress(address: string): boolean {
  const a = address.trim().toLowerCase().replace(/^\[|\]$/g, '')
  if (/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(a)) return true
  if (a === '::1' || a === '0:0:0:0:0:0:0:1') return true
  const mapped = /^::ffff:(127\.\d{1,3}\.\d{1,3}\.\d{1,3})$/.exec(a)
  return mapped !== null
}

/** `candidate:F C udp PRIO ADDRESS PORT typ …` (with or without `a=`). */
export function isLoopbackCandidate(candidateLine: string): boolean {
  const parts = candidateLine.replace(/^a=/, '').trim().split(/\s+/)
  const address = parts[4]
  return address !== undefined && isLoopbackAddress(address)
}

/** Removes every `a=candidate:` line whose address is not loopback. */
export function filterSdpToLoopback(sdp: string): string {
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n'
  return sdp
    .split(eol)
    .filter((line) => !line.startsWith('a=candidate:') || isLoopbackCandidate(line))
    .join(eol)
}

/** Idempotent. Called when test/support/client.ts is imported. */
export function restrictWebRTCToLoopback(): void {
  const wrtc = createRequire(import.meta.url)('@roamhq/wrtc') as WrtcModule
  const pcProto = wrtc.RTCPeerConnection.prototype as Record<string | symbol, unknown>
  if (pcProto[PATCHED]) return
  pcProto[PATCHED] = true

  // wrtc's RTCSessionDescription does `this.sdp = init.sdp`: an accessor on the prototype sees it.
  Object.defineProperty(wrtc.RTCSessionDescription.prototype, 'sdp', {
    configurable: true,
    enumerable: true,
    get(this: Record<symbol, unknown>) {
      return this[SDP]
    },
    set(this: Record<symbol, unknown>, value: unknown) {
      this[SDP] = typeof value === 'string' ? filterSdpToLoopback(value) : value
    },
  })

  type Fn = (this: unknown, ...args: unknown[]) => Promise<unknown>
  const setRemote = pcProto.setRemoteDescription as Fn
  pcProto.setRemoteDescription = function (this: unknown, desc: unknown, ...rest: unknown[]) {
    if (desc && typeof desc === 'object' && typeof (desc as { sdp?: unknown }).sdp === 'string') {
      const d = desc as { type: string; sdp: string }
      desc = { type: d.type, sdp: filterSdpToLoopback(d.sdp) }
    }
    return setRemote.call(this, desc, ...rest)
  }
  const addCandidate = pcProto.addIceCandidate as Fn
  pcProto.addIceCandidate = function (this: unknown, candidate: unknown, ...rest: unknown[]) {
    const line = (candidate as { candidate?: unknown } | null | undefined)?.candidate
    if (typeof line === 'string' && line !== '' && !isLoopbackCandidate(line)) return Promise.resolve()
    return addCandidate.call(this, candidate, ...rest)
  }
}
