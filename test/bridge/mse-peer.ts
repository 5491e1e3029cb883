// A peer that dials the bridge's inbound port with MSE (our own initiator, RC4 only).
import net from 'node:net'
import { CRYPTO_RC4 } from '../../bridge/peer-connection/mse/mse-crypto'
import { MseInitiator, type MseStep } from '../../bridge/peer-connection/mse/mse-handshake'

export const connectTcp = (port: number) => new Promise<net.Socket>((resolve, reject) => {
  const s = net.connect(port, '127.0.0.1', () => resolve(s))
  s.on('error', reject)
})

/** Dials, runs the MSE handshake with `ia` (the BitTorrent handshake) inside step 3; resolves once it is done. */
export async function mseDial(port: number, infoHash: string, ia: Uint8Array): Promise<{ socket: net.Socket; done: Extract<MseStep, { type: 'done' }> }> {
  const socket = await connectTcp(port)
  const mse = new MseInitiator(Buffer.from(infoHash, 'hex'), CRYPTO_RC4, ia)
  socket.write(mse.start())
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      const step = mse.push(chunk)
      if (step.type === 'failed') return reject(new Error(step.reason))
      if (step.send) socket.write(step.send)
      if (step.type !== 'done') return
      socket.off('data', onData)
      resolve({ socket, done: step })
    }
    socket.on('data', onData)
    socket.once('close', () => reject(new Error('the bridge closed the connection during MSE')))
  })
}
