import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MailConnectionError } from '../mail-connection.error';
import { Pop3LineReader } from './pop3-line-reader';

const setup = (timeoutMs = 1_000) => {
  const socket = new PassThrough();
  return { socket, sut: new Pop3LineReader(socket, timeoutMs) };
};

describe(Pop3LineReader.name, () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('should give lines with their terminator, whatever the chunking', async () => {
    const { socket, sut } = setup();
    socket.write('+OK Dove');
    const first = sut.readLine();
    socket.write('cot ready.\r\n+OK 2 3');
    socket.write('20\r\n-ERR no\n');
    expect((await first).toString()).toBe('+OK Dovecot ready.\r\n');
    expect((await sut.readLine()).toString()).toBe('+OK 2 320\r\n');
    expect((await sut.readLine()).toString()).toBe('-ERR no\n');
  });

  it('should give the rest of the data as a chunk and take back what was read too far', async () => {
    const { socket, sut } = setup();
    socket.write('+OK\r\nbody...');
    expect((await sut.readLine()).toString()).toBe('+OK\r\n');
    expect((await sut.readChunk()).toString()).toBe('body...');
    sut.unread(Buffer.from('+OK next\r\n'));
    expect((await sut.readLine()).toString()).toBe('+OK next\r\n');
  });

  it('should fail waiting readers when the server closes the connection', async () => {
    const { socket, sut } = setup();
    const line = sut.readLine();
    socket.destroy();
    await expect(line).rejects.toMatchObject({ errorClass: 'connect', message: 'the POP3 server closed the connection' });
    expect(sut.error).toBeInstanceOf(MailConnectionError);
  });

  it('should still hand out complete lines that arrived before the close', async () => {
    const { socket, sut } = setup();
    socket.end('-ERR bye\r\n');
    expect((await sut.readLine()).toString()).toBe('-ERR bye\r\n');
    await expect(sut.readLine()).rejects.toMatchObject({ errorClass: 'connect' });
  });

  it('should time out and destroy the socket when the server stays silent', async () => {
    vi.useFakeTimers();
    const { socket, sut } = setup(1_500);
    const line = sut.readLine();
    const assertion = expect(line).rejects.toMatchObject({ errorClass: 'timeout', message: 'no answer from the POP3 server within 1500 ms' });
    await vi.advanceTimersByTimeAsync(1_500);
    await assertion;
    expect(socket.destroyed).toBe(true);
  });

  it('should not count time nobody waits for the server', async () => {
    vi.useFakeTimers();
    const { socket, sut } = setup(1_000);
    await vi.advanceTimersByTimeAsync(5_000);
    const line = sut.readLine();
    socket.write('+OK late\r\n');
    expect((await line).toString()).toBe('+OK late\r\n');
  });

  it('should refuse an endless line', async () => {
    const { socket, sut } = setup();
    const line = sut.readLine();
    socket.write(Buffer.alloc(70 * 1024, 0x41));
    await expect(line).rejects.toMatchObject({ errorClass: 'protocol' });
  });

  it('should pause the socket while much is unread and resume once it is taken', async () => {
    const { socket, sut } = setup();
    socket.write(Buffer.alloc(300 * 1024, 0x41));
    await vi.waitFor(() => expect(socket.isPaused()).toBe(true));
    expect((await sut.readChunk()).length).toBeGreaterThan(256 * 1024);
    expect(socket.isPaused()).toBe(false);
  });

  it('should return unread bytes and stop listening when detached', async () => {
    const { socket, sut } = setup();
    socket.write('+OK Begin TLS\r\nextra');
    await sut.readLine();
    expect(sut.detach().toString()).toBe('extra');
    expect(socket.listenerCount('data')).toBe(0);
  });
});
