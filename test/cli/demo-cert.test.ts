import { X509Certificate, createPrivateKey } from 'node:crypto';
import { selfSignedLocalhost } from '../../cli/demo/cert';

describe('demo certificate', () => {
  it('is a self-signed X.509 certificate for localhost and 127.0.0.1 that matches its key', () => {
    const { cert, key } = selfSignedLocalhost(7);
    const x509 = new X509Certificate(cert);
    expect(x509.subject).toBe('CN=localhost');
    expect(x509.issuer).toBe('CN=localhost');
    expect(x509.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1');
    expect(x509.checkHost('localhost')).toBe('localhost');
    expect(x509.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(x509.verify(x509.publicKey)).toBe(true);
    expect(x509.checkPrivateKey(createPrivateKey(key))).toBe(true);
    const days = (Date.parse(x509.validTo) - Date.parse(x509.validFrom)) / 86_400_000;
    expect(Math.round(days * 24)).toBe(7 * 24 + 1);
  });
});
