// What the bridge reads from a UPnP gateway: SSDP answers, its description, its SOAP answers.
// miniupnpd's own description (Debian 12, 2.3.1) is the real sample; the rest is what a hostile
// device on the LAN could answer.
import { describe, expect, it } from 'vitest'
import { MAX_DESCRIPTION_BYTES, mSearch, readDescription, readSoapAnswer, soapRequest, ssdpLocation } from '../../bridge/peer-connection/port-mapping/igd-xml'
import { onLocalNetwork } from '../../bridge/peer-connection/port-mapping/router-address'

const LOCATION = new URL('http://192.168.77.1:36539/rootDesc.xml')
const service = (type: string, control: string) =>
  `<service><serviceType>${type}</serviceType><serviceId>x</serviceId><SCPDURL>/x.xml</SCPDURL><controlURL>${control}</controlURL><eventSubURL>/evt</eventSubURL></service>`
/** miniupnpd 2.3.1's description, cut to its structure. */
const MINIUPNPD = `<?xml version="1.0"?>
<root xmlns="urn:schemas-upnp-org:device-1-0" configId="1337"><specVersion><major>1</major><minor>1</minor></specVersion><device><deviceType>urn:schemas-upnp-org:device:InternetGatewayDevice:2</deviceType>
<serviceList>${service('urn:schemas-upnp-org:service:Layer3Forwarding:1', '/ctl/L3F')}</serviceList><deviceList><device><deviceType>urn:schemas-upnp-org:device:WANDevice:2</deviceType>
<serviceList>${service('urn:schemas-upnp-org:service:WANCommonInterfaceConfig:1', '/ctl/CmnIfCfg')}</serviceList><deviceList><device><deviceType>urn:schemas-upnp-org:device:WANConnectionDevice:2</deviceType>
<serviceList>${service('urn:schemas-upnp-org:service:WANIPConnection:2', '/ctl/IPConn')}${service('urn:schemas-upnp-org:service:WANIPv6FirewallControl:1', '/ctl/IP6FCtl')}</serviceList>
</device></deviceList></device></deviceList><presentationURL>http://192.168.77.1/</presentationURL></device></root>`

