import { isBotError } from '../src/errors.js';
import { messageFor } from '../src/messages.js';
import type { EntryOutcome } from '../src/voice/GuildPlayback.js';

/** Said on a reply whose audio came from the cache. */
export const CACHE_NOTE = 'from the cache: no characters spent';

/** How a queued item's reply reads once it is over. */
export function outcomeText(outcome: EntryOutcome, channelId: string, label: string, started: boolean): string {
  switch (outcome.status) {
    case 'spoken':
      return `✅ Spoke in <#${channelId}>: “${label}”`;
    case 'skipped':
      return `⏭️ Skipped: “${label}”`;
    case 'cancelled': {
      const why = {
        stopped: 'the queue was stopped',
        disconnected: 'I was disconnected from the voice channel',
        moved: 'I was moved to another channel',
        left: 'I left the voice channel',
        idle: 'I left the voice channel',
        alone: 'everyone left the voice channel',
        restarting: 'I’m restarting. Send it again in a minute',
        e2ee_required: 'Discord refused my voice connection: it requires end-to-end encryption (DAVE) there',
        voice_rate_limited: 'Discord is rate-limiting my voice connections. Try again in a minute',
        call_ended: 'Discord ended the call',
        removed: 'I was removed from the server',
        channel_deleted: 'the voice channel was deleted',
        no_permission: 'I lost the permission to speak in that channel',
      }[outcome.reason];
      return `⏹️ ${started ? 'Cut short' : 'Not spoken'}: ${why}.`;
    }
    case 'failed':
      return `⚠️ ${started ? 'Cut short' : 'Not spoken'}. ${isBotError(outcome.error) ? messageFor(outcome.error.key, outcome.error.details) : messageFor('internal')}`;
  }
}
