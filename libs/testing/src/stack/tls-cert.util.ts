import { chmod, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureAptPackages, execFileAsync, findExecutable } from './tools.util';

/** A self-signed certificate for localhost; being self-signed, `certPem` is also the CA clients trust. */
export interface TlsCert {
  certFile: string;
  keyFile: string;
  certPem: string;
  keyPem: string;
}

async function opensslBinary(log: (line: string) => void): Promise<string> {
  const candidates = ['/usr/bin/openssl'];
  const found = await findExecutable('openssl', candidates);
  if (found) return found;
  await ensureAptPackages({ packages: ['openssl'], log });
  const installed = await findExecutable('openssl', candidates);
  if (!installed) throw new Error('openssl not found after installing the Debian package openssl');
  return installed;
}

/**
 * Generates a certificate for CN=localhost with SAN DNS:localhost and IP:127.0.0.1 in `dir`, so that
 * clients connecting to 127.0.0.1 can verify it with `ca: certPem`. An EC P-256 key because it is
 * generated in milliseconds, where RSA-2048 takes up to a second on a busy machine.
 */
export async function createSelfSignedCert({ dir, log }: { dir: string; log: (line: string) => void }): Promise<TlsCert> {
  const openssl = await opensslBinary(log);
  await mkdir(dir, { recursive: true });
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  // -nodes instead of OpenSSL 3's -noenc: it works with OpenSSL 1.1 too.
  await execFileAsync(openssl, [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-days',
    '3650',
    '-subj',
    '/CN=localhost',
    '-addext',
    'subjectAltName=DNS:localhost,IP:127.0.0.1',
    '-keyout',
    keyFile,
    '-out',
    certFile,
  ]);
  await chmod(keyFile, 0o600);
  const [certPem, keyPem] = await Promise.all([readFile(certFile, 'utf8'), readFile(keyFile, 'utf8')]);
  return { certFile, keyFile, certPem, keyPem };
}
