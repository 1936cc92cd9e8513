/**
 * The world an end-to-end test runs in: the speech, Discord and voice stand-ins on 127.0.0.1, one guild with
 * members, and the real bot started as users start it (scripts/start.ts, config from the environment).
 *
 * ```ts
 * const w = await startWorld();
 * await w.startBot();                       // deploys the commands, starts the bot, waits for READY
 * w.join('alice', 'Lounge');                // member voice state
 * const h = w.speak('alice', { text: 'hello there' });
 * const s = await w.voice.waitForSession(w.guild.id);
 * await w.close();
 * ```
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { startDiscordStandin, type DiscordStandin, type DiscordStandinOptions, type GuildHandle, type InteractionHandle } from '../standins/discord/index.js';
import type { ChannelSpec, MemberSpec, RoleSpec } from '../standins/discord/guildState.js';
import { startSpeechStandin, type SpeechStandin, type SpeechStandinOptions } from '../standins/speech/index.js';
import { startVoiceStandin, type VoiceStandin, type VoiceStandinOptions } from '../standins/voice/index.js';
import { runScript, type ProcessHandle } from './botProcess.js';

/** Members of the test guild. */
export const MEMBERS = ['alice', 'bob', 'carol', 'dave'] as const;
/** A member of the test guild. */
export type MemberName = (typeof MEMBERS)[number];

/** Options of a world. */
export interface WorldOptions {
  speech?: SpeechStandinOptions;
  voice?: VoiceStandinOptions;
  /** Discord stand-in options (e.g. a shorter interaction token life). */
  discord?: Omit<DiscordStandinOptions, 'voiceEndpoint'>;
  /** Extra bot environment (e.g. TTS_STALL_TIMEOUT_MS). */
  env?: Record<string, string>;
  /** More members (e.g. a bot user, a member with a role), roles and channels (e.g. with overwrites) in the test guild. */
  guild?: { id?: string; extraMembers?: MemberSpec[]; roles?: RoleSpec[]; extraChannels?: ChannelSpec[]; /** The server's preferred locale (default en-US). */ locale?: string };
  /** Start the bot through `npm run start:sharded` (discord.js's ShardingManager) and wait for all `shardCount` shards. */
  sharded?: { shardCount: number };
  /** Run the bot with a clock the test sets (test/e2e/shiftedClockBot.ts), starting at this instant. */
  clockStartMs?: number;
  /** More speech stand-ins by name (e.g. a fallback provider), started beside `speech` (named 'main'). */
  extraSpeech?: Record<string, SpeechStandinOptions>;
  /** The bot's TTS_PROVIDERS entries, built from the started stand-ins; the bot then gets no TTS_BASE_URL / TTS_API_KEY. */
  providers?: (standins: Readonly<Record<string, SpeechStandin>>) => object[];
}

/** A running world. */
export interface World {
  speech: SpeechStandin;
  /** Every speech stand-in by name: 'main' (= speech) and the `extraSpeech` ones. */
  speeches: Readonly<Record<string, SpeechStandin>>;
  discord: DiscordStandin;
  voice: VoiceStandin;
  guild: GuildHandle;
  dataDir: string;
  bot: ProcessHandle | undefined;
  /** The environment the bot runs with. */
  env: Record<string, string>;
  /** Registers the commands through the deploy script, then starts the bot and waits until it is ready. */
  startBot(): Promise<ProcessHandle>;
  /** Stops the bot process and starts it again on the same data directory (commands stay registered), with its clock at `clockStartMs` if given. */
  restartBot(options?: { clockStartMs?: number }): Promise<ProcessHandle>;
  /** Puts a member in a voice channel (by name) or out of voice (null). */
  join(member: MemberName | (string & {}), channel: string | null): void;
  /** Sets the bot's clock (worlds started with clockStartMs). */
  setBotClock(ms: number): Promise<void>;
  /** Runs a slash command as a member, from the text channel; `locale` is the member's client language (default en-US). */
  command(member: MemberName | (string & {}), command: string, options?: Record<string, string | number | boolean>, subcommand?: string, locale?: string): InteractionHandle;
  /** /speak as a member. */
  speak(member: MemberName, options: Record<string, string | number | boolean>): InteractionHandle;
  channelId(name: string): string;
  close(): Promise<void>;
}

