import { Routes, type REST, type RESTPostAPIApplicationCommandsJSONBody } from 'discord.js';
import { resolve } from 'node:path';
import type { Logger } from '../observability/logger.js';
import { ACTION_NEEDS } from './botPermissions.js';

/** The permission integer of the invite: everything the bot’s actions need (speak, post, react, voice messages), nothing more. */
export const INVITE_PERMISSIONS: bigint = Object.values(ACTION_NEEDS)
  .flat()
  .reduce((all, bit) => all | bit, 0n);

/** The invite URL with the scopes the bot needs (bot, applications.commands) and its permission integer. */
export function inviteUrl(applicationId: string): string {
  return `https://discord.com/oauth2/authorize?client_id=${applicationId}&scope=bot+applications.commands&permissions=${INVITE_PERMISSIONS}`;
}

/** Drops what says nothing (undefined, null, false, empty lists) so a definition compares with Discord's copy. */
function meaningful(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(meaningful);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined || v === null || v === false || (Array.isArray(v) && v.length === 0)) continue;
      out[k] = meaningful(v);
    }
    return out;
  }
  return value;
}

/** True when every field the definition sets is in Discord's copy with the same value (Discord adds ids and defaults). */
function covers(registered: unknown, local: unknown): boolean {
  if (Array.isArray(local)) return Array.isArray(registered) && registered.length === local.length && local.every((l, i) => covers(registered[i], l));
  if (local && typeof local === 'object') {
    if (!registered || typeof registered !== 'object') return false;
    return Object.entries(local).every(([k, v]) => covers((registered as Record<string, unknown>)[k], v));
  }
  // Discord sends permission bitfields as strings.
  return String(registered) === String(local);
}

/** What differs between the bot's command definitions and those registered with Discord (names), or [] when they match. */
export function commandDrift(local: readonly RESTPostAPIApplicationCommandsJSONBody[], registered: readonly unknown[]): string[] {
  const byName = new Map(registered.map((r) => [(r as { name: string }).name, meaningful(r)]));
  const drift: string[] = [];
  for (const def of local) {
    const theirs = byName.get(def.name);
    if (theirs === undefined) drift.push(`${def.name} (not registered)`);
    else if (!covers(theirs, meaningful(def))) drift.push(`${def.name} (changed)`);
    byName.delete(def.name);
  }
  for (const name of byName.keys()) drift.push(`${name} (registered but no longer a command)`);
  return drift;
}

/**
 * Logs, once at start, what a newcomer needs: the invite URL, whether the registered commands match the bot's
 * definitions (and what fixes it), and where the data lives. Never fails the start.
 */
export async function logNewcomerHelp(deps: {
  rest: REST;
  applicationId: string;
  devGuildId: string | undefined;
  definitions: readonly RESTPostAPIApplicationCommandsJSONBody[];
  dataDir: string;
  logger: Logger;
}): Promise<void> {
  const log = deps.logger.child({ module: 'setup' });
  log.info({ url: inviteUrl(deps.applicationId), permissions: String(INVITE_PERMISSIONS) }, 'invite the bot with this URL (scopes bot and applications.commands)');
  log.info({ dataDir: resolve(deps.dataDir) }, 'data (settings database, audio cache) lives here: back this directory up');
  const where = deps.devGuildId ? `guild ${deps.devGuildId}` : 'global';
  try {
    const route = deps.devGuildId ? Routes.applicationGuildCommands(deps.applicationId, deps.devGuildId) : Routes.applicationCommands(deps.applicationId);
    // Localizations are compared too: a changed translation is drift that deploy-commands fixes.
    const registered = (await deps.rest.get(route, { query: new URLSearchParams({ with_localizations: 'true' }) })) as unknown[];
    const drift = commandDrift(deps.definitions, registered);
    if (drift.length === 0) log.info({ where, commands: deps.definitions.length }, 'registered commands match the bot');
    else log.warn({ where, drift }, 'registered commands differ from the bot: run `npm run deploy-commands` to fix');
  } catch (err) {
    log.warn({ where, err: (err as Error).message }, 'could not compare the registered commands');
  }
}
