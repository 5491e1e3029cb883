import type { Browser } from '@playwright/test'
import { allowWebRtc } from '../support/browser'

/**
 * The raw ceiling: two pages of the same Chromium, one data channel over loopback, bytes pushed
 * as fast as the channel takes them (64 KiB messages, flow-controlled on bufferedAmount).
 */
export async function measureDataChannel(browser: Browser, origin: string, totalBytes: number): Promise<number> {
  const context = await browser.newContext()
  await allowWebRtc(context, origin)
  const [sender, receiver] = [await context.newPage(), await context.newPage()]
  await sender.goto(origin)
  await receiver.goto(origin)
  const offer = await sender.evaluate(async () => {
    const pc = new RTCPeerConnection({ iceServers: [] })
    const channel = pc.createDataChannel('bench', { ordered: true })
    Object.assign(window, { pc, channel })
    await pc.setLocalDescription(await pc.createOffer())
    await new Promise<void>((resolve) => { pc.onicegatheringstatechange = () => { if (pc.iceGatheringState === 'complete') resolve() } })
    return pc.localDescription!.toJSON()
  })
  const answer = await receiver.evaluate(async ({ offer, totalBytes }) => {
    const pc = new RTCPeerConnection({ iceServers: [] })
    const w = window as unknown as { received: number; done: Promise<number> }
    w.received = 0
    w.done = new Promise<number>((resolve) => {
      pc.ondatachannel = ({ channel }) => {
        let start = 0
        channel.binaryType = 'arraybuffer'
        channel.onmessage = (event) => {
          if (!start) start = performance.now()
          w.received += (event.data as ArrayBuffer).byteLength
          if (w.received >= totalBytes) resolve(performance.now() - start)
        }
      }
    })
    await pc.setRemoteDescription(offer)
    await pc.setLocalDescription(await pc.createAnswer())
    await new Promise<void>((resolve) => { pc.onicegatheringstatechange = () => { if (pc.iceGatheringState === 'complete') resolve() } })
    Object.assign(window, { pc })
    return pc.localDescription!.toJSON()
  }, { offer, totalBytes })
  await sender.evaluate(async ({ answer, totalBytes }) => {
    const { pc, channel } = window as unknown as { pc: RTCPeerConnection; channel: RTCDataChannel }
    await pc.setRemoteDescription(answer)
    await new Promise<void>((resolve) => { channel.onopen = () => resolve() })
    const message = new Uint8Array(64 * 1024)
    channel.bufferedAmountLowThreshold = 1024 * 1024
    for (let sent = 0; sent < totalBytes; sent += message.byteLength) {
      if (channel.bufferedAmount > 8 * 1024 * 1024) {
        await new Promise<void>((resolve) => { channel.onbufferedamountlow = () => resolve() })
      }
      channel.send(message)
    }
  }, { answer, totalBytes })
  const ms = await receiver.evaluate(() => (window as unknown as { done: Promise<number> }).done)
  await context.close()
  return totalBytes / (ms / 1000)
}
