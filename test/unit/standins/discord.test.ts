import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AttachmentBuilder,
  Client,
  DiscordAPIError,
  Events,
  GatewayIntentBits,
  MessageFlags,
  REST,
  Routes,
  type ChatInputCommandInteraction,
  type Interaction,
  type MessageContextMenuCommandInteraction,
  type VoiceState,
} from 'discord.js';
import { startDiscordStandin, type DiscordStandin, type GuildHandle } from '../../standins/discord/index.js';

const COMMANDS = [
  {
    name: 'speak',
    description: 'Say something in your voice channel',
    options: [
      { type: 3, name: 'text', description: 'What to say', required: true, max_length: 500 },
      { type: 3, name: 'voice', description: 'Which voice', choices: [{ name: 'Alloy', value: 'alloy' }, { name: 'Nova', value: 'nova' }] },
      { type: 4, name: 'speed', description: 'Speed in percent', min_value: 50, max_value: 200 },
    ],
  },
  { name: 'Read aloud', type: 3 },
];

/** Waits for the next interaction of the client that matches `pred`. */
function nextInteraction<T extends Interaction>(client: Client, pred: (i: Interaction) => boolean = () => true): Promise<T> {
  return new Promise((resolve) => {
    const listener = (interaction: Interaction) => {
      if (!pred(interaction)) return;
      client.off(Events.InteractionCreate, listener);
      resolve(interaction as T);
    };
    client.on(Events.InteractionCreate, listener);
  });
}

async function login(discord: DiscordStandin, intents: number[]): Promise<Client> {
  const client = new Client({ intents, rest: { api: discord.apiBase } });
  const ready = once(client, Events.ClientReady);
  await client.login(discord.token);
  await ready;
  return client;
}

