/**
 * The encrypted call: the bot speaks DAVE v1 with the voice stand-in's gateway, and what is judged is what a
 * listening member of the call decrypts. Epoch transitions while the bot speaks, a group that already exists, a
 * move to another channel (a new group there) and an unprocessable commit (op 31) recovered from, and a proposal for a past epoch ignored.
 */
import { describe, expect, it, vi } from 'vitest';
import { durationFor, toneFor } from '../standins/speech/index.js';
import { LISTENER_USER_ID, type VoiceCall, type VoiceSession } from '../standins/voice/index.js';
import { useWorld, type World } from './world.js';

const content = (h: { message(): { content: string } | undefined }) => h.message()?.content ?? '';
const spoken = (h: { message(): { content: string } | undefined }) => /Spoke in/.test(content(h));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until the call has executed `count` transitions in all. */
async function executed(call: VoiceCall, count: number): Promise<void> {
  await vi.waitFor(
    () => expect(call.transitions.filter((t) => t.executedAt !== undefined).length).toBeGreaterThanOrEqual(count),
    { timeout: 10_000, interval: 20 },
  );
}

/** Waits until the voice privacy code the bot last logged for `call`'s channel is the one its members show. */
async function expectBotPrivacyCode(w: World, call: VoiceCall): Promise<void> {
  await vi.waitFor(
    () => {
      let code: string | undefined;
      for (const line of w.bot!.output) {
        if (!/end-to-end encrypted call|DAVE transition executed/.test(line)) continue;
        const entry = JSON.parse(line) as { channelId?: string; privacyCode?: string | null };
        if (entry.channelId === call.channelId && entry.privacyCode) code = entry.privacyCode;
      }
      expect(code).toBe(call.ear!.privacyCode);
    },
    { timeout: 10_000 },
  );
}

/** The call's story, for failure messages. */
function story(call: VoiceCall): string {
  const listeners = [...call.listeners.values()].map((l) => ({ user: l.userId, epoch: String(l.session.epoch), code: l.privacyCode, failures: l.failures }));
  const transitions = call.transitions.map((t) => ({ ...t, epoch: String(t.epoch) }));
  return JSON.stringify({ epoch: String(call.epoch), members: call.groupMembers, transitions, incidents: call.incidents, listeners });
}

/** The non-silence packets of `session` that arrived after `since`. */
const audioSince = (session: VoiceSession, since: number) => session.packets.filter((p) => !p.silence && p.at >= since);

/** What the listener heard of one item spoken from `since` on: one piece (no gap over 200 ms), its tone and length. */
function expectHeardWhole(session: VoiceSession, since: number, text: string): void {
  const pieces = session.utterances(200).filter((u) => u.endAt >= since);
  const heard = pieces.map((u) => `${u.frequency.toFixed(0)} Hz ${u.durationMs.toFixed(0)} ms`).join(', ');
  expect(pieces, `heard: ${heard}`).toHaveLength(1);
  const [item] = pieces;
  expect(Math.abs(item!.frequency - toneFor(text)) / toneFor(text)).toBeLessThan(0.03);
  const expectedMs = durationFor(text) * 1000;
  expect(Math.abs(item!.durationMs - expectedMs) / expectedMs, heard).toBeLessThan(0.05);
}

