/**
 * Known throws of @discordjs/voice 0.19 that escape to the process although nothing is broken.
 *
 * `VoiceUDPSocket` sends its first keep-alive from a `setImmediate` scheduled in its constructor and never cancels
 * it: when the voice connection is torn down in the same turn it was made (a moderator's disconnect, a voice server
 * close, a leave right after a join), that send hits the closed socket and throws ERR_SOCKET_DGRAM_NOT_RUNNING
 * inside the immediate — an uncaught exception (seen in the field too). Only that keep-alive is lost; the socket was
 * already closed on purpose, so the process may go on.
 */
export function isStrayVoiceKeepAlive(err: unknown): boolean {
  const e = err as { code?: unknown; stack?: unknown } | undefined;
  return e?.code === 'ERR_SOCKET_DGRAM_NOT_RUNNING' && typeof e.stack === 'string' && /VoiceUDPSocket\.(keepAlive|send)/.test(e.stack);
}
