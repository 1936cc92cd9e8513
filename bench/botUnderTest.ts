/**
 * The bot under test for the benchmarks: the speech, Discord and voice stand-ins in this process, guilds with members,
 * and the REAL bot started as users start it (scripts/start.ts as a child process, config from the environment),
 * the way test/e2e/world.ts does it, without vitest.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runScript, type ProcessHandle } from '../test/e2e/botProcess.js';
import { startDiscordStandin, type DiscordStandin, type GuildHandle, type InteractionHandle } from '../test/standins/discord/index.js';
import { startSpeechStandin, type SpeechStandin, type SpeechStandinOptions } from '../test/standins/speech/index.js';
import { startVoiceStandin, type VoiceStandin, type VoiceStandinOptions } from '../test/standins/voice/index.js';

/** What to start. */
export interface BotUnderTestOptions {
  speech?: SpeechStandinOptions;
  voice?: VoiceStandinOptions;
  /** Guilds created before the bot connects (default 1), each with text channels general and chat and voice channel Lounge. */
  guilds?: number;
  /** Members of each guild (default alice, bob, carol, dave); the last one owns the guild. */
  members?: string[];
  /** Extra bot environment. */
  env?: Record<string, string>;
  /** More voice channels in each guild besides Lounge. */
  extraVoiceChannels?: string[];
  /** Another entry script than scripts/start.ts (e.g. bench/soakBot.ts), with an IPC channel and extra Node flags. */
  script?: { path: string; nodeArgs?: string[] };
}

/** A running bot with its stand-ins. */
export interface BotUnderTest {
  speech: SpeechStandin;
  discord: DiscordStandin;
  voice: VoiceStandin;
  guilds: GuildHandle[];
  bot: ProcessHandle;
  /** The environment the bot runs with. */
  env: Record<string, string>;
  /** Process id of the bot (node running scripts/start.ts). */
  readonly pid: number;
  /** Puts a member in guild `g`'s Lounge (or out of voice with null). */
  join(g: GuildHandle, member: string, channel?: string | null): void;
  /** Runs a slash command as a member, from the guild's general channel. */
  command(g: GuildHandle, member: string, command: string, options?: Record<string, string | number | boolean>, subcommand?: string, extra?: { callbackDelayMs?: number }): InteractionHandle;
  /** Stops the bot and starts it again with extra environment (commands stay registered, same data directory). */
  restart(env?: Record<string, string>): Promise<void>;
  close(): Promise<void>;
}

/** Default member names. */
export const BENCH_MEMBERS = ['alice', 'bob', 'carol', 'dave'];

/** Starts the stand-ins and guilds, registers the commands globally and starts the bot; resolves once it is ready. */
export async function startBotUnderTest(options: BotUnderTestOptions = {}): Promise<BotUnderTest> {
  const speech = await startSpeechStandin(options.speech ?? {});
  const voice = await startVoiceStandin(options.voice ?? {});
  const discord = await startDiscordStandin({
    voiceEndpoint: (grant) => {
      // The voice stand-in needs each token's channel for the call's DAVE group, as Discord's voice server knows it.
      voice.grant(grant);
      return voice.endpoint;
    },
  });
  const members = options.members ?? BENCH_MEMBERS;
  const guilds: GuildHandle[] = [];
  for (let i = 0; i < (options.guilds ?? 1); i++) {
    guilds.push(
      discord.addGuild({
        name: `Bench ${i + 1}`,
        ownerUsername: members.at(-1)!,
        channels: [
          { name: 'general', type: 'text' },
          { name: 'chat', type: 'text' },
          { name: 'Lounge', type: 'voice' },
          ...(options.extraVoiceChannels ?? []).map((name) => ({ name, type: 'voice' as const })),
        ],
        members: members.map((username) => ({ username, globalName: username[0]!.toUpperCase() + username.slice(1) })),
      }),
    );
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'speech-bot-bench-'));
  const baseEnv = standinEnv({ discord, speech, voice, dataDir });
  const env = { ...baseEnv, ...options.env };
  const closeStandins = async () => {
    await discord.close();
    await voice.close();
    await speech.close();
    await rm(dataDir, { recursive: true, force: true });
  };

  const launch = async (withEnv: Record<string, string>): Promise<ProcessHandle> => {
    const bot = options.script
      ? runScript(options.script.path, withEnv, { ipc: true, nodeArgs: options.script.nodeArgs ?? [] })
      : runScript('scripts/start.ts', withEnv);
    try {
      await bot.waitForLine(/connected to Discord/, 30_000);
      await discord.waitForReady(30_000);
    } catch (err) {
      await bot.stop();
      throw err;
    }
    return bot;
  };

  let bot: ProcessHandle;
  try {
    // Global commands (no DISCORD_DEV_GUILD_ID), so every guild has them.
    const deploy = runScript('scripts/deploy-commands.ts', env);
    const code = await deploy.exited;
    if (code !== 0) throw new Error(`deploy-commands failed (${code}):\n${deploy.output.join('\n')}`);
    bot = await launch(env);
  } catch (err) {
    await closeStandins();
    throw err;
  }

  const under: BotUnderTest = {
    speech,
    discord,
    voice,
    guilds,
    bot,
    env,
    get pid() {
      return under.bot.proc.pid!;
    },
    join(g, member, channel = 'Lounge') {
      discord.setVoiceState(g.id, g.member(member).id, channel === null ? null : g.channel(channel).id);
    },
    command(g, member, command, opts = {}, subcommand, extra = {}) {
      return discord.interact({
        guildId: g.id,
        channelId: g.channel('general').id,
        userId: g.member(member).id,
        command,
        options: opts,
        ...(subcommand ? { subcommand } : {}),
        ...extra,
      });
    },
    async restart(extra = {}) {
      await under.bot.stop();
      under.env = { ...env, ...extra };
      under.bot = await launch(under.env);
    },
    async close() {
      const running = under.bot;
      const crashed = running.proc.exitCode !== null ? running.proc.exitCode : null;
      await running.stop();
      await closeStandins();
      if (crashed !== null) {
        throw new Error(`the bot exited on its own (code ${crashed}) during the benchmark:\n${running.output.slice(-40).join('\n')}`);
      }
    },
  };
  return under;
}

/** Writes a progress line to stderr, prefixed with the benchmark's name. */
export function progress(bench: string, message: string): void {
  process.stderr.write(`  [${bench}] ${message}\n`);
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` every `everyMs` until it returns a value other than undefined; rejects after `timeoutMs`. */
export async function pollUntil<T>(check: () => T | undefined, timeoutMs: number, what: string, everyMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** The bot's environment pointing at the stand-ins (Discord REST and gateway, speech, voice TLS) with its data in `dataDir`. */
export function standinEnv(s: {
  discord: { token: string; applicationId: string; apiBase: string };
  speech: { baseUrl: string; apiKey: string };
  voice: { caFile: string };
  dataDir: string;
}): Record<string, string> {
  return {
    DISCORD_TOKEN: s.discord.token,
    DISCORD_APPLICATION_ID: s.discord.applicationId,
    DISCORD_API_URL: s.discord.apiBase,
    TTS_BASE_URL: s.speech.baseUrl,
    TTS_API_KEY: s.speech.apiKey,
    DATA_DIR: s.dataDir,
    LOG_LEVEL: 'info',
    NODE_EXTRA_CA_CERTS: s.voice.caFile,
  };
}
