import { describe, expect, it } from 'vitest';
import { commandDefinitions } from '../../../commands/index.js';
import { loadCatalogs } from '../../../src/i18n/catalog.js';
import { createTranslator } from '../../../src/i18n/translator.js';

const translator = createTranslator(loadCatalogs());
import { INVITE_PERMISSIONS, commandDrift, inviteUrl } from '../../../src/discord/newcomerHelp.js';

describe('newcomer help', () => {
  it('the invite asks for exactly what the bot uses: 70368747424832, with the bot and applications.commands scopes', () => {
    expect(INVITE_PERMISSIONS).toBe(70368747424832n);
    expect(inviteUrl('123456789012345678')).toBe(
      'https://discord.com/oauth2/authorize?client_id=123456789012345678&scope=bot+applications.commands&permissions=70368747424832',
    );
  });

  it('registered commands as Discord returns them (ids, versions, defaults added) match the definitions', () => {
    const local = commandDefinitions(translator);
    const registered = local.map((d, i) => ({
      ...JSON.parse(JSON.stringify(d)),
      id: String(1000 + i),
      application_id: '1',
      version: '1',
      nsfw: false,
      dm_permission: true,
      ...(d.default_member_permissions ? { default_member_permissions: String(d.default_member_permissions) } : {}),
    }));
    expect(commandDrift(local, registered)).toEqual([]);
  });

  it('names what is missing, changed or left over', () => {
    const local = commandDefinitions(translator);
    const registered: Array<Record<string, unknown>> = local.map((d) => JSON.parse(JSON.stringify(d)));
    const speak = registered.findIndex((r) => r.name === 'speak');
    registered[speak] = { ...registered[speak], description: 'an older description' };
    const withoutQueue = registered.filter((r) => r.name !== 'queue');
    withoutQueue.push({ name: 'oldcommand', description: 'gone', type: 1 });
    expect(commandDrift(local, withoutQueue).sort()).toEqual(['oldcommand (registered but no longer a command)', 'queue (not registered)', 'speak (changed)']);
  });
});