/** Starts the stand-ins and the guild; the bot starts with `startBot()`. */
export async function startWorld(options: WorldOptions = {}): Promise<World> {
  const speech = await startSpeechStandin(options.speech ?? {});
  const speeches: Record<string, SpeechStandin> = { main: speech };
  for (const [name, standinOptions] of Object.entries(options.extraSpeech ?? {})) speeches[name] = await startSpeechStandin(standinOptions);
  const voice = await startVoiceStandin(options.voice ?? {});
  const discord = await startDiscordStandin({
    ...options.discord,
    voiceEndpoint: (grant) => {
      // Discord's voice server knows which channel each token is for; the voice stand-in needs it for the DAVE group.
      voice.grant(grant);
      return voice.endpoint;
    },
  });
  const guild = discord.addGuild({
    ...(options.guild?.id ? { id: options.guild.id } : {}),
    name: 'Test Server',
    ownerUsername: 'dave',
    channels: [
      { name: 'general', type: 'text' },
      { name: 'chat', type: 'text' },
      { name: 'Lounge', type: 'voice' },
      { name: 'Quiet', type: 'voice' },
      ...(options.guild?.extraChannels ?? []),
    ],
    members: [
      ...MEMBERS.map((username) => ({ username, globalName: username[0]!.toUpperCase() + username.slice(1) })),
      ...(options.guild?.extraMembers ?? []),
    ],
    ...(options.guild?.roles ? { roles: options.guild.roles } : {}),
    ...(options.guild?.locale ? { locale: options.guild.locale } : {}),
  });
  const dataDir = await mkdtemp(join(tmpdir(), 'speech-bot-e2e-'));
  const env: Record<string, string> = {
    DISCORD_TOKEN: discord.token,
    DISCORD_APPLICATION_ID: discord.applicationId,
    DISCORD_DEV_GUILD_ID: guild.id,
    DISCORD_API_URL: discord.apiBase,
    TTS_BASE_URL: speech.baseUrl,
    TTS_API_KEY: speech.apiKey,
    DATA_DIR: dataDir,
    LOG_LEVEL: 'debug',
    NODE_EXTRA_CA_CERTS: voice.caFile,
    ...(options.providers ? { TTS_BASE_URL: '', TTS_API_KEY: '', TTS_PROVIDERS: JSON.stringify(options.providers(speeches)) } : {}),
    ...options.env,
  };
  const channelId = (name: string) => guild.channel(name).id;
  let clockStartMs = options.clockStartMs;
  const launch = async () => {
    if (options.sharded) {
      const manager = runScript('scripts/start-sharded.ts', env);
      world.bot = manager;
      await manager.waitForLine(/every shard process is ready/, 60_000);
      await discord.waitForShards(options.sharded.shardCount, 30_000);
      return manager;
    }
    const bot =
      clockStartMs === undefined
        ? runScript('scripts/start.ts', env)
        : runScript('test/e2e/shiftedClockBot.ts', { ...env, TEST_CLOCK_START_MS: String(clockStartMs) }, { ipc: true });
    world.bot = bot;
    await bot.waitForLine(/connected to Discord/, 20_000);
    await discord.waitForReady(20_000);
    return bot;
  };
  const world: World = {
    speech,
    speeches,
    discord,
    voice,
    guild,
    dataDir,
    bot: undefined,
    env,
    async startBot() {
      // The bot process loads while the commands are deployed; Discord holds its READY until they are, so the bot
      // still first sees Discord with its commands registered, as when a user runs the two scripts one after the other.
      const release = discord.holdReady();
      const deploy = runScript('scripts/deploy-commands.ts', env);
      const launched = launch();
      launched.catch(() => undefined);
      const code = await deploy.exited;
      release();
      if (code !== 0) {
        await world.bot?.stop();
        throw new Error(`deploy-commands failed (${code}):\n${deploy.output.join('\n')}`);
      }
      return launched;
    },
    async restartBot(restart = {}) {
      if (restart.clockStartMs !== undefined) clockStartMs = restart.clockStartMs;
      const old = world.bot;
      if (old) {
        const code = await old.stop();
        if (code !== 0) throw new Error(`the bot did not shut down cleanly (exit ${code}):\n${old.output.slice(-20).join('\n')}`);
      }
      return launch();
    },
    async setBotClock(ms) {
      if (!world.bot) throw new Error('the bot is not running');
      await world.bot.request({ setNow: ms });
    },
    join(member, channel) {
      discord.setVoiceState(guild.id, guild.member(member).id, channel === null ? null : channelId(channel));
    },
    command(member, command, opts = {}, subcommand, locale) {
      return discord.interact({
        guildId: guild.id,
        channelId: channelId('general'),
        userId: guild.member(member).id,
        command,
        options: opts,
        ...(subcommand ? { subcommand } : {}),
        ...(locale ? { locale } : {}),
      });
    },
    speak(member, opts) {
      return world.command(member, 'speak', opts);
    },
    channelId,
    async close() {
      const bot = world.bot;
      const crashed = bot && bot.proc.exitCode !== null ? bot.proc.exitCode : null;
      // Every test judges what the call's listening member decrypted: a frame it could not hear is a failure.
      const daveErrors = voice.sessions.flatMap((s) => s.daveErrors.map((e) => `${s.guildId}: ${e.kind} (${e.error})`));
      const listenerFailures = voice.calls.flatMap((c) =>
        [...c.listeners.values()].flatMap((l) => l.failures.map((f) => `${c.channelId} ${l.userId}: ${f.what} (${f.error})`)),
      );
      await bot?.stop();
      await discord.close();
      await voice.close();
      for (const standin of Object.values(speeches)) await standin.close();
      await rm(dataDir, { recursive: true, force: true });
      if (crashed !== null) {
        throw new Error(`the bot exited on its own (code ${crashed}) during the test:\n${bot!.output.slice(-40).join('\n')}`);
      }
      if (daveErrors.length > 0 || listenerFailures.length > 0) {
        throw new Error(`the listening member could not hear every frame:\n${[...daveErrors, ...listenerFailures].slice(0, 20).join('\n')}`);
      }
    },
  };
  return world;
}

/** Starts a world with a running bot before the suite's tests and closes it after; returns a getter. */
export function useWorld(options: WorldOptions = {}, setup?: (w: World) => void): () => World {
  let world: World | undefined;
  beforeAll(async () => {
    world = await startWorld(options);
    await world.startBot();
    setup?.(world);
  });
  afterAll(async () => {
    await world?.close();
  });
  return () => {
    if (!world) throw new Error('the world is not started');
    return world;
  };
}
