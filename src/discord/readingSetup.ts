import { ApplicationFlags } from 'discord.js';
import type { Config, ReadingCase } from '../config.js';
import type { Logger } from '../observability/logger.js';

/** The application flags that allow the Message Content intent (approved for 100+ servers, or the portal switch below that). */
const MESSAGE_CONTENT_FLAGS = ApplicationFlags.GatewayMessageContent | ApplicationFlags.GatewayMessageContentLimited;

/** Raised when READING_ENABLED=true but the Developer Portal does not allow the intent; its message is the one line to show. */
export class ReadingSetupError extends Error {
  constructor(applicationId: string) {
    super(
      'READING_ENABLED=true, but the Message Content intent is not switched on for this bot: in the Discord Developer Portal, ' +
        `https://discord.com/developers/applications/${applicationId}/bot, turn on "Message Content Intent" ` +
        '(Privileged Gateway Intents), or set READING_ENABLED=auto to start without reading.',
    );
    this.name = 'ReadingSetupError';
  }
}

/** Whether reading is on, from the mode and the application's flags (undefined when they could not be read). */
export function readingCase(mode: Config['reading']['mode'], flags: number | undefined): ReadingCase {
  if (mode === 'off') return 'config-off';
  if (mode === 'on') return 'config-on';
  if (flags === undefined) return 'auto-unknown';
  return (flags & MESSAGE_CONTENT_FLAGS) !== 0 ? 'auto-allowed' : 'auto-not-allowed';
}

/** The application's flags, from GET /applications/@me with the bot token (as Discord documents it). */
export async function fetchApplicationFlags(discord: Config['discord'], fetchImpl: typeof fetch = fetch): Promise<number> {
  const res = await fetchImpl(`${discord.apiUrl}/v10/applications/@me`, {
    headers: { authorization: `Bot ${discord.token}` },
    signal: AbortSignal.timeout(10_000),
  });
  if (!res.ok) throw new Error(`GET /applications/@me answered ${res.status}`);
  const body = (await res.json()) as { flags?: number };
  return body.flags ?? 0;
}

/**
 * Settles reading before the gateway is opened: with `auto` the intent is asked only when the portal allows it; with
 * `true` and the portal switch off, throws ReadingSetupError (instead of Discord closing the gateway with 4014).
 */
export async function settleReading(config: Config, logger: Logger, fetchImpl: typeof fetch = fetch): Promise<Config> {
  const mode = config.reading.mode;
  if (mode === 'off') return config;
  let flags: number | undefined;
  try {
    flags = await fetchApplicationFlags(config.discord, fetchImpl);
  } catch (err) {
    logger.warn({ err: (err as Error).message }, 'could not read the application flags');
  }
  if (mode === 'on' && flags !== undefined && (flags & MESSAGE_CONTENT_FLAGS) === 0) throw new ReadingSetupError(config.discord.applicationId);
  const which = readingCase(mode, flags);
  const enabled = which === 'config-on' || which === 'auto-allowed';
  logger.info({ mode, case: which, enabled }, enabled ? 'reading messages aloud: on' : 'reading messages aloud: off');
  return { ...config, reading: { mode, enabled, case: which } };
}
