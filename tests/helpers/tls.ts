import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TestCertificates {
  /** Files for a `tls:` section: the server certificate (for localhost and 127.0.0.1), its key. */
  certFile: string;
  keyFile: string;
  /** The CA that signed the server and client certificates (also a `client_ca_file`). */
  caFile: string;
  ca: Buffer;
  /** A client certificate and key signed by the same CA, for mutual TLS. */
  clientCert: Buffer;
  clientKey: Buffer;
  /** A client certificate from a CA the server does not know. */
  strangerCert: Buffer;
  strangerKey: Buffer;
}

const openssl = (dir: string, ...args: string[]): void => {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
};

/** A new RSA key in `<name>.key` and, as `-x509` asks, a self-signed certificate or a request. */
const newKey = (dir: string, name: string, out: string, ...extra: string[]): void =>
  openssl(
    dir,
    'req',
    ...extra,
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    `/CN=${name}`,
    '-keyout',
    `${name}.key`,
    '-out',
    out,
  );

function selfSignedCa(dir: string, name: string): void {
  newKey(dir, name, `${name}.pem`, '-x509', '-days', '2');
}

function signed(dir: string, ca: string, name: string, extensions: string): void {
  writeFileSync(join(dir, `${name}.ext`), extensions);
  newKey(dir, name, `${name}.csr`);
  openssl(
    dir,
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${ca}.pem`,
    '-CAkey',
    `${ca}.key`,
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    `${name}.ext`,
    '-out',
    `${name}.pem`,
  );
}

/** A test CA with a server and a client certificate, written by `openssl` into `dir`. */
export function createTestCertificates(dir: string): TestCertificates {
  selfSignedCa(dir, 'test-ca');
  selfSignedCa(dir, 'stranger-ca');
  signed(
    dir,
    'test-ca',
    'server',
    'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n',
  );
  signed(dir, 'test-ca', 'client', 'extendedKeyUsage=clientAuth\n');
  signed(dir, 'stranger-ca', 'stranger', 'extendedKeyUsage=clientAuth\n');
  const file = (name: string) => join(dir, name);
  return {
    certFile: file('server.pem'),
    keyFile: file('server.key'),
    caFile: file('test-ca.pem'),
    ca: readFileSync(file('test-ca.pem')),
    clientCert: readFileSync(file('client.pem')),
    clientKey: readFileSync(file('client.key')),
    strangerCert: readFileSync(file('stranger.pem')),
    strangerKey: readFileSync(file('stranger.key')),
  };
}
