import { describe, expect, it } from 'vitest';
import { defuseMentions } from '../../../src/messages.js';
import { messageFor } from '../../support/errorWords.js';

describe('messages never carry a mention taken from what a member typed', () => {
  // Found by the property tests: `/speak model:<@123…>` came back as "Unknown model “<@123…>”", a live mention.
  it('an unknown model typed as a mention is echoed defused', () => {
    const text = messageFor('input.invalid', { reason: 'Unknown model “<@123456789012345678>”. Choose one of: tts-1.' });
    expect(text).not.toMatch(/<@\d/);
    expect(text).toContain('<@\u200B123456789012345678>');
  });

  it.each(['@everyone', '@here', '<@!1>', '<@&1>', 'a@here.com'])('%s is shown as typed, with a zero-width space after the @', (typed) => {
    const defused = defuseMentions(typed);
    expect(defused.replaceAll('\u200B', '')).toBe(typed);
    expect(defused).not.toMatch(/@(everyone|here)|<@[!&]?\d/);
  });

  it('the role mention the bot writes itself stays a role mention (it is not a detail the member typed)', () => {
    expect(messageFor('announce.not_allowed', { roleId: '123456789012345678' })).toContain('<@&123456789012345678>');
  });
});
