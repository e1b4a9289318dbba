/**
 * MD4 (RFC 1320), which NTLM's NT hash is built on. Node's OpenSSL 3 keeps MD4 in its legacy
 * provider, so createHash('md4') throws; the simulator carries its own. https://www.rfc-editor.org/rfc/rfc1320
 */
const rotl = (x: number, n: number): number => (x << n) | (x >>> (32 - n));
const F = (x: number, y: number, z: number): number => (x & y) | (~x & z);
const G = (x: number, y: number, z: number): number => (x & y) | (x & z) | (y & z);
const H = (x: number, y: number, z: number): number => x ^ y ^ z;

export function md4(input: Buffer): Buffer {
  const total = (input.length + 9 + 63) & ~63;
  const msg = Buffer.alloc(total);
  input.copy(msg);
  msg[input.length] = 0x80;
  msg.writeBigUInt64LE(BigInt(input.length) * 8n, total - 8);
  let [a, b, c, d] = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476];
  for (let off = 0; off < total; off += 64) {
    const x = Array.from({ length: 16 }, (_, i) => msg.readUInt32LE(off + i * 4));
    const [aa, bb, cc, dd] = [a, b, c, d];
    // Round 1: [abcd k 3] [dabc k+1 7] [cdab k+2 11] [bcda k+3 19] for k = 0, 4, 8, 12.
    for (const k of [0, 4, 8, 12]) {
      a = rotl((a + F(b, c, d) + x[k]) | 0, 3);
      d = rotl((d + F(a, b, c) + x[k + 1]) | 0, 7);
      c = rotl((c + F(d, a, b) + x[k + 2]) | 0, 11);
      b = rotl((b + F(c, d, a) + x[k + 3]) | 0, 19);
    }
    // Round 2: columns k, k+4, k+8, k+12, shifts 3 5 9 13.
    for (const k of [0, 1, 2, 3]) {
      a = rotl((a + G(b, c, d) + x[k] + 0x5a827999) | 0, 3);
      d = rotl((d + G(a, b, c) + x[k + 4] + 0x5a827999) | 0, 5);
      c = rotl((c + G(d, a, b) + x[k + 8] + 0x5a827999) | 0, 9);
      b = rotl((b + G(c, d, a) + x[k + 12] + 0x5a827999) | 0, 13);
    }
    // Round 3: k, k+8, k+4, k+12 for k = 0, 2, 1, 3, shifts 3 9 11 15.
    for (const k of [0, 2, 1, 3]) {
      a = rotl((a + H(b, c, d) + x[k] + 0x6ed9eba1) | 0, 3);
      d = rotl((d + H(a, b, c) + x[k + 8] + 0x6ed9eba1) | 0, 9);
      c = rotl((c + H(d, a, b) + x[k + 4] + 0x6ed9eba1) | 0, 11);
      b = rotl((b + H(c, d, a) + x[k + 12] + 0x6ed9eba1) | 0, 15);
    }
    [a, b, c, d] = [(a + aa) | 0, (b + bb) | 0, (c + cc) | 0, (d + dd) | 0];
  }
  const out = Buffer.alloc(16);
  [a, b, c, d].forEach((v, i) => out.writeUInt32LE(v >>> 0, i * 4));
  return out;
}
