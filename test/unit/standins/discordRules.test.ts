import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDiscordStandin, type DiscordStandin, type GuildHandle } from '../../standins/discord/index.js';
import { identify, RawGateway } from './rawGateway.js';

interface Reply {
  status: number;
  json: any;
}

/** Calls the stand-in's REST API like a bot would (JSON, or multipart when files are given). */
async function api(
  discord: DiscordStandin,
  method: string,
  path: string,
  options: { body?: unknown; files?: Array<{ name: string; data: Buffer; type?: string }>; auth?: boolean } = {},
): Promise<Reply> {
  const headers: Record<string, string> = {};
  if (options.auth !== false) headers.authorization = `Bot ${discord.token}`;
  let body: string | FormData | undefined;
  if (options.files) {
    const form = new FormData();
    options.files.forEach((f, i) => form.append(`files[${i}]`, new Blob([f.data], { type: f.type ?? 'application/octet-stream' }), f.name));
    form.append('payload_json', JSON.stringify(options.body ?? {}));
    body = form;
  } else if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  const res = await fetch(`${discord.apiBase}/v10${path}`, { method, headers, body });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

const GUILDS = 1;
const GUILD_MEMBERS = 2;
const GUILD_VOICE_STATES = 128;
const GUILD_PRESENCES = 256;
const GUILD_MESSAGES = 512;
const MESSAGE_CONTENT = 32768;
const SPEAK = { name: 'speak', description: 'Speak', options: [{ type: 3, name: 'text', description: 'Text', required: true, autocomplete: true }] };
const tinyOgg = Buffer.concat([Buffer.from('OggS'), Buffer.alloc(60)]);

describe('Discord stand-in rules', () => {
  let discord: DiscordStandin;
  let guild: GuildHandle;
  let general: string;
  let alice: string;

  beforeAll(async () => {
    // Raw sockets here identify several times a second; the 5 s identify window has its own test (discordSharding.test.ts).
    discord = await startDiscordStandin({ voiceEndpoint: () => 'voice.local:1234', interactionTokenLifetimeMs: 60_000, identifyWindowMs: 0 });
    guild = discord.addGuild({
      name: 'Rules',
      channels: [
        { name: 'general', type: 'text' },
        { name: 'readonly', type: 'text', permissionOverwrites: [{ member: 'speech-bot', deny: 1n << 11n }] },
        { name: 'Lounge', type: 'voice', userLimit: 1 },
        { name: 'Open', type: 'voice' },
        { name: 'no-voice-messages', type: 'text', permissionOverwrites: [{ member: 'speech-bot', deny: 1n << 46n }] },
      ],
      members: [{ username: 'alice' }, { username: 'bob' }],
    });
    general = guild.channel('general').id;
    alice = guild.member('alice').id;
    const put = await api(discord, 'PUT', `/applications/${discord.applicationId}/guilds/${guild.id}/commands`, { body: [SPEAK] });
    expect(put.status).toBe(200);
  });

  afterAll(async () => {
    await discord.close();
  });

  describe('command registration', () => {
    const put = (body: unknown) => api(discord, 'PUT', `/applications/${discord.applicationId}/commands`, { body });
    const codes = (reply: Reply, ...path: string[]) => {
      let node = reply.json.errors;
      for (const key of path) node = node?.[key];
      return (node?._errors ?? []).map((e: { code: string }) => e.code);
    };

    it('accepts valid chat-input and context-menu commands and keeps ids on overwrite', async () => {
      const body = [
        { name: 'voice', description: 'Voice settings', options: [
          { type: 2, name: 'set', description: 'Set', options: [{ type: 1, name: 'default', description: 'Default voice', options: [{ type: 3, name: 'name', description: 'Name', required: true }] }] },
          { type: 1, name: 'list', description: 'List voices' },
        ] },
        { name: 'héllo-wörld', description: 'Unicode names are fine' },
        { name: 'Read Aloud', type: 3 },
        { name: 'Read Aloud', type: 2 },
      ];
      const first = await put(body);
      expect(first.status).toBe(200);
      const second = await put(body);
      expect(second.json.map((c: { id: string }) => c.id)).toEqual(first.json.map((c: { id: string }) => c.id));
      expect(discord.commands().map((c) => c.name)).toEqual(['voice', 'héllo-wörld', 'Read Aloud', 'Read Aloud']);
    });

    it('rejects what Discord rejects, with 50035 error paths', async () => {
      const many = Array.from({ length: 26 }, (_, i) => ({ type: 3, name: `o${i}`, description: 'd' }));
      const reply = await put([
        { name: 'Upper', description: 'd' },
        { name: 'mixed', description: 'd', options: [{ type: 1, name: 'sub', description: 'd' }, { type: 3, name: 'x', description: 'd' }] },
        { name: 'deep', description: 'd', options: [{ type: 1, name: 'sub', description: 'd', options: [{ type: 1, name: 'inner', description: 'd' }] }] },
        { name: 'toomany', description: 'd', options: many },
        { name: 'choices', description: 'd', options: [{ type: 5, name: 'flag', description: 'd', choices: [{ name: 'a', value: 1 }] }, { type: 4, name: 'n', description: 'd', choices: [{ name: 'half', value: 0.5 }] }] },
        { name: 'bounds', description: 'd', options: [{ type: 3, name: 's', description: 'd', min_value: 1 }, { type: 4, name: 'i', description: 'd', min_length: 2 }] },
        { name: 'Menu', type: 3, description: 'not allowed' },
        { name: 'dupe', description: 'd' },
        { name: 'dupe', description: 'd' },
        { name: 'x'.repeat(33), description: 'd' },
      ]);
      expect([reply.status, reply.json.code, reply.json.message]).toEqual([400, 50035, 'Invalid Form Body']);
      expect(codes(reply, '0', 'name')).toEqual(['APPLICATION_COMMAND_INVALID_NAME']);
      expect(codes(reply, '1', 'options')).toEqual(['APPLICATION_COMMAND_OPTIONS_TYPE_INVALID']);
      expect(codes(reply, '2', 'options', '0', 'options', '0', 'type')).toEqual(['APPLICATION_COMMAND_OPTIONS_TYPE_INVALID']);
      expect(codes(reply, '3', 'options')).toEqual(['BASE_TYPE_MAX_LENGTH']);
      expect(codes(reply, '4', 'options', '0', 'choices')).toEqual(['APPLICATION_COMMAND_OPTION_CHOICES_INVALID']);
      expect(codes(reply, '4', 'options', '1', 'choices', '0', 'value')).toEqual(['NUMBER_TYPE_COERCE']);
      expect(codes(reply, '5', 'options', '0', 'min_value')).toEqual(['APPLICATION_COMMAND_OPTION_MIN_MAX_VALUE_INVALID']);
      expect(codes(reply, '5', 'options', '1', 'min_length')).toEqual(['APPLICATION_COMMAND_OPTION_MIN_MAX_LENGTH_INVALID']);
      expect(codes(reply, '6', 'description')).toHaveLength(1);
      expect(codes(reply, '8')).toEqual(['APPLICATION_COMMANDS_DUPLICATE_NAME']);
      expect(codes(reply, '9', 'name')).toEqual(['BASE_TYPE_BAD_LENGTH']);
      expect(Object.keys(reply.json.errors).sort()).toEqual(['0', '1', '2', '3', '4', '5', '6', '8', '9']);
    });

    it('checks localizations like Discord: known locale keys, name rules per locale, and names unique per level in each locale', async () => {
      const reply = await put([
        { name: 'speak', description: 'd', name_localizations: { ja: 'しゃべる', de: 'Sprechen' }, description_localizations: { xx: 'unknown locale', fr: 'é'.repeat(101) } },
        { name: 'join', description: 'd', name_localizations: { ja: 'しゃべる' }, options: [
          { type: 3, name: 'text', description: 'd', name_localizations: { de: 'text mit leerzeichen' } },
          { type: 3, name: 'voice', description: 'd', name_localizations: { ko: '목소리' } },
          { type: 3, name: 'model', description: 'd', name_localizations: { ko: '목소리' } },
        ] },
        { name: 'Read aloud', type: 3, name_localizations: { de: 'Vorlesen', ja: '読み上げる' } },
      ]);
      expect([reply.status, reply.json.code]).toEqual([400, 50035]);
      expect(codes(reply, '0', 'name_localizations', 'de')).toEqual(['APPLICATION_COMMAND_INVALID_NAME']);
      expect(codes(reply, '0', 'description_localizations', 'xx')).toEqual(['BASE_TYPE_CHOICES']);
      expect(codes(reply, '0', 'description_localizations', 'fr')).toEqual(['BASE_TYPE_BAD_LENGTH']);
      expect(codes(reply, '1', 'name_localizations', 'ja')).toEqual(['APPLICATION_COMMANDS_DUPLICATE_NAME']);
      expect(codes(reply, '1', 'options', '0', 'name_localizations', 'de')).toEqual(['APPLICATION_COMMAND_INVALID_NAME']);
      expect(codes(reply, '1', 'options', '2', 'name_localizations', 'ko')).toEqual(['APPLICATION_COMMAND_OPTIONS_DUPLICATE_NAME']);
      // Context-menu names may have capitals and spaces in every locale.
      expect(Object.keys(reply.json.errors).sort()).toEqual(['0', '1']);
    });

    it('leaves localization dictionaries out of GET unless with_localizations=true', async () => {
      const body = [{ name: 'speak', description: 'd', name_localizations: { ja: 'しゃべる' }, options: [{ type: 3, name: 'text', description: 'd', name_localizations: { ja: 'テキスト' } }] }];
      expect((await put(body)).status).toBe(200);
      const path = `/applications/${discord.applicationId}/commands`;
      const plain = await api(discord, 'GET', path);
      expect(plain.json[0].name_localizations).toBeUndefined();
      expect(plain.json[0].options[0].name_localizations).toBeUndefined();
      const full = await api(discord, 'GET', `${path}?with_localizations=true`);
      expect(full.json[0].name_localizations).toEqual({ ja: 'しゃべる' });
      expect(full.json[0].options[0].name_localizations).toEqual({ ja: 'テキスト' });
    });

    it('creates single commands with 201, then 200 for the same name, and needs the bot token', async () => {
      const path = `/applications/${discord.applicationId}/commands`;
      const created = await api(discord, 'POST', path, { body: { name: 'ping', description: 'Ping' } });
      const again = await api(discord, 'POST', path, { body: { name: 'ping', description: 'Ping again' } });
      expect([created.status, again.status]).toEqual([201, 200]);
      expect(again.json.id).toBe(created.json.id);
      const anonymous = await api(discord, 'GET', path, { auth: false });
      expect([anonymous.status, anonymous.json]).toEqual([401, { code: 0, message: '401: Unauthorized' }]);
    });
  });

  describe('interaction responses', () => {
    const speak = () => discord.interact({ guildId: guild.id, channelId: general, userId: alice, command: 'speak', options: { text: 'hi' } });
    const callback = (h: { id: string; token: string }, body: unknown, files?: Array<{ name: string; data: Buffer; type?: string }>, query = '') =>
      api(discord, 'POST', `/interactions/${h.id}/${h.token}/callback${query}`, { body, files, auth: false });
    const webhook = (h: { token: string }, method: string, suffix = '', body?: unknown, files?: Array<{ name: string; data: Buffer }>) =>
      api(discord, method, `/webhooks/${discord.applicationId}/${h.token}${suffix}`, { body, files, auth: false });

    it('defers with_response, edits, follows up, deletes, and refuses webhooks before the ack', async () => {
      const h = speak();
      expect((await webhook(h, 'PATCH', '/messages/@original', { content: 'x' })).json.code).toBe(10015);
      const deferred = await callback(h, { type: 5 }, undefined, '?with_response=true');
      expect(deferred.status).toBe(200);
      expect(deferred.json.interaction).toMatchObject({ id: h.id, type: 2, response_message_loading: true, response_message_ephemeral: false });
      expect(deferred.json.resource.type).toBe(5);
      expect(discord.channelMessages(general).at(-1)?.flags).toBe(128);
      const edited = await webhook(h, 'PATCH', '/messages/@original', { content: 'done', allowed_mentions: { parse: [] } });
      expect([edited.status, edited.json.content, edited.json.flags]).toEqual([200, 'done', 0]);
      expect(h.events.at(-1)?.allowedMentions).toEqual({ parse: [] });
      const follow = await webhook(h, 'POST', '?wait=true', { content: 'more', flags: 64 });
      expect([follow.status, follow.json.flags]).toEqual([200, 64]);
      expect(h.followups().map((m) => m.content)).toEqual(['more']);
      expect((await webhook(h, 'DELETE', '/messages/@original')).status).toBe(204);
      expect(h.message()).toBeUndefined();
      expect((await webhook(h, 'GET', '/messages/@original')).json.code).toBe(10008);
      expect(h.events.map((e) => `${e.kind}:${e.status}`)).toEqual(['edit:404', 'callback:200', 'edit:200', 'followup:200', 'delete:204']);
    });

    it('applies the voice-message rules on a type-4 response', async () => {
      const metadata = { id: '0', duration_secs: 1.5, waveform: 'AAAA' };
      const audio = { name: 'voice.ogg', data: tinyOgg, type: 'audio/ogg' };
      const h = speak();
      expect((await callback(h, { type: 4, data: { content: 'hi', flags: 8192, attachments: [metadata] } }, [audio])).json.code).toBe(50159);
      expect((await callback(h, { type: 4, data: { flags: 8192, attachments: [metadata] } }, [audio, audio])).json.code).toBe(50160);
      // Discord keeps the metadata only for a content type starting with audio/ (what @discordjs/rest sniffs for Ogg is not).
      expect((await callback(h, { type: 4, data: { flags: 8192, attachments: [metadata] } }, [{ ...audio, type: 'application/ogg' }])).json.code).toBe(50160);
      expect((await callback(h, { type: 4, data: { flags: 8192, attachments: [{ id: '0' }] } }, [audio])).json.code).toBe(50161);
      expect((await callback(h, { type: 4, data: { flags: 8192, attachments: [{ ...metadata, waveform: Buffer.alloc(257).toString('base64') }] } }, [audio])).json.code).toBe(50161);
      expect((await callback(h, { type: 4, data: { flags: 8192, attachments: [{ ...metadata, duration_secs: 0 }] } }, [audio])).json.code).toBe(50161);
      expect((await callback(h, { type: 4, data: { flags: 8192, attachments: [metadata] } }, [audio])).status).toBe(204);
      expect(h.message()?.flags).toBe(8192);
      expect((await webhook(h, 'PATCH', '/messages/@original', { content: 'edit' })).json.code).toBe(50162);
      const elsewhere = discord.interact({ guildId: guild.id, channelId: guild.channel('no-voice-messages').id, userId: alice, command: 'speak', options: { text: 'hi' } });
      expect((await callback(elsewhere, { type: 4, data: { flags: 8192, attachments: [metadata] } }, [audio])).json.code).toBe(50173);
    });

    it('a deferred response keeps only EPHEMERAL: neither its edit nor a follow-up becomes a voice message', async () => {
      const metadata = { id: '0', duration_secs: 1.5, waveform: 'AAAA' };
      const audio = { name: 'voice.ogg', data: tinyOgg, type: 'audio/ogg' };
      const h = speak();
      expect((await callback(h, { type: 5, data: { flags: 8192 | 64 } })).status).toBe(204);
      const done = await webhook(h, 'PATCH', '/messages/@original', { attachments: [metadata], flags: 8192 }, [audio]);
      expect([done.status, done.json.flags]).toEqual([200, 64]);
      const follow = await webhook(h, 'POST', '?wait=true', { attachments: [metadata], flags: 8192 }, [audio]);
      expect([follow.status, follow.json.flags]).toEqual([200, 0]);
    });

    it('Create Message takes a voice message, with Send Voice Messages only', async () => {
      const metadata = { id: '0', duration_secs: 1.5, waveform: 'AAAA' };
      const audio = { name: 'voice.ogg', data: tinyOgg, type: 'audio/ogg' };
      const post = (channelId: string, body: unknown) => api(discord, 'POST', `/channels/${channelId}/messages`, { body, files: [audio] });
      const posted = await post(general, { flags: 8192, attachments: [metadata] });
      expect([posted.status, posted.json.flags, posted.json.attachments[0].duration_secs, posted.json.attachments[0].waveform]).toEqual([200, 8192, 1.5, 'AAAA']);
      expect((await post(general, { content: 'x', flags: 8192, attachments: [metadata] })).json.code).toBe(50159);
      expect((await post(guild.channel('no-voice-messages').id, { flags: 8192, attachments: [metadata] })).json.code).toBe(50173);
      const edit = await api(discord, 'PATCH', `/channels/${general}/messages/${posted.json.id}`, { body: { content: 'x' } });
      expect(edit.json.code).toBe(50162);
    });

    it('expires webhook tokens and rejects empty messages and unknown interactions', async () => {
      const short = await startDiscordStandin({ interactionTokenLifetimeMs: 100 });
      try {
        const g = short.addGuild({ name: 'S', channels: [{ name: 'c', type: 'text' }], members: [{ username: 'u' }] });
        await api(short, 'PUT', `/applications/${short.applicationId}/guilds/${g.id}/commands`, { body: [SPEAK] });
        const h = short.interact({ guildId: g.id, channelId: 'c', userId: 'u', command: 'speak', options: { text: 't' } });
        const empty = await api(short, 'POST', `/interactions/${h.id}/${h.token}/callback`, { body: { type: 4, data: {} }, auth: false });
        expect(empty.json.code).toBe(50006);
        expect((await api(short, 'POST', `/interactions/${h.id}/${h.token}/callback`, { body: { type: 5 }, auth: false })).status).toBe(204);
        await new Promise((r) => setTimeout(r, 200));
        const expired = await api(short, 'PATCH', `/webhooks/${short.applicationId}/${h.token}/messages/@original`, { body: { content: 'late' }, auth: false });
        expect([expired.status, expired.json.code]).toEqual([401, 50027]);
        const unknown = await api(short, 'POST', `/interactions/1/nope/callback`, { body: { type: 5 }, auth: false });
        expect([unknown.status, unknown.json.code]).toEqual([404, 10062]);
        const wrongType = short.interact({ guildId: g.id, channelId: 'c', userId: 'u', command: 'speak', options: { text: 't' } });
        expect((await api(short, 'POST', `/interactions/${wrongType.id}/${wrongType.token}/callback`, { body: { type: 8, data: { choices: [] } }, auth: false })).json.code).toBe(50035);
      } finally {
        await short.close();
      }
    });

    it('lets only members holding default_member_permissions invoke a command', async () => {
      const path = `/applications/${discord.applicationId}/guilds/${guild.id}/commands`;
      await api(discord, 'POST', path, { body: { name: 'admin', description: 'Admin only', default_member_permissions: '32' } });
      expect(() => discord.interact({ guildId: guild.id, channelId: general, userId: 'bob', command: 'admin' })).toThrow(/default_member_permissions/);
      // alice owns the guild, so she holds every permission.
      const byOwner = discord.interact({ guildId: guild.id, channelId: general, userId: 'alice', command: 'admin' });
      expect(BigInt(byOwner.payload.member.permissions) & 32n).toBe(32n);
      expect(BigInt(byOwner.payload.app_permissions) & 32n).toBe(0n);
    });

    it('resolves autocomplete with the choices the bot answers', async () => {
      const choices = discord.autocomplete({ guildId: guild.id, channelId: general, userId: alice, command: 'speak', focused: 'text', options: { text: 'he' } });
      const h = discord.interactions().at(-1)!;
      expect(h.payload.type).toBe(4);
      expect(h.payload.data.options).toEqual([{ type: 3, name: 'text', value: 'he', focused: true }]);
      expect((await callback(h, { type: 8, data: { choices: [{ name: 'hello', value: 'hello' }] } })).status).toBe(204);
      expect(await choices).toEqual([{ name: 'hello', value: 'hello' }]);
    });

    it('opens a modal and builds the submission from it; updates a component message', async () => {
      const h = speak();
      const modal = {
        custom_id: 'say',
        title: 'Say something',
        components: [{ type: 1, components: [{ type: 4, custom_id: 'text', label: 'Text', style: 2, required: true }] }],
      };
      expect((await callback(h, { type: 9, data: modal })).status).toBe(204);
      expect(() => discord.submitModal(h, {})).toThrow(/required/);
      const submit = discord.submitModal(h, { text: 'from the modal' });
      expect(submit.payload.data).toEqual({ custom_id: 'say', components: [{ type: 1, components: [{ type: 4, custom_id: 'text', value: 'from the modal' }] }] });

      const posted = await api(discord, 'POST', `/channels/${general}/messages`, {
        body: { content: 'Stop?', components: [{ type: 1, components: [{ type: 2, style: 4, label: 'Stop', custom_id: 'stop' }] }] },
      });
      expect(() => discord.clickComponent({ messageId: posted.json.id, userId: alice, customId: 'nope' })).toThrow(/custom_id/);
      const click = discord.clickComponent({ messageId: posted.json.id, userId: alice, customId: 'stop' });
      expect(click.payload.data).toEqual({ custom_id: 'stop', component_type: 2 });
      expect((await callback(click, { type: 7, data: { content: 'Stopped', components: [] } })).status).toBe(204);
      expect(discord.message(posted.json.id)?.content).toBe('Stopped');
      expect(click.message()?.components).toEqual([]);
    });
  });

  describe('attachment CDN', () => {
    it('serves attachments only at the signed URL the message object carries, and logs each download', async () => {
      const ogg = Buffer.from('OggS voice bytes');
      const posted = discord.postMessage({
        channelId: general,
        authorId: 'alice',
        flags: 8192,
        attachments: [{ name: 'voice-message.ogg', contentType: 'audio/ogg', data: ogg, durationSecs: 2.5, waveform: Buffer.alloc(8, 100).toString('base64') }],
      });
      expect(posted.flags & 8192).toBe(8192);
      const fetched = await api(discord, 'GET', `/channels/${general}/messages/${posted.id}`);
      const attachment = fetched.json.attachments[0];
      expect(attachment).toMatchObject({ filename: 'voice-message.ogg', size: ogg.length, duration_secs: 2.5, content_type: 'audio/ogg' });
      expect(attachment.url).toMatch(/\/attachments\/\d+\/\d+\/voice-message\.ogg\?ex=[0-9a-f]+&is=[0-9a-f]+&hm=[0-9a-f]{64}&$/);
      const before = discord.attachmentDownloads.length;
      const ok = await fetch(attachment.url);
      expect(Buffer.from(await ok.arrayBuffer()).equals(ogg)).toBe(true);
      const unsigned = await fetch(attachment.url.split('?')[0]);
      expect([unsigned.status, await unsigned.text()]).toEqual([404, 'This content is no longer available.']);
      const forged = await fetch(attachment.url.replace(/hm=([0-9a-f])/, (_: string, c: string) => `hm=${c === '0' ? '1' : '0'}`));
      expect(forged.status).toBe(404);
      expect(discord.attachmentDownloads.slice(before).map((d) => d.status)).toEqual([200, 404, 404]);
      // Discord's voice-message rules hold for members too: metadata is required.
      expect(() => discord.postMessage({ channelId: general, authorId: 'alice', flags: 8192, attachments: [{ name: 'v.ogg', contentType: 'audio/ogg', data: ogg }] })).toThrow();
    });
  });

  describe('channel messages', () => {
    it('sends with files, serves them, enforces permissions and tracks reactions', async () => {
      const data = Buffer.from('hello file');
      const sent = await api(discord, 'POST', `/channels/${general}/messages`, {
        body: { content: `hey <@${alice}>`, attachments: [{ id: 0, description: 'a file' }] },
        files: [{ name: 'note.txt', data, type: 'text/plain' }],
      });
      expect(sent.status).toBe(200);
      expect(sent.json.mentions.map((u: { id: string }) => u.id)).toEqual([alice]);
      expect(sent.json.attachments[0]).toMatchObject({ filename: 'note.txt', size: data.length, description: 'a file' });
      const download = await fetch(sent.json.attachments[0].url);
      expect(Buffer.from(await download.arrayBuffer()).equals(data)).toBe(true);

      const readonly = guild.channel('readonly').id;
      const denied = await api(discord, 'POST', `/channels/${readonly}/messages`, { body: { content: 'x' } });
      expect([denied.status, denied.json.code]).toEqual([403, 50013]);

      const byAlice = discord.postMessage({ channelId: general, authorId: 'alice', content: 'mine' });
      expect((await api(discord, 'PATCH', `/channels/${general}/messages/${byAlice.id}`, { body: { content: 'x' } })).json.code).toBe(50005);
      expect((await api(discord, 'PUT', `/channels/${general}/messages/${byAlice.id}/reactions/${encodeURIComponent('👍')}/@me`)).status).toBe(204);
      expect((await api(discord, 'PUT', `/channels/${general}/messages/${byAlice.id}/reactions/notanemoji/@me`)).json.code).toBe(10014);
      expect(discord.reactions(general, byAlice.id)).toEqual([{ emoji: '👍', userIds: [discord.botUser.id] }]);
      expect((await api(discord, 'DELETE', `/channels/${general}/messages/${byAlice.id}`)).json.code).toBe(50013);

      const before = discord.unhandled.length;
      const missing = await api(discord, 'GET', '/guilds/1/audit-logs');
      expect(missing.status).toBe(404);
      expect(discord.unhandled.slice(before)).toEqual([{ method: 'GET', path: '/guilds/1/audit-logs', reason: 'no such route' }]);
      discord.unhandled.splice(before);
    });

    it('computes permissions as Discord documents: without Send Messages, Attach Files and Embed Links go too', () => {
      const readonly = guild.channel('readonly').id;
      const h = discord.interact({ guildId: guild.id, channelId: readonly, userId: alice, command: 'speak', options: { text: 'hi' } });
      const app = BigInt(h.payload.app_permissions);
      expect(app & (1n << 11n)).toBe(0n); // Send Messages (denied for the bot by a member overwrite)
      expect(app & (1n << 15n)).toBe(0n); // Attach Files (the bot's role has it)
      expect(app & (1n << 14n)).toBe(0n); // Embed Links (likewise)
      expect(app & (1n << 10n)).toBe(1n << 10n); // View Channel stays
    });

    it('an edit without allowed_mentions parses the new content with the defaults, whatever the message was sent with', async () => {
      const sent = await api(discord, 'POST', `/channels/${general}/messages`, { body: { content: `hey <@${alice}>`, allowed_mentions: { parse: [] } } });
      expect(sent.json.mentions).toEqual([]);
      const edited = await api(discord, 'PATCH', `/channels/${general}/messages/${sent.json.id}`, { body: { content: `hey again <@${alice}>` } });
      expect(edited.json.mentions.map((u: { id: string }) => u.id)).toEqual([alice]);
      const quiet = await api(discord, 'PATCH', `/channels/${general}/messages/${sent.json.id}`, { body: { content: `bye <@${alice}>`, allowed_mentions: { parse: [] } } });
      expect(quiet.json.mentions).toEqual([]);
    });
  });

  describe('the log of message payloads the bot sent', () => {
    it('records channel messages, interaction responses, edits and follow-ups, and names the ones that could ping', async () => {
      const from = discord.sentMessages.length;
      const none = { parse: [] };
      await api(discord, 'POST', `/channels/${general}/messages`, { body: { content: 'quiet', allowed_mentions: none } });
      await api(discord, 'POST', `/channels/${general}/messages`, { body: { content: '@everyone loud' } });
      await api(discord, 'POST', `/channels/${general}/messages`, { body: { content: 'users', allowed_mentions: { parse: [], users: [alice] } } });
      const h = discord.interact({ guildId: guild.id, channelId: general, userId: alice, command: 'speak', options: { text: 'hi' } });
      await api(discord, 'POST', `/interactions/${h.id}/${h.token}/callback`, { body: { type: 5 }, auth: false });
      await api(discord, 'PATCH', `/webhooks/${discord.applicationId}/${h.token}/messages/@original`, { body: { content: 'done', allowed_mentions: none }, auth: false });
      await api(discord, 'POST', `/webhooks/${discord.applicationId}/${h.token}`, { body: { content: 'more', flags: 64 }, auth: false });
      const h2 = discord.interact({ guildId: guild.id, channelId: general, userId: alice, command: 'speak', options: { text: 'hi' } });
      await api(discord, 'POST', `/interactions/${h2.id}/${h2.token}/callback`, { body: { type: 4, data: { content: 'now', allowed_mentions: { parse: ['roles'] } } }, auth: false });

      const log = discord.sentMessages.slice(from);
      // The deferral (type 5) carries no message and is not a message payload.
      expect(log.map((e) => [e.kind, e.status])).toEqual([
        ['channel-message', 200], ['channel-message', 200], ['channel-message', 200], ['original-edit', 200], ['followup', 204], ['interaction-response', 204],
      ]);
      expect(log[5]!.callbackType).toBe(4);
      const loud = discord.payloadsThatCouldPing().filter((e) => log.includes(e));
      expect(loud.map((e) => e.body.content)).toEqual(['@everyone loud', 'users', 'more', 'now']);
    });
  });

  describe('gateway', () => {
    it('closes with Discord close codes for bad tokens, early payloads, floods and disallowed intents', async () => {
      expect(await (await identify(discord, GUILDS, 'bad')).closed()).toBe(4004);
      const early = new RawGateway(discord.gatewayUrl);
      await early.next((p) => p.op === 10);
      early.send(4, { guild_id: guild.id, channel_id: null });
      expect(await early.closed()).toBe(4003);
      const flood = new RawGateway(discord.gatewayUrl);
      await flood.next((p) => p.op === 10);
      for (let i = 0; i < 121; i++) flood.send(1, null);
      expect(await flood.closed()).toBe(4008);
      const strict = await startDiscordStandin({ allowedPrivilegedIntents: 0 });
      try {
        expect(await (await identify(strict, GUILDS | MESSAGE_CONTENT, strict.token)).closed()).toBe(4014);
      } finally {
        await strict.close();
      }
    });

    it('refuses resumes, acks heartbeats, sends GUILD_CREATE by intent, and filters dispatches', async () => {
      const resumer = new RawGateway(discord.gatewayUrl);
      await resumer.next((p) => p.op === 10);
      resumer.send(1, null);
      await resumer.next((p) => p.op === 11);
      resumer.send(6, { token: discord.token, session_id: 'old', seq: 5 });
      expect((await resumer.next((p) => p.op === 9)).d).toBe(false);
      resumer.socket.close();

      discord.setVoiceState(guild.id, alice, 'Open');
      const gw = await identify(discord, GUILDS | GUILD_PRESENCES | GUILD_MESSAGES | MESSAGE_CONTENT);
      const ready = await gw.next((p) => p.t === 'READY');
      expect(ready.s).toBe(1);
      expect(ready.d.guilds).toEqual([{ id: guild.id, unavailable: true }]);
      const created = await gw.next((p) => p.t === 'GUILD_CREATE');
      expect(created.s).toBe(2);
      expect(created.d.members).toHaveLength(3);
      expect(created.d.voice_states).toEqual([expect.objectContaining({ user_id: alice, channel_id: guild.channel('Open').id })]);
      expect(created.d.roles.find((r: { id: string }) => r.id === guild.id)?.name).toBe('@everyone');

      // No GUILD_VOICE_STATES intent: no VOICE_STATE_UPDATE; messages arrive with content.
      discord.setVoiceState(guild.id, alice, null);
      discord.postMessage({ channelId: general, authorId: alice, content: 'visible' });
      await gw.next((p) => p.t === 'MESSAGE_CREATE' && p.d.content === 'visible');
      expect(gw.dispatches('VOICE_STATE_UPDATE')).toEqual([]);

      const later = discord.addGuild({ name: 'Later', channels: [], members: [] });
      const joined = await gw.next((p) => p.t === 'GUILD_CREATE' && p.d.id === later.id);
      expect(joined.d.members.map((m: { user: { id: string } }) => m.user.id)).toContain(discord.botUser.id);
      gw.socket.close();
    });

    it('answers op 4 like Discord: joins, mute-only updates, rejoins, full channels', async () => {
      const gw = await identify(discord, GUILDS | GUILD_VOICE_STATES | GUILD_MEMBERS);
      await gw.next((p) => p.t === 'GUILD_CREATE' && p.d.id === guild.id);
      const open = guild.channel('Open').id;
      const lounge = guild.channel('Lounge').id;
      const op4 = (channel_id: string | null, self_mute = false) => gw.send(4, { guild_id: guild.id, channel_id, self_mute, self_deaf: false });
      const opsBefore = discord.botVoiceOps.length;

      op4(open);
      await gw.next((p) => p.t === 'VOICE_SERVER_UPDATE');
      op4(open, true);
      await discord.waitUntil(() => (discord.botVoiceOps.length === opsBefore + 2 ? true : undefined));
      op4(open, true);
      await discord.waitUntil(() => (gw.dispatches('VOICE_SERVER_UPDATE').length === 2 ? true : undefined));
      discord.setVoiceState(guild.id, 'bob', lounge);
      op4(lounge);
      op4(null);
      await gw.next((p) => p.t === 'VOICE_STATE_UPDATE' && p.d.user_id === discord.botUser.id && p.d.channel_id === null);
      expect(discord.botVoiceOps.slice(opsBefore).map((o) => o.outcome)).toEqual(['joined', 'updated', 'rejoined', 'denied-full', 'left']);

      const servers = gw.dispatches('VOICE_SERVER_UPDATE');
      expect(servers.map((s) => s.endpoint)).toEqual(['voice.local:1234', 'voice.local:1234']);
      expect(servers[0].token).not.toBe(servers[1].token);
      const botStates = gw.dispatches('VOICE_STATE_UPDATE').filter((s) => s.user_id === discord.botUser.id);
      expect(botStates.map((s) => [s.channel_id, s.self_mute])).toEqual([[open, false], [open, true], [open, true], [null, false]]);
      expect(botStates[0].member.user.id).toBe(discord.botUser.id);

      discord.addMember(guild.id, { username: 'carol' });
      await gw.next((p) => p.t === 'GUILD_MEMBER_ADD' && p.d.user.username === 'carol');
      gw.socket.close();
    });
  });
});
