import { describe, expect, it } from 'vitest';
import {
  ipAddressDetector,
  parseIpv4,
  parseIpv6,
} from '../../../../src/processors/redact/detectors/ip-address.js';
import { found } from '../helpers.js';

describe('ipAddressDetector', () => {
  it.each([
    ['an IPv4 address', 'from 203.0.113.9 at', '203.0.113.9'],
    ['an IPv4 address with a port', 'client=10.1.2.3:8080', '10.1.2.3'],
    ['an IPv4 address at the end of a sentence', 'blocked 198.51.100.7.', '198.51.100.7'],
    ['an IPv4 address in a URL', 'http://192.168.1.20/admin', '192.168.1.20'],
    [
      'a full IPv6 address',
      'src 2001:0db8:85a3:0000:0000:8a2e:0370:7334 ok',
      '2001:0db8:85a3:0000:0000:8a2e:0370:7334',
    ],
    ['a compressed IPv6 address', 'peer 2001:db8::8a2e:370:7334', '2001:db8::8a2e:370:7334'],
    ['a bracketed IPv6 address with a port', 'listening on [2001:db8::1]:8443', '2001:db8::1'],
    [
      'an IPv6 address with a zone',
      'fe80::1ff:fe23:4567:890a%eth0 up',
      'fe80::1ff:fe23:4567:890a%eth0',
    ],
    ['an IPv4-mapped IPv6 address', 'from ::ffff:192.0.2.128', '::ffff:192.0.2.128'],
    ['upper-case IPv6', 'FE80::ABCD:1', 'FE80::ABCD:1'],
  ])('finds %s', (_what, text, address) => {
    expect(found(ipAddressDetector, text)).toEqual([address]);
  });

  it.each([
    ['a version', 'version 1.2.3.4'],
    ['a version after a colon', 'release: 10.4.2.1'],
    ['a v-prefixed version', 'v4.4.2 and v1.2.3.4'],
    ['a product token', 'Mozilla/5.0 Chrome/120.0.0.0 Safari/537.36'],
    ['a package spec', 'pkg@1.2.3.4'],
    ['a pre-release', '1.2.3.4-beta'],
    ['an attribute whose key says version', '1.2.3.4', 'service.version'],
    ['loopback and unspecified addresses', '127.0.0.1 0.0.0.0:4317 ::1 ::'],
    ['a netmask and multicast', 'mask 255.255.255.0 group 239.1.2.3'],
    ['an octet over 255', '256.1.2.3'],
    ['leading zeros', '010.001.002.003'],
    ['an OID', '1.3.6.1.4.1.311'],
    ['a time', '10:30:45 and 2024-01-15T10:30:45.123Z'],
    ['a MAC address', '00:1a:2b:3c:4d:5e'],
    ['a slice and a C++ scope', 'x[::2] std::vector a::b'],
    ['a trace id', '0af7651916cd43dd8448eb211c80319c'],
    ['JSON members', '{"a":"b","c":1,"d":{"e":2}}'],
  ])('leaves %s alone', (_what, text, key = '') => {
    expect(found(ipAddressDetector, text, key)).toEqual([]);
  });
});

describe('parseIpv4', () => {
  it('parses four octets and refuses anything else', () => {
    expect(parseIpv4('192.0.2.1')).toEqual([192, 0, 2, 1]);
    expect(parseIpv4('192.0.2')).toBeUndefined();
    expect(parseIpv4('192.0.2.256')).toBeUndefined();
    expect(parseIpv4('192.0.02.1')).toBeUndefined();
  });
});

describe('parseIpv6', () => {
  it('counts groups around one ::, an embedded IPv4 address as two', () => {
    expect(parseIpv6('2001:db8::1')).toEqual(['2001', 'db8', '1']);
    expect(parseIpv6('::ffff:192.0.2.1')).toEqual(['ffff', '192.0.2.1', '']);
    expect(parseIpv6('1:2:3:4:5:6:7:8')).toHaveLength(8);
    expect(parseIpv6('1:2:3:4:5:6:7')).toBeUndefined();
    expect(parseIpv6('1::2::3')).toBeUndefined();
    expect(parseIpv6('12345::1')).toBeUndefined();
    expect(parseIpv6('1.2.3.4::1')).toBeUndefined();
  });
});