describe('Discord stand-in driven by a real discord.js client', () => {
  let discord: DiscordStandin;
  let guild: GuildHandle;
  let client: Client;
  let general: string;
  let lounge: string;
  let alice: string;
  let bob: string;

  beforeAll(async () => {
    discord = await startDiscordStandin({ voiceEndpoint: () => '127.0.0.1:43210', botUsername: 'speech-bot' });
    guild = discord.addGuild({
      name: 'Test Guild',
      ownerUsername: 'alice',
      roles: [{ name: 'DJ', permissions: 0n }],
      channels: [
        { name: 'general', type: 'text' },
        { name: 'Lounge', type: 'voice', userLimit: 10 },
        { name: 'Stage', type: 'voice' },
      ],
      members: [{ username: 'alice', globalName: 'Alice' }, { username: 'bob', roles: ['DJ'] }],
    });
    general = guild.channel('general').id;
    lounge = guild.channel('Lounge').id;
    alice = guild.member('alice').id;
    bob = guild.member('bob').id;
    discord.setVoiceState(guild.id, alice, lounge);
    client = await login(discord, [GatewayIntentBits.Guilds, GatewayIntentBits.GuildVoiceStates]);
    await discord.waitForReady();
    await new REST({ api: discord.apiBase })
      .setToken(discord.token)
      .put(Routes.applicationGuildCommands(discord.applicationId, guild.id), { body: COMMANDS });
  });

  afterAll(async () => {
    await client?.destroy();
    await discord?.close();
  });

  it('logs in and caches the guild with its channels, members and voice states', () => {
    const cached = client.guilds.cache.get(guild.id);
    expect(client.user?.id).toBe(discord.botUser.id);
    expect(client.application?.id).toBe(discord.applicationId);
    expect(cached?.name).toBe('Test Guild');
    expect(cached?.ownerId).toBe(alice);
    expect(cached?.channels.cache.get(general)?.type).toBe(0);
    expect(cached?.channels.cache.get(lounge)?.type).toBe(2);
    expect(cached?.voiceStates.cache.get(alice)?.channelId).toBe(lounge);
    // Without GUILD_PRESENCES, GUILD_CREATE lists only the bot and members in voice.
    expect(cached?.members.cache.has(discord.botUser.id)).toBe(true);
    expect(cached?.members.cache.get(alice)?.user.globalName).toBe('Alice');
    expect(cached?.members.cache.has(bob)).toBe(false);
    expect(cached?.memberCount).toBe(3);
    expect(cached?.roles.everyone.id).toBe(guild.id);
    expect(discord.identifies.at(-1)?.intents).toBe(GatewayIntentBits.Guilds | GatewayIntentBits.GuildVoiceStates);
  });

  it('stores commands with ids that survive a bulk overwrite, and rejects invalid ones like Discord', async () => {
    const rest = new REST({ api: discord.apiBase }).setToken(discord.token);
    const route = Routes.applicationGuildCommands(discord.applicationId, guild.id);
    const first = discord.commands(guild.id).map((c) => c.id);
    const again = (await rest.put(route, { body: COMMANDS })) as Array<{ id: string; name: string; type: number }>;
    expect(again.map((c) => c.id)).toEqual(first);
    expect(again.map((c) => [c.name, c.type])).toEqual([['speak', 1], ['Read aloud', 3]]);

    const invalid = [
      { name: 'Bad Name', description: 'x' },
      {
        name: 'ok',
        description: '',
        options: [
          { type: 3, name: 'a', description: 'a' },
          { type: 3, name: 'b', description: 'b', required: true },
        ],
      },
    ];
    const error = await rest.put(route, { body: invalid }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DiscordAPIError);
    const apiError = error as DiscordAPIError;
    expect([apiError.status, apiError.code]).toEqual([400, 50035]);
    const tree = (apiError.rawError as { errors: any }).errors;
    expect(tree['0'].name._errors[0].code).toBe('APPLICATION_COMMAND_INVALID_NAME');
    expect(tree['1'].description._errors[0].code).toBe('BASE_TYPE_BAD_LENGTH');
    expect(tree['1'].options['1']._errors[0].code).toBe('APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID');
    expect(discord.commands(guild.id).map((c) => c.id)).toEqual(first);

    const unauthorized = await new REST({ api: discord.apiBase }).setToken('wrong').get(Routes.user()).catch((e: unknown) => e);
    expect([(unauthorized as DiscordAPIError).status, (unauthorized as DiscordAPIError).code]).toEqual([401, 0]);
  });

  it('builds interactions only from registered definitions', () => {
    const base = { guildId: guild.id, channelId: general, userId: alice };
    expect(() => discord.interact({ ...base, command: 'nope' })).toThrow(/not registered/);
    expect(() => discord.interact({ ...base, command: 'speak', options: { text: 'x', pitch: 3 } })).toThrow(/no option 'pitch'/);
    expect(() => discord.interact({ ...base, command: 'speak', options: { text: 'x', voice: 'echo' } })).toThrow(/must be one of/);
    expect(() => discord.interact({ ...base, command: 'speak', options: { text: 'x', speed: 300 } })).toThrow(/≤ 200/);
    expect(() => discord.interact({ ...base, command: 'speak', options: { speed: 100 } })).toThrow(/needs option 'text'/);
  });

  it('delivers a slash command; deferReply + editReply with a file shows up on the handle', async () => {
    const received = nextInteraction<ChatInputCommandInteraction>(client);
    const handle = discord.interact({ guildId: guild.id, channelId: general, userId: bob, command: 'speak', options: { text: 'hello there', voice: 'nova', speed: 120 } });
    const interaction = await received;
    expect(interaction.isChatInputCommand()).toBe(true);
    expect(interaction.commandName).toBe('speak');
    expect(interaction.options.getString('text')).toBe('hello there');
    expect(interaction.options.getString('voice')).toBe('nova');
    expect(interaction.options.getInteger('speed')).toBe(120);
    expect(interaction.user.id).toBe(bob);
    expect(interaction.attachmentSizeLimit).toBe(10 * 1024 * 1024);
    expect(interaction.appPermissions.has('AttachFiles')).toBe(true);

    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    expect(handle.message()?.flags).toBe(MessageFlags.Ephemeral | MessageFlags.Loading);
    const audio = Buffer.from('OggS fake audio bytes');
    await interaction.editReply({ content: 'Here you go', files: [new AttachmentBuilder(audio, { name: 'speech.ogg' })] });

    const message = handle.message();
    expect(message?.content).toBe('Here you go');
    expect(message?.attachments.map((a) => a.name)).toEqual(['speech.ogg']);
    expect(message?.attachments[0]?.data.equals(audio)).toBe(true);
    expect(message?.flags).toBe(MessageFlags.Ephemeral);
    expect(handle.ephemeral).toBe(true);
    expect(handle.events.map((e) => [e.kind, e.type, e.status])).toEqual([['callback', 5, 204], ['edit', undefined, 200]]);
    expect(handle.events[1]?.files[0]?.data.equals(audio)).toBe(true);
    // Ephemeral responses never appear in the channel.
    expect(discord.channelMessages(general)).toEqual([]);
  });

  it('answers a second initial response with 40060 and a late one with 10062', async () => {
    let received = nextInteraction<ChatInputCommandInteraction>(client);
    const twice = discord.interact({ guildId: guild.id, channelId: general, userId: alice, command: 'speak', options: { text: 'a' } });
    let interaction = await received;
    const results = await Promise.allSettled([interaction.reply('first'), interaction.reply('second')]);
    const rejected = results.filter((r) => r.status === 'rejected').map((r) => (r.reason as DiscordAPIError).code);
    expect(rejected).toEqual([40060]);
    expect(twice.events.map((e) => e.status).sort()).toEqual([204, 400]);
    expect(twice.message()?.content).toBe('first');
    // A public reply is a real channel message by the bot, sent through the application's webhook.
    const posted = discord.channelMessages(general).at(-1);
    expect([posted?.authorId, posted?.content, posted?.interactionId]).toEqual([discord.botUser.id, 'first', twice.id]);

    received = nextInteraction<ChatInputCommandInteraction>(client);
    const late = discord.interact({ guildId: guild.id, channelId: general, userId: alice, command: 'speak', options: { text: 'b' }, ackDeadlineMs: 150 });
    interaction = await received;
    const early = await client.rest.patch(Routes.webhookMessage(discord.applicationId, late.token, '@original'), { body: { content: 'x' }, auth: false }).catch((e: unknown) => e);
    expect((early as DiscordAPIError).code).toBe(10015);
    await sleep(300);
    const error = await interaction.reply('too late').catch((e: unknown) => e);
    expect((error as DiscordAPIError).code).toBe(10062);
    expect((error as DiscordAPIError).status).toBe(404);
    expect(late.acknowledged).toBe(false);
  });

  it('enforces content length and the attachment size limit, and answers with_response', async () => {
    const received = nextInteraction<ChatInputCommandInteraction>(client);
    const handle = discord.interact({ guildId: guild.id, channelId: general, userId: alice, command: 'speak', options: { text: 'c' }, attachmentSizeLimit: 1000 });
    const interaction = await received;
    expect(interaction.attachmentSizeLimit).toBe(1000);
    const tooLong = await interaction.reply({ content: 'x'.repeat(2001) }).catch((e: unknown) => e);
    expect((tooLong as DiscordAPIError).code).toBe(50035);
    interaction.replied = false;
    const tooBig = await interaction.reply({ files: [new AttachmentBuilder(Buffer.alloc(2000), { name: 'big.bin' })] }).catch((e: unknown) => e);
    expect([(tooBig as DiscordAPIError).status, (tooBig as DiscordAPIError).code]).toEqual([413, 40005]);
    interaction.replied = false;
    const response = await interaction.reply({ content: 'ok', flags: MessageFlags.SuppressNotifications, withResponse: true });
    expect(response.resource?.message?.content).toBe('ok');
    expect(handle.events.map((e) => e.status)).toEqual([400, 413, 200]);
    expect(handle.events[2]?.flags).toBe(MessageFlags.SuppressNotifications);
  });

  it('delivers message context-menu commands with the full target message', async () => {
    const target = discord.postMessage({ channelId: general, authorId: bob, content: 'please read me' });
    const received = nextInteraction<MessageContextMenuCommandInteraction>(client);
    discord.messageCommand({ guildId: guild.id, channelId: general, userId: alice, command: 'Read aloud', targetMessageId: target.id });
    const interaction = await received;
    expect(interaction.isMessageContextMenuCommand()).toBe(true);
    expect(interaction.targetMessage.content).toBe('please read me');
    expect(interaction.targetMessage.author.id).toBe(bob);
  });

  it('dispatches member voice changes into guild.voiceStates', async () => {
    const cached = client.guilds.cache.get(guild.id)!;
    const joined = once(client, Events.VoiceStateUpdate) as Promise<[VoiceState, VoiceState]>;
    discord.setVoiceState(guild.id, bob, lounge);
    const [, joinedState] = await joined;
    expect(joinedState.id).toBe(bob);
    expect(cached.voiceStates.cache.get(bob)?.channelId).toBe(lounge);
    expect(cached.members.cache.get(bob)?.user.username).toBe('bob');
    const left = once(client, Events.VoiceStateUpdate);
    discord.setVoiceState(guild.id, bob, null);
    await left;
    expect(cached.voiceStates.cache.get(bob)?.channelId).toBeNull();
  });

  it('answers op 4 with VOICE_STATE_UPDATE and VOICE_SERVER_UPDATE, and models moves and disconnects', async () => {
    const cached = client.guilds.cache.get(guild.id)!;
    const serverUpdates: Array<{ token: string; endpoint: string; guild_id: string }> = [];
    const onRaw = (packet: { t?: string; d?: any }) => {
      if (packet.t === 'VOICE_SERVER_UPDATE') serverUpdates.push(packet.d);
    };
    client.on(Events.Raw, onRaw);
    cached.shard.send({ op: 4, d: { guild_id: guild.id, channel_id: lounge, self_mute: false, self_deaf: true } });
    await discord.waitForBotVoice(guild.id, lounge);
    await discord.waitUntil(() => (serverUpdates.length === 1 && cached.members.me?.voice.channelId === lounge ? true : undefined));
    expect(serverUpdates[0]).toMatchObject({ guild_id: guild.id, endpoint: '127.0.0.1:43210' });
    expect(cached.members.me?.voice.selfDeaf).toBe(true);
    expect(cached.members.me?.voice.sessionId).toBe(discord.identifies.at(-1)?.sessionId);
    expect(discord.currentVoiceGrant(guild.id)?.token).toBe(serverUpdates[0]?.token);
    expect(discord.botVoiceOps.map((op) => [op.channelId, op.selfDeaf, op.outcome])).toEqual([[lounge, true, 'joined']]);

    const stage = guild.channel('Stage').id;
    discord.moveBot(guild.id, stage);
    await discord.waitUntil(() => (serverUpdates.length === 2 && cached.members.me?.voice.channelId === stage ? true : undefined));
    expect(serverUpdates[1]?.token).not.toBe(serverUpdates[0]?.token);

    discord.disconnectBot(guild.id);
    await discord.waitUntil(() => (cached.members.me?.voice.channelId === null ? true : undefined));
    expect(discord.botVoiceChannel(guild.id)).toBeNull();
    client.off(Events.Raw, onRaw);
  });

  it('serves a new client after the old one is destroyed, with the bot voice state cleared and content gating', async () => {
    client.guilds.cache.get(guild.id)!.shard.send({ op: 4, d: { guild_id: guild.id, channel_id: lounge, self_mute: false, self_deaf: false } });
    await discord.waitForBotVoice(guild.id, lounge);
    await client.destroy();
    await discord.waitUntil(() => (!discord.connected ? true : undefined));

    client = await login(discord, [GatewayIntentBits.Guilds, GatewayIntentBits.GuildVoiceStates, GatewayIntentBits.GuildMessages]);
    await discord.waitForReady();
    const cached = client.guilds.cache.get(guild.id)!;
    expect(discord.identifies).toHaveLength(2);
    expect(discord.botVoiceChannel(guild.id)).toBeNull();
    expect(cached.voiceStates.cache.has(discord.botUser.id)).toBe(false);
    expect(cached.voiceStates.cache.get(alice)?.channelId).toBe(lounge);

    // Without MESSAGE_CONTENT the bot sees content only when mentioned.
    const plain = once(client, Events.MessageCreate);
    discord.postMessage({ channelId: general, authorId: alice, content: 'secret' });
    expect((await plain)[0].content).toBe('');
    const mention = once(client, Events.MessageCreate);
    discord.postMessage({ channelId: general, authorId: alice, content: `<@${discord.botUser.id}> hi` });
    expect((await mention)[0].content).toBe(`<@${discord.botUser.id}> hi`);

    // op 7 Reconnect: the client reconnects and resumes (op 6 → replayed dispatches, RESUMED); no new Identify.
    const shardResume = once(client, Events.ShardResume);
    discord.requestReconnect();
    await shardResume;
    expect(discord.identifies).toHaveLength(2);
    expect(discord.resumeAttempts.at(-1)).toMatchObject({ accepted: true });

    // A dispatch sent while the socket is cut is replayed on resume.
    const replayed = once(client, Events.MessageCreate);
    discord.cutGateway();
    discord.postMessage({ channelId: general, authorId: alice, content: `<@${discord.botUser.id}> while away` });
    expect((await replayed)[0].content).toBe(`<@${discord.botUser.id}> while away`);
    expect(discord.resumeAttempts.at(-1)).toMatchObject({ accepted: true, replayed: 1 });

    // op 9 with d=false: the session is gone, so the client identifies again (after discord.js's 5 s identify
    // throttle) and keeps working.
    const shardReady = once(client, Events.ShardReady);
    discord.invalidateSession(false);
    await shardReady;
    expect(discord.identifies).toHaveLength(3);
    expect(discord.connected).toBe(true);
    expect(discord.unhandled).toEqual([]);
  });
});
