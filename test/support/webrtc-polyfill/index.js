import { createRequire } from 'node:module'
const wrtc = createRequire(import.meta.url)('@roamhq/wrtc')
export const RTCPeerConnection = wrtc.RTCPeerConnection
export const RTCSessionDescription = wrtc.RTCSessionDescription
export const RTCIceCandidate = wrtc.RTCIceCandidate
export const RTCDataChannel = wrtc.RTCDataChannel
export default wrtc
