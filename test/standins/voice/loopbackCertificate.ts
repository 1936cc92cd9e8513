/** A throw-away self-signed TLS certificate for 127.0.0.1 / localhost, with its PEM written to a temp file. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generate } from 'selfsigned';

/** Certificate, key and the PEM file a client trusts through `NODE_EXTRA_CA_CERTS`. */
export interface LoopbackCertificate {
  cert: string;
  key: string;
  /** Path of the certificate PEM (the certificate is its own CA). */
  caFile: string;
  /** Deletes the temp directory holding `caFile`. */
  remove(): Promise<void>;
}

/** Generates the certificate (RSA 2048 / SHA-256 through WebCrypto: tens of ms) and writes `caFile`. */
export async function createLoopbackCertificate(): Promise<LoopbackCertificate> {
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notAfterDate: new Date(Date.now() + 7 * 24 * 3600 * 1000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] },
    ],
  });
  const dir = await mkdtemp(path.join(tmpdir(), 'voice-standin-'));
  const caFile = path.join(dir, 'voice-standin-ca.pem');
  await writeFile(caFile, pems.cert);
  return { cert: pems.cert, key: pems.private, caFile, remove: () => rm(dir, { recursive: true, force: true }) };
}