describe('UPnP gateway answers', () => {
  it('asks for gateways with an M-SEARCH', () => {
    expect(mSearch('urn:schemas-upnp-org:device:InternetGatewayDevice:1')).toBe(
      'M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: "ssdp:discover"\r\nMX: 2\r\nST: urn:schemas-upnp-org:device:InternetGatewayDevice:1\r\n\r\n')
  })

  it('believes an SSDP answer\'s LOCATION only on the address that sent it, over http', () => {
    const answer = (location: string) => `HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=120\r\nST: urn:schemas-upnp-org:device:InternetGatewayDevice:1\r\nLOCATION: ${location}\r\n\r\n`
    expect(ssdpLocation(answer('http://192.168.77.1:36539/rootDesc.xml'), '192.168.77.1')?.href).toBe('http://192.168.77.1:36539/rootDesc.xml')
    expect(ssdpLocation(answer('http://192.168.77.1:36539/rootDesc.xml'), '::ffff:192.168.77.1')?.href).toBe('http://192.168.77.1:36539/rootDesc.xml') // the same host, IPv4-mapped
    expect(ssdpLocation(answer('http://192.168.77.9:80/rootDesc.xml'), '192.168.77.1')).toBeNull() // another host
    expect(ssdpLocation(answer('http://169.254.169.254/latest/meta-data'), '192.168.77.1')).toBeNull()
    expect(ssdpLocation(answer('http://router.lan:80/rootDesc.xml'), '192.168.77.1')).toBeNull() // a name, not an address
    expect(ssdpLocation(answer('https://192.168.77.1/rootDesc.xml'), '192.168.77.1')).toBeNull()
    expect(ssdpLocation(answer('http://u:p@192.168.77.1/rootDesc.xml'), '192.168.77.1')).toBeNull()
    expect(ssdpLocation(answer('not a url'), '192.168.77.1')).toBeNull()
    expect(ssdpLocation(`NOTIFY * HTTP/1.1\r\nLOCATION: http://192.168.77.1/\r\n\r\n`, '192.168.77.1')).toBeNull()
    // the header past the first 2 KiB is not read
    expect(ssdpLocation(`HTTP/1.1 200 OK\r\nX: ${'a'.repeat(2100)}\r\nLOCATION: http://192.168.77.1/\r\n\r\n`, '192.168.77.1')).toBeNull()
  })

  it('finds the port-mapping service in miniupnpd\'s description, its control URL on the device itself', () => {
    const read = readDescription(MINIUPNPD, LOCATION)
    expect(read.ok && [read.service.serviceType, read.service.controlUrl.href])
      .toEqual(['urn:schemas-upnp-org:service:WANIPConnection:2', 'http://192.168.77.1:36539/ctl/IPConn'])
    // IGD:1 with a PPP connection and a URLBase, in another namespace prefix and case
    const ppp = `<r:root xmlns:r="urn:schemas-upnp-org:device-1-0"><URLBase>http://192.168.77.1:5000/</URLBase>${service('urn:schemas-upnp-org:service:WANPPPConnection:1', 'ctl/ppp')}</r:root>`
    const pppRead = readDescription(ppp, LOCATION)
    expect(pppRead.ok && pppRead.service.controlUrl.href).toBe('http://192.168.77.1:5000/ctl/ppp')
  })

  it('refuses a description that is too big, garbage, too deep, without the service, or that sends control requests elsewhere', () => {
    const reason = (xml: string) => { const r = readDescription(xml, LOCATION); return r.ok ? 'ok' : r.reason }
    expect(reason(`<root>${' '.repeat(MAX_DESCRIPTION_BYTES)}</root>`)).toMatch(/over 65536 bytes/)
    // sax reads sloppy XML as a router's parser would; what it cannot make sense of has no service in it
    expect(reason('\u0000\u0001<<<>>>&&& ]]>')).toMatch(/no port-mapping service/)
    expect(reason(`${'<a>'.repeat(100)}${service('urn:schemas-upnp-org:service:WANIPConnection:1', '/c')}${'</a>'.repeat(100)}`)).toMatch(/deeper than 32/)
    expect(reason(`<root>${service('urn:schemas-upnp-org:service:Layer3Forwarding:1', '/c')}</root>`)).toMatch(/no port-mapping service/)
    expect(reason(`<root>${service('urn:schemas-upnp-org:service:WANIPConnection:1', 'http://10.0.0.99:80/ctl')}</root>`)).toMatch(/to 10\.0\.0\.99, not to itself/)
    expect(reason(`<root><URLBase>http://10.0.0.99/</URLBase>${service('urn:schemas-upnp-org:service:WANIPConnection:1', 'ctl')}</root>`)).toMatch(/not to itself/)
    expect(reason(`<root>${service('urn:schemas-upnp-org:service:WANIPConnection:1', 'file:///etc/passwd')}</root>`)).toMatch(/not to itself/)
  })

  it('expands no entity a device declares (no "billion laughs")', () => {
    const lol = `<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>` +
      `<r>${service('urn:schemas-upnp-org:service:WANIPConnection:1', '/ctl/&c;')}</r>`
    const read = readDescription(lol, LOCATION)
    expect(read.ok && read.service.controlUrl.pathname).toBe('/ctl/&c;')
  })

  it('writes SOAP requests with their values escaped', () => {
    const body = soapRequest('urn:schemas-upnp-org:service:WANIPConnection:1', 'AddPortMapping', [['NewExternalPort', 6881], ['NewPortMappingDescription', 'a<b>&"\'']])
    expect(body).toContain('<u:AddPortMapping xmlns:u="urn:schemas-upnp-org:service:WANIPConnection:1"><NewExternalPort>6881</NewExternalPort>')
    expect(body).toContain('<NewPortMappingDescription>a&#60;b&#62;&#38;&#34;&#39;</NewPortMappingDescription>')
  })

  it('reads SOAP answers and faults (in words for the codes a user meets)', () => {
    const envelope = (body: string) => `<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>${body}</s:Body></s:Envelope>`
    expect(readSoapAnswer(200, envelope('<u:GetExternalIPAddressResponse xmlns:u="x"><NewExternalIPAddress> 5.5.5.1 </NewExternalIPAddress></u:GetExternalIPAddressResponse>'), 'GetExternalIPAddress'))
      .toEqual({ ok: true, values: { newexternalipaddress: '5.5.5.1' } })
    expect(readSoapAnswer(200, envelope('<u:OtherResponse/>'), 'AddPortMapping')).toMatchObject({ ok: false, reason: /not its response/ })
    const fault = (code: string, text: string) => envelope(`<s:Fault><faultcode>s:Client</faultcode><faultstring>UPnPError</faultstring><detail><UPnPError xmlns="urn:schemas-upnp-org:control-1-0"><errorCode>${code}</errorCode><errorDescription>${text}</errorDescription></UPnPError></detail></s:Fault>`)
    expect(readSoapAnswer(500, fault('718', 'ConflictInMappingEntry'), 'AddPortMapping')).toEqual({ ok: false, code: 718, reason: 'that external port is already mapped to another device' })
    expect(readSoapAnswer(500, fault('725', 'OnlyPermanentLeasesSupported'), 'AddPortMapping')).toMatchObject({ code: 725 })
    expect(readSoapAnswer(500, fault('999', `Weird\u0007${'x'.repeat(100)}`), 'AddPortMapping')).toEqual({ ok: false, code: 999, reason: `error 999 (Weird${'x'.repeat(55)})` })
    expect(readSoapAnswer(500, fault('12345678', 'x'), 'AddPortMapping')).toMatchObject({ code: 0, reason: 'HTTP status 500' })
    expect(readSoapAnswer(401, 'Unauthorized', 'AddPortMapping')).toMatchObject({ ok: false, code: 0 })
  })

  it('talks UPnP only to devices on this machine\'s own networks', () => {
    const interfaces = {
      lo: [{ address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4', mac: '', internal: true, cidr: '127.0.0.1/8' }],
      eth0: [{ address: '192.168.77.2', netmask: '255.255.255.0', family: 'IPv4', mac: '', internal: false, cidr: '192.168.77.2/24' },
        { address: 'fe80::2', netmask: 'ffff:ffff:ffff:ffff::', family: 'IPv6', mac: '', internal: false, cidr: 'fe80::2/64', scopeid: 2 }],
    } as const
    const on = (address: string) => onLocalNetwork(address, interfaces as never)
    expect(on('192.168.77.1')).toBe(true)
    expect(on('::ffff:192.168.77.1')).toBe(true)
    expect(on('fe80::1')).toBe(true)
    expect(on('192.168.77.2')).toBe(false) // this machine itself
    expect(on('192.168.78.1')).toBe(false)
    expect(on('127.0.0.1')).toBe(false)
    expect(on('8.8.8.8')).toBe(false)
    expect(on('not an address')).toBe(false)
  })
})