describe('the encrypted call (DAVE v1)', () => {
  let w: World;
  useWorld({}, (started) => {
    w = started;
  });
  const id = (name: string) => w.guild.member(name).id;

  it('the bot joins a call whose group already exists: it is welcomed (op 30) and its item decrypts', async () => {
    const quiet = w.voice.call(w.guild.id, w.channelId('Quiet'));
    const carol = quiet.addListener(id('carol'));
    await executed(quiet, 1);
    expect(quiet.groupMembers.sort()).toEqual([LISTENER_USER_ID, id('carol')].sort());
    const before = quiet.epoch;

    w.join('carol', 'Quiet');
    const text = 'Joining a group that was already there';
    const h = w.speak('carol', { text });
    await h.waitFor(spoken, 20_000);
    const session = w.voice.session(w.guild.id)!;
    await session.waitForQuiet(300);

    expect(session.call).toBe(quiet);
    // The bot was added by a member's commit: its first DAVE message after op 25/27 is a welcome, not a commit.
    const joined = quiet.transitions.find((t) => t.added.includes(session.userId))!;
    expect(joined.epoch).toBe(before + 1n);
    expect(joined.committer).not.toBe(session.userId);
    expect(session.daveSent.find((m) => m.op === 29 || m.op === 30)?.op).toBe(30);
    expect(session.daveErrors).toEqual([]);
    expect(audioSince(session, session.firstE2eePacketAt!).every((p) => p.e2ee === 'encrypted' && p.pcm)).toBe(true);
    expectHeardWhole(session, 0, text);
    expect(carol.privacyCode).toBe(quiet.ear!.privacyCode);
    // The bot and the members show the same voice privacy code.
    await expectBotPrivacyCode(w, quiet);
    expect(carol.failures).toEqual([]);
    expect(quiet.incidents.filter((i) => i.kind !== 'commit-refused')).toEqual([]);
  });

  it('a moderator moving the bot to another channel: a new group there, and the old group goes on without it', async () => {
    const quiet = w.voice.call(w.guild.id, w.channelId('Quiet'));
    const old = w.voice.session(w.guild.id)!;
    w.join('alice', 'Lounge');
    w.discord.moveBot(w.guild.id, w.channelId('Lounge'));
    const session = await w.voice.waitForSession(w.guild.id, 10_000, { after: old });
    await session.waitForE2ee(10_000);
    const lounge = w.voice.call(w.guild.id, w.channelId('Lounge'));
    expect(session.call).toBe(lounge);
    expect(lounge.groupId.equals(quiet.groupId)).toBe(false);
    expect(lounge.transitions[0]).toMatchObject({ epoch: 1n });
    expect(lounge.groupMembers.sort()).toEqual([LISTENER_USER_ID, session.userId].sort());
    await expectBotPrivacyCode(w, lounge);
    // The old call removed the bot (an external Remove proposal, committed by a member still there).
    await vi.waitFor(() => expect(quiet.groupMembers.sort()).toEqual([LISTENER_USER_ID, id('carol')].sort()), { timeout: 10_000 });
    expect(quiet.transitions.at(-1)!.removed).toEqual([session.userId]);

    const text = 'Hello from the Lounge after the move';
    const since = performance.timeOrigin + performance.now();
    const h = w.speak('alice', { text });
    await h.waitFor(spoken, 20_000);
    await session.waitForQuiet(300);
    expect(session.daveErrors).toEqual([]);
    expect(audioSince(session, since).every((p) => p.e2ee === 'encrypted' && p.pcm)).toBe(true);
    expectHeardWhole(session, since, text);
    w.join('carol', null);
  });

  it('members joining and leaving while the bot speaks: every frame decrypts, the item is heard to its end, no silence over 200 ms', async () => {
    const session = w.voice.session(w.guild.id)!;
    const lounge = session.call!;
    const transitionsBefore = lounge.transitions.length;
    const text = 'A long sentence that keeps going while members come and go from the call, so the group changes under it.';
    expect(durationFor(text)).toBeGreaterThan(4);
    const since = performance.timeOrigin + performance.now();
    const h = w.speak('alice', { text });
    await h.waitFor((x) => /Speaking in/.test(content(x)), 15_000);
    await session.waitForPackets(session.packets.filter((p) => p.at >= since).length + 10, 10_000);

    const bob = lounge.addListener(id('bob'));
    await executed(lounge, transitionsBefore + 1);
    const dave = lounge.addListener(id('dave'));
    await executed(lounge, transitionsBefore + 2);
    expect(bob.privacyCode, story(lounge)).toBe(lounge.ear!.privacyCode);
    expect(dave.privacyCode, story(lounge)).toBe(lounge.ear!.privacyCode);
    await expectBotPrivacyCode(w, lounge);
    await sleep(300);
    lounge.removeListener(id('bob'));
    await executed(lounge, transitionsBefore + 3);
    lounge.removeListener(id('dave'));
    await executed(lounge, transitionsBefore + 4);
    await h.waitFor(spoken, 20_000);
    await session.waitForQuiet(300);

    const during = lounge.transitions.slice(transitionsBefore);
    expect(during.map((t) => [t.added, t.removed])).toEqual([
      [[id('bob')], []],
      [[id('dave')], []],
      [[], [id('bob')]],
      [[], [id('dave')]],
    ]);
    const audio = audioSince(session, since);
    // Every transition happened while the item was being sent.
    for (const t of during) expect(t.executedAt!).toBeLessThan(audio.at(-1)!.at);
    expect(session.daveErrors).toEqual([]);
    expect(audio.every((p) => p.e2ee === 'encrypted' && p.pcm)).toBe(true);
    expectHeardWhole(session, since, text);
    expect([...bob.failures, ...dave.failures, ...lounge.ear!.failures]).toEqual([]);
  });

  it('an invalid commit (op 31): the gateway removes and re-adds the bot, and what it says next decrypts', async () => {
    const session = w.voice.session(w.guild.id)!;
    const lounge = session.call!;
    const transitionsBefore = lounge.transitions.length;
    session.corruptNext('commit');
    lounge.addListener(id('bob'));
    await vi.waitFor(() => expect(session.daveReceived.some((m) => m.op === 31)).toBe(true), { timeout: 10_000 });
    expect(lounge.incidents.filter((i) => i.kind === 'invalid-commit-welcome').map((i) => i.userId)).toEqual([session.userId]);
    // Remove + add in one commit, then the bot is welcomed again.
    await vi.waitFor(
      () => expect(lounge.transitions.slice(transitionsBefore).some((t) => t.removed.includes(session.userId) && t.added.includes(session.userId))).toBe(true),
      { timeout: 10_000 },
    );
    await executed(lounge, lounge.transitions.length);
    expect(lounge.groupMembers.sort(), story(lounge)).toEqual([LISTENER_USER_ID, id('bob'), session.userId].sort());

    const text = 'Still encrypted after the invalid commit';
    const since = performance.timeOrigin + performance.now();
    const errorsBefore = session.daveErrors.length;
    const h = w.speak('alice', { text });
    await h.waitFor(spoken, 20_000);
    await session.waitForQuiet(300);
    expect(session.daveErrors.slice(errorsBefore)).toEqual([]);
    expect(audioSince(session, since).every((p) => p.e2ee === 'encrypted' && p.pcm)).toBe(true);
    expectHeardWhole(session, since, text);
    expect(lounge.listeners.get(id('bob'))!.privacyCode).toBe(lounge.ear!.privacyCode);
  });


  it('a proposal for an epoch already past (a race around op 31) is ignored: the bot stays up and keeps speaking', async () => {
    const session = w.voice.session(w.guild.id)!;
    const lounge = session.call!;
    expect(lounge.epoch).toBeGreaterThanOrEqual(2n);
    const epoch = lounge.epoch;
    lounge.sendStaleProposal(session.userId);
    await vi.waitFor(() => expect(w.bot!.output.some((l) => l.includes('ignored a DAVE proposal for another epoch'))).toBe(true), { timeout: 10_000 });
    expect(lounge.epoch).toBe(epoch);

    const text = 'Still here after a stale proposal';
    const since = performance.timeOrigin + performance.now();
    const h = w.speak('alice', { text });
    await h.waitFor(spoken, 20_000);
    await session.waitForQuiet(300);
    expect(w.voice.session(w.guild.id)).toBe(session);
    expect(session.daveErrors).toEqual([]);
    expect(audioSince(session, since).every((p) => p.e2ee === 'encrypted' && p.pcm)).toBe(true);
    expectHeardWhole(session, since, text);
  });
});
