import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface CertFiles {
  certFile: string;
  keyFile: string;
}

export interface TestCerts {
  dir: string;
  /** The CA that signed good, wrongHost and expired. */
  caFile: string;
  /** SAN localhost and 127.0.0.1, signed by the CA. */
  good: CertFiles;
  /** SAN wrong.example.test only. */
  wrongHost: CertFiles;
  /** Signed by the CA, valid until yesterday. */
  expired: CertFiles;
  /** SAN localhost and 127.0.0.1, but signed by itself. */
  selfSigned: CertFiles;
  /** Deletes the directory. */
  cleanup(): void;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

function leaf(dir: string, name: string, san: string, days: number): CertFiles {
  const ext = join(dir, `${name}.ext`);
  writeFileSync(ext, `subjectAltName=${san}\nextendedKeyUsage=serverAuth\n`);
  openssl(dir, ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', '/CN=localhost']);
  // A negative -days gives notAfter before now: an expired certificate without faking the clock.
  openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', String(days), '-extfile', ext]);
  return { certFile: join(dir, `${name}.crt`), keyFile: join(dir, `${name}.key`) };
}

/** Creates a CA and server certificates with the openssl CLI in a fresh temp directory (about a second). */
export function createTestCerts(): TestCerts {
  const dir = mkdtempSync(join(tmpdir(), 'sqlprobe-certs-'));
  openssl(dir, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '3650', '-subj', '/CN=sqlprobe test CA']);
  const localSan = 'DNS:localhost,IP:127.0.0.1';
  openssl(dir, [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'self.key', '-out', 'self.crt', '-days', '365',
    '-subj', '/CN=localhost', '-addext', `subjectAltName=${localSan}`,
  ]);
  return {
    dir,
    caFile: join(dir, 'ca.crt'),
    good: leaf(dir, 'good', localSan, 365),
    wrongHost: leaf(dir, 'wrong', 'DNS:wrong.example.test', 365),
    expired: leaf(dir, 'expired', localSan, -1),
    selfSigned: { certFile: join(dir, 'self.crt'), keyFile: join(dir, 'self.key') },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
