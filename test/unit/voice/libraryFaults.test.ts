import dgram from 'node:dgram';
import { describe, expect, it } from 'vitest';
import { isStrayVoiceKeepAlive } from '../../../src/voice/libraryFaults.js';

describe('isStrayVoiceKeepAlive', () => {
  it('recognises the keep-alive @discordjs/voice sends on a socket it closed, and nothing else', () => {
    const socket = dgram.createSocket('udp4');
    socket.close();
    let real: Error | undefined;
    try {
      socket.send(Buffer.alloc(8), 9, '127.0.0.1');
    } catch (err) {
      real = err as Error;
    }
    expect((real as NodeJS.ErrnoException).code).toBe('ERR_SOCKET_DGRAM_NOT_RUNNING');
    // The same error thrown from the library's keep-alive (its stack as seen in the soak).
    real!.stack = `Error [ERR_SOCKET_DGRAM_NOT_RUNNING]: Not running\n    at healthCheck (node:dgram:965:11)\n    at Socket.send (node:dgram:685:3)\n    at VoiceUDPSocket.send (node_modules/@discordjs/voice/dist/index.mjs:1010:17)\n    at VoiceUDPSocket.keepAlive (node_modules/@discordjs/voice/dist/index.mjs:998:10)`;
    expect(isStrayVoiceKeepAlive(real)).toBe(true);
    // From our own code, or another error from the library: still fatal.
    const ours = Object.assign(new Error('Not running'), { code: 'ERR_SOCKET_DGRAM_NOT_RUNNING' });
    expect(isStrayVoiceKeepAlive(ours)).toBe(false);
    expect(isStrayVoiceKeepAlive(Object.assign(new Error('boom'), { stack: 'at VoiceUDPSocket.keepAlive' }))).toBe(false);
    expect(isStrayVoiceKeepAlive(undefined)).toBe(false);
  });
});
