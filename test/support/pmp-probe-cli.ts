// NAT-PMP (RFC 6886) on its own against a real router, from inside its LAN: PCP is what the bridge
// tries first and what miniupnpd answers, so this speaks the older protocol on purpose. Maps a TCP
// port, prints {"mapped":ANSWER,"externalHost":IP}, then, when its stdin closes, removes the
// mapping, prints {"unmapped":RESULT} and exits.
//
//   ip netns exec LAN node --import tsx test/support/pmp-probe-cli.ts --gateway IP --port P
import { parseArgs } from 'node:util'
import { PmpGateway } from '../../bridge/peer-connection/port-mapping/pmp-gateway'

const { values } = parseArgs({ options: { gateway: { type: 'string' }, port: { type: 'string' } } })
const port = Number(values.port)
const print = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`)
const gateway = await PmpGateway.open(values.gateway!)
gateway.protocol = 'natpmp'
print({ mapped: await gateway.map('tcp', port, 120), externalHost: await gateway.externalAddress(), protocol: gateway.protocol })
process.stdin.on('end', async () => {
  print({ unmapped: await gateway.map('tcp', port, 0) })
  gateway.close()
  process.exit(0)
})
process.stdin.resume()
