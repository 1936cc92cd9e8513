import type { CommandRegistry } from './commandRegistry.js';
import type { Gateway } from './gateway.js';
import type { GuildState } from './guildState.js';
import type { InteractionService } from './interactions.js';
import type { MessageService } from './messageService.js';
import type { MessageStore } from './messageStore.js';
import type { SentPayloadLog } from './sentPayloads.js';
import type { SnowflakeFactory } from './snowflakes.js';

/** Everything REST route handlers work with. */
export interface RouteContext {
  token: string;
  applicationId: string;
  /** Privileged intents the app has enabled in the (simulated) developer portal. */
  allowedPrivilegedIntents: number;
  ids: SnowflakeFactory;
  state: GuildState;
  registry: CommandRegistry;
  store: MessageStore;
  messages: MessageService;
  interactions: InteractionService;
  gateway: Gateway;
  /** Every message payload the bot sends. */
  sent: SentPayloadLog;
  /** http://127.0.0.1:PORT */
  origin(): string;
  /** ws://127.0.0.1:PORT/gateway */
  gatewayUrl(): string;
  /** GET /gateway/bot `shards`. */
  recommendedShards(): number;
}
