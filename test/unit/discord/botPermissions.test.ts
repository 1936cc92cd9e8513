import { PermissionFlagsBits as P } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { channelPermissions, missingPermission, type PermissionOverwrite, type PermissionSubject } from '../../../src/discord/botPermissions.js';

const GUILD = '100';
const BOT = '200';
const DJ = '300';
const MUTED = '301';
const NOW = Date.UTC(2026, 11, 7);

const EVERYONE_DEFAULT = P.ViewChannel | P.SendMessages | P.ReadMessageHistory | P.AddReactions | P.AttachFiles | P.Connect | P.Speak;

function subject(over: Partial<PermissionSubject> = {}): PermissionSubject {
  return {
    guildId: GUILD,
    ownerId: '999',
    userId: BOT,
    roleIds: [DJ],
    rolePermissions: new Map([[GUILD, EVERYONE_DEFAULT], [DJ, 0n], [MUTED, 0n]]),
    overwrites: [],
    now: NOW,
    ...over,
  };
}
const role = (id: string, allow: bigint, deny: bigint): PermissionOverwrite => ({ id, type: 0, allow, deny });
const member = (allow: bigint, deny: bigint): PermissionOverwrite => ({ id: BOT, type: 1, allow, deny });
const has = (permissions: bigint, bit: bigint) => (permissions & bit) === bit;

describe('the bot’s permissions in a channel (Discord’s documented computation)', () => {
  it('@everyone’s guild permissions apply with no overwrites', () => {
    const p = channelPermissions(subject());
    expect(has(p, P.Speak)).toBe(true);
    expect(has(p, P.ManageChannels)).toBe(false);
  });

  it('a role adds to @everyone at guild level', () => {
    const p = channelPermissions(subject({ rolePermissions: new Map([[GUILD, P.ViewChannel], [DJ, P.Connect | P.Speak]]) }));
    expect(missingPermission('speak', p)).toBeNull();
  });

  it('an @everyone overwrite denies, a role overwrite allows back', () => {
    expect(missingPermission('speak', channelPermissions(subject({ overwrites: [role(GUILD, 0n, P.Speak)] })))).toBe('Speak');
    expect(missingPermission('speak', channelPermissions(subject({ overwrites: [role(GUILD, 0n, P.Speak), role(DJ, P.Speak, 0n)] })))).toBeNull();
  });

  it('role overwrites are combined: an allow from one role beats a deny from another, whatever their order', () => {
    const roles = { roleIds: [DJ, MUTED] };
    expect(missingPermission('speak', channelPermissions(subject({ ...roles, overwrites: [role(MUTED, 0n, P.Speak), role(DJ, P.Speak, 0n)] })))).toBeNull();
    expect(missingPermission('speak', channelPermissions(subject({ ...roles, overwrites: [role(DJ, P.Speak, 0n), role(MUTED, 0n, P.Speak)] })))).toBeNull();
  });

  it('an overwrite for a role the bot does not have changes nothing', () => {
    expect(missingPermission('speak', channelPermissions(subject({ roleIds: [], overwrites: [role(MUTED, 0n, P.Speak)] })))).toBeNull();
  });

  it('the member overwrite comes last: it denies over a role allow, and allows over an @everyone deny', () => {
    expect(missingPermission('speak', channelPermissions(subject({ overwrites: [role(DJ, P.Speak, 0n), member(0n, P.Speak)] })))).toBe('Speak');
    expect(missingPermission('speak', channelPermissions(subject({ overwrites: [role(GUILD, 0n, P.Connect), member(P.Connect, 0n)] })))).toBeNull();
  });

  it('Administrator (from any role) and ownership bypass every overwrite', () => {
    const denied = [role(GUILD, 0n, P.ViewChannel | P.Connect | P.Speak), member(0n, P.Speak)];
    const admin = subject({ rolePermissions: new Map([[GUILD, 0n], [DJ, P.Administrator]]), overwrites: denied });
    expect(missingPermission('speak', channelPermissions(admin))).toBeNull();
    expect(missingPermission('speak', channelPermissions(subject({ ownerId: BOT, rolePermissions: new Map(), overwrites: denied })))).toBeNull();
  });

  it('without View Channel nothing else counts: View Channel is the one named', () => {
    const p = channelPermissions(subject({ overwrites: [role(GUILD, 0n, P.ViewChannel)] }));
    expect(p).toBe(0n);
    for (const action of ['speak', 'post', 'react'] as const) expect(missingPermission(action, p)).toBe('View Channel');
  });

  it('without Send Messages, Attach Files and Embed Links are denied too (implicit)', () => {
    const p = channelPermissions(subject({ overwrites: [role(GUILD, P.AttachFiles | P.EmbedLinks, P.SendMessages)] }));
    expect(has(p, P.AttachFiles)).toBe(false);
    expect(has(p, P.EmbedLinks)).toBe(false);
    expect(missingPermission('post', p)).toBe('Send Messages');
  });

  it('a timed-out bot keeps only View Channel and Read Message History; a past timeout changes nothing', () => {
    const p = channelPermissions(subject({ timedOutUntil: NOW + 60_000 }));
    expect(p).toBe(P.ViewChannel | P.ReadMessageHistory);
    expect(missingPermission('speak', p)).toBe('Connect');
    expect(missingPermission('speak', channelPermissions(subject({ timedOutUntil: NOW - 1 })))).toBeNull();
  });

  it('names what each action needs, first missing first', () => {
    expect(missingPermission('speak', P.ViewChannel)).toBe('Connect');
    expect(missingPermission('speak', P.ViewChannel | P.Connect)).toBe('Speak');
    expect(missingPermission('post', P.ViewChannel | P.Connect | P.Speak)).toBe('Send Messages');
    expect(missingPermission('react', P.ViewChannel | P.AddReactions)).toBe('Read Message History');
    expect(missingPermission('react', P.ViewChannel | P.ReadMessageHistory)).toBe('Add Reactions');
    expect(missingPermission('react', EVERYONE_DEFAULT)).toBeNull();
    const post = P.ViewChannel | P.SendMessages;
    expect(missingPermission('voice_message', post)).toBe('Attach Files');
    expect(missingPermission('voice_message', post | P.AttachFiles)).toBe('Send Voice Messages');
    expect(missingPermission('voice_message', post | P.AttachFiles | P.SendVoiceMessages)).toBeNull();
  });

  it('a voice message needs Send Voice Messages in that channel; without Send Messages, Attach Files goes too', () => {
    const denied = channelPermissions(subject({ overwrites: [role(GUILD, 0n, P.SendVoiceMessages)] }));
    expect(missingPermission('voice_message', denied | P.AttachFiles)).toBe('Send Voice Messages');
    const mute = channelPermissions(subject({ overwrites: [role(GUILD, 0n, P.SendMessages)] }));
    expect(missingPermission('voice_message', mute)).toBe('Send Messages');
  });
});
