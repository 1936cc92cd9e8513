import { REST, Routes, type RESTGetAPIGatewayBotResult } from 'discord.js';

/** What Discord says about starting this bot's shards. */
export interface GatewayAdvice {
  /** The recommended shard count. */
  shards: number;
  /** Identifies allowed per 5 s (one per `shard_id % max_concurrency`). */
  maxConcurrency: number;
  /** Session starts left today. */
  remaining: number;
}

/**
 * Asks GET /gateway/bot through the configured REST base (discord.js's ShardingManager 'auto' would ask discord.com
 * directly, past DISCORD_API_URL).
 */
export async function fetchGatewayAdvice(apiUrl: string, token: string): Promise<GatewayAdvice> {
  const rest = new REST({ api: apiUrl }).setToken(token);
  const result = (await rest.get(Routes.gatewayBot())) as RESTGetAPIGatewayBotResult;
  return {
    shards: result.shards,
    maxConcurrency: Math.max(1, result.session_start_limit.max_concurrency),
    remaining: result.session_start_limit.remaining,
  };
}
