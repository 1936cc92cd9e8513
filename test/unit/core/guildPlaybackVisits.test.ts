import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/observability/logger.js';
import { GuildPlayback, type EntryOutcome, type QueueJob } from '../../../src/voice/GuildPlayback.js';
import { FakePreparer, FakeVoiceLink, ManualClock, settle } from './playbackFakes.js';

function setup(fakes: { autoJoin?: boolean } = {}) {
  const link = new FakeVoiceLink({ autoJoin: fakes.autoJoin ?? true });
  const prep = new FakePreparer<string>();
  const playback = new GuildPlayback<string>(
    'guild-1',
    link,
    prep.prepare,
    { maxQueue: 10, maxPerMember: 2, idleTimeoutMs: 60_000, prefetch: 1 },
    new ManualClock(),
    createLogger('silent'),
  );
  const ends: Array<[string, EntryOutcome['status']]> = [];
  const job = (request: string, opts: Partial<QueueJob<string>> = {}): QueueJob<string> => ({
    request,
    channelId: 'home',
    requester: { id: 'member-1', name: 'Member' },
    label: request,
    onEnd: (outcome) => ends.push([request, outcome.status]),
    ...opts,
  });
  /** Resolves every fetch asked for so far and plays the current item out. */
  const playCurrent = async () => {
    for (const call of prep.calls) if (!call.settled) call.resolve();
    await settle();
    const handle = link.plays.at(-1)!;
    const packets = await handle.playOut();
    await settle(10);
    return packets[0]!.split('#')[0]!;
  };
  return { link, prep, playback, ends, job, playCurrent };
}

describe('GuildPlayback: announcements', () => {
  it('go ahead of waiting items, in the order they came, without cutting the current one', async () => {
    const { playback, job, playCurrent } = setup();
    playback.enqueue(job('a'));
    playback.enqueue(job('b'));
    playback.enqueue(job('c', { requester: { id: 'member-2', name: 'Other' } }));
    await settle();
    const first = playback.enqueue(job('ann-1', { priority: 'announcement' }));
    const second = playback.enqueue(job('ann-2', { priority: 'announcement' }));
    expect([first.position, second.position]).toEqual([2, 3]);
    const heard: string[] = [];
    for (let i = 0; i < 5; i++) heard.push(await playCurrent());
    expect(heard).toEqual(['a', 'ann-1', 'ann-2', 'b', 'c']);
  });

  it('do not count against the member limit', async () => {
    const { playback, job } = setup();
    playback.enqueue(job('a'));
    playback.enqueue(job('b'));
    expect(() => playback.enqueue(job('c'))).toThrow(/queue.full_member|limit/);
    expect(() => playback.enqueue(job('ann', { priority: 'announcement' }))).not.toThrow();
  });
});

describe('GuildPlayback: visits to another channel', () => {
  it('finishes the current item, goes to the other channel, says it, and comes back for the rest', async () => {
    const { link, playback, job, playCurrent, ends } = setup();
    playback.enqueue(job('a'));
    playback.enqueue(job('b'));
    await settle();
    playback.enqueue(job('notice', { channelId: 'other', visit: true, priority: 'announcement' }));
    expect(playback.channelId).toBe('home');
    expect(await playCurrent()).toBe('a');
    expect(link.joins.map((j) => j.channelId)).toEqual(['home', 'other']);
    expect(playback.connectedChannelId).toBe('other');
    expect(playback.visiting).toBe(true);
    // Where the queue lives does not change during the visit.
    expect(playback.channelId).toBe('home');
    expect(await playCurrent()).toBe('notice');
    expect(link.joins.map((j) => j.channelId)).toEqual(['home', 'other', 'home']);
    expect(await playCurrent()).toBe('b');
    expect(ends.map(([r, s]) => `${r}:${s}`)).toEqual(['a:spoken', 'notice:spoken', 'b:spoken']);
    expect(playback.visiting).toBe(false);
    expect(playback.state.status).toBe('connected');
  });

  it('comes back even when nothing else is waiting', async () => {
    const { link, playback, job, playCurrent } = setup();
    await playback.join('home');
    playback.enqueue(job('notice', { channelId: 'other', visit: true }));
    await settle();
    expect(await playCurrent()).toBe('notice');
    expect(link.joins.map((j) => j.channelId)).toEqual(['home', 'other', 'home']);
    expect(playback.state).toEqual({ status: 'connected', channelId: 'home' });
  });

  it('takes new items for its own channel during the visit and plays them after coming back', async () => {
    const { link, playback, job, playCurrent } = setup();
    await playback.join('home');
    playback.enqueue(job('notice', { channelId: 'other', visit: true }));
    await settle();
    expect(playback.connectedChannelId).toBe('other');
    expect(() => playback.enqueue(job('later'))).not.toThrow();
    expect(await playCurrent()).toBe('notice');
    expect(await playCurrent()).toBe('later');
    expect(link.joins.map((j) => j.channelId)).toEqual(['home', 'other', 'home']);
  });

  it('leaves after a visit when it was not in voice before', async () => {
    const { link, playback, job, playCurrent } = setup();
    playback.enqueue(job('notice', { channelId: 'other', visit: true }));
    await settle();
    expect(playback.connectedChannelId).toBe('other');
    expect(await playCurrent()).toBe('notice');
    expect(playback.state.status).toBe('idle');
    expect(link.destroyCount).toBe(1);
  });

  it('a member queueing during a visit from nowhere makes that channel home: the bot goes there after', async () => {
    const { link, playback, job, playCurrent } = setup();
    playback.enqueue(job('notice', { channelId: 'other', visit: true }));
    await settle();
    playback.enqueue(job('hello', { channelId: 'home' }));
    expect(playback.channelId).toBe('home');
    expect(await playCurrent()).toBe('notice');
    expect(await playCurrent()).toBe('hello');
    expect(link.joins.map((j) => j.channelId)).toEqual(['other', 'home']);
  });

  it('when the other channel cannot be joined, the visit fails and the queue goes on at home', async () => {
    const { link, playback, job, playCurrent, ends } = setup({ autoJoin: false });
    playback.enqueue(job('a'));
    link.joins[0]!.resolve();
    await settle();
    playback.enqueue(job('notice', { channelId: 'other', visit: true, priority: 'announcement' }));
    playback.enqueue(job('b'));
    expect(await playCurrent()).toBe('a');
    expect(link.joins.map((j) => j.channelId)).toEqual(['home', 'other']);
    link.joins[1]!.reject(new Error('no permission'));
    await settle(10);
    expect(ends.find(([r]) => r === 'notice')?.[1]).toBe('failed');
    expect(link.joins.map((j) => j.channelId)).toEqual(['home', 'other', 'home']);
    link.joins[2]!.resolve();
    await settle(10);
    expect(await playCurrent()).toBe('b');
  });

  it('a moderator moving the bot during a visit makes the new channel home and drops what was queued', async () => {
    const { playback, job, ends } = setup();
    await playback.join('home');
    playback.enqueue(job('notice', { channelId: 'other', visit: true }));
    playback.enqueue(job('b'));
    await settle();
    playback.handleBotVoiceState('third');
    expect(playback.channelId).toBe('third');
    expect(playback.visiting).toBe(false);
    expect(ends.map(([r, s]) => `${r}:${s}`).sort()).toEqual(['b:cancelled', 'notice:cancelled']);
  });
});
