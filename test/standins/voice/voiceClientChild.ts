/**
 * Child-process script: the real @discordjs/voice, driven by JSON-line commands on stdin, reporting JSON-line events
 * on stdout. Run by `voiceClient.ts` under Node 22 with `NODE_EXTRA_CA_CERTS` pointing at the stand-in's certificate.
 *
 * The Discord gateway side is faked with the library's documented seam, an `adapterCreator`: every op 4 the library
 * sends with a channel is answered (next tick) with VOICE_STATE_UPDATE + VOICE_SERVER_UPDATE for the join's endpoint.
 */
import { createReadStream } from 'node:fs';
import readline from 'node:readline';
import {
  createAudioPlayer,
  createAudioResource,
  joinVoiceChannel,
  StreamType,
  type AudioPlayer,
  type DiscordGatewayAdapterCreator,
  type VoiceConnection,
} from '@discordjs/voice';
import type { ChildCommand, ChildEvent } from './voiceClientProtocol.js';

type JoinCommand = Extract<ChildCommand, { cmd: 'join' }>;

function emit(event: ChildEvent): void {
  process.stdout.write(`${JSON.stringify(event)}\n`);
}

type Guilds = Map<string, { connection: VoiceConnection; player: AudioPlayer }>;

function fakeGatewayAdapter(cmd: JoinCommand): DiscordGatewayAdapterCreator {
  return (methods) => ({
    sendPayload(payload) {
      emit({ event: 'gatewayPayload', guildId: cmd.guildId, payload });
      const channelId = (payload as { d?: { channel_id?: string | null } }).d?.channel_id;
      if (channelId) {
        setImmediate(() => {
          methods.onVoiceStateUpdate({
            guild_id: cmd.guildId,
            channel_id: channelId,
            user_id: cmd.userId,
            session_id: cmd.sessionId,
            deaf: false,
            mute: false,
            self_deaf: true,
            self_mute: false,
            self_video: false,
            suppress: false,
            request_to_speak_timestamp: null,
          } as Parameters<typeof methods.onVoiceStateUpdate>[0]);
          methods.onVoiceServerUpdate({ token: cmd.token, guild_id: cmd.guildId, endpoint: cmd.endpoint });
        });
      }
      return true;
    },
    destroy() {},
  });
}

function join(guilds: Guilds, cmd: JoinCommand): void {
  const { guildId } = cmd;
  const existing = guilds.get(guildId);
  if (existing && existing.connection.state.status !== 'destroyed') throw new Error(`guild ${guildId} already joined`);
  const player = createAudioPlayer();
  player.on('stateChange', (from, to) => {
    if (from.status !== to.status) emit({ event: 'player', guildId, status: to.status });
  });
  player.on('error', (error) => emit({ event: 'error', source: `player ${guildId}`, message: error.message }));
  const connection = joinVoiceChannel({
    guildId,
    channelId: cmd.channelId,
    adapterCreator: fakeGatewayAdapter(cmd),
    selfDeaf: true,
    daveEncryption: cmd.daveEncryption ?? true,
  });
  connection.on('stateChange', (from, to) => {
    if (from.status === to.status) return;
    emit({
      event: 'connection',
      guildId,
      status: to.status,
      closeCode: 'closeCode' in to ? to.closeCode : undefined,
      reason: 'reason' in to ? to.reason : undefined,
      rejoinAttempts: connection.rejoinAttempts,
    });
  });
  connection.on('error', (error) => emit({ event: 'error', source: `connection ${guildId}`, message: error.message }));
  connection.on('transitioned', (transitionId) => emit({ event: 'transitioned', guildId, transitionId }));
  connection.subscribe(player);
  guilds.set(guildId, { connection, player });
}

function guild(guilds: Guilds, guildId: string): { connection: VoiceConnection; player: AudioPlayer } {
  const found = guilds.get(guildId);
  if (!found) throw new Error(`no connection for guild ${guildId}`);
  return found;
}

function leaveAll(guilds: Guilds): void {
  for (const { connection, player } of guilds.values()) {
    player.stop(true);
    if (connection.state.status !== 'destroyed') connection.destroy();
  }
}

/** Reads commands until stdin closes or `exit`. */
function main(): void {
  const guilds: Guilds = new Map();
  const rl = readline.createInterface({ input: process.stdin });
  rl.on('line', (line) => {
    let cmd: ChildCommand;
    try {
      cmd = JSON.parse(line) as ChildCommand;
    } catch {
      emit({ event: 'error', source: 'command', message: `bad command line: ${line}` });
      return;
    }
    try {
      switch (cmd.cmd) {
        case 'join':
          join(guilds, cmd);
          break;
        case 'play':
          guild(guilds, cmd.guildId).player.play(
            createAudioResource(createReadStream(cmd.file), { inputType: StreamType.OggOpus }),
          );
          break;
        case 'privacyCode': {
          const { connection } = guild(guilds, cmd.guildId);
          emit({ event: 'privacyCode', guildId: cmd.guildId, code: connection.voicePrivacyCode ?? null });
          break;
        }
        case 'destroy': {
          const { connection } = guild(guilds, cmd.guildId);
          if (connection.state.status !== 'destroyed') connection.destroy();
          break;
        }
        case 'exit':
          leaveAll(guilds);
          setImmediate(() => process.exit(0));
          return;
      }
      emit({ event: 'ack', cmd: cmd.cmd });
    } catch (error) {
      emit({ event: 'error', source: cmd.cmd, message: String(error) });
    }
  });
  rl.on('close', () => {
    leaveAll(guilds);
    process.exit(0);
  });
  emit({ event: 'started', pid: process.pid });
}

main();
