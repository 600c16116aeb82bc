import { describe, expect, it } from 'vitest';
import { tlsOptionsFor } from './tls-options.util';

describe(tlsOptionsFor.name, () => {
  it('should verify certificates by default and send the host name as SNI', () => {
    expect(tlsOptionsFor({ host: 'imap.example.com', tls: undefined })).toEqual({ servername: 'imap.example.com', rejectUnauthorized: true, minVersion: 'TLSv1.2' });
  });

  it('should leave SNI out for an IP literal (RFC 6066) and still verify the IP against the certificate', () => {
    expect(tlsOptionsFor({ host: '127.0.0.1', tls: { ca: 'PEM' } })).toEqual({ ca: 'PEM', rejectUnauthorized: true, minVersion: 'TLSv1.2' });
  });

  it('should turn verification off only when asked to', () => {
    expect(tlsOptionsFor({ host: 'localhost', tls: { rejectUnauthorized: false } }).rejectUnauthorized).toBe(false);
  });
});
