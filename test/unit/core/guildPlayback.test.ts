import { describe, expect, it } from 'vitest';
import { BotError } from '../../../src/errors.js';
import { createLogger } from '../../../src/observability/logger.js';
import { SpeechError } from '../../../src/speech/speechErrors.js';
import { GuildPlayback, type EntryOutcome, type PlaybackOptions, type PlaybackState, type QueueJob } from '../../../src/voice/GuildPlayback.js';
import { FakePreparer, FakeVoiceLink, ManualClock, settle } from './playbackFakes.js';

const IDLE_MS = 60_000;

function setup(options: Partial<PlaybackOptions> = {}, fakes: { autoJoin?: boolean; honourAbort?: boolean } = {}) {
  const link = new FakeVoiceLink({ autoJoin: fakes.autoJoin ?? true });
  const prep = new FakePreparer<string>({ honourAbort: fakes.honourAbort ?? true });
  const clock = new ManualClock();
  const playback = new GuildPlayback<string>(
    'guild-1',
    link,
    prep.prepare,
    { maxQueue: 10, maxPerMember: 5, idleTimeoutMs: IDLE_MS, prefetch: 1, ...options },
    clock,
    createLogger('silent'),
  );
  const starts: string[] = [];
  const ends: Array<[string, EntryOutcome]> = [];
  const states: Array<PlaybackState['status']> = [];
  playback.on('stateChange', (_prev: PlaybackState, next: PlaybackState) => states.push(next.status));
  const job = (request: string, opts: { channelId?: string; member?: string } = {}): QueueJob<string> => ({
    request,
    channelId: opts.channelId ?? 'chan-1',
    requester: { id: opts.member ?? 'member-1', name: `Name ${opts.member ?? 'member-1'}` },
    label: `label ${request}`,
    onStart: () => starts.push(request),
    onEnd: (outcome) => ends.push([request, outcome]),
  });
  const outcomeOf = (request: string) => ends.find(([r]) => r === request)?.[1];
  /** Enqueues each request (same channel and member unless told) and lets the join settle. */
  const enqueue = async (...requests: string[]) => {
    const results = requests.map((r) => playback.enqueue(job(r)));
    await settle();
    return results;
  };
  return { link, prep, clock, playback, starts, ends, states, job, outcomeOf, enqueue };
}

describe('GuildPlayback: order and prefetch', () => {
  it('plays items in queue order even when the second is ready before the first', async () => {
    const { link, prep, playback, starts, outcomeOf, enqueue } = setup();
    await enqueue('a', 'b');
    expect(link.joins.map((j) => j.channelId)).toEqual(['chan-1']);
    prep.call('b').resolve();
    await settle();
    expect(link.plays).toHaveLength(0);
    expect(playback.state.status).toBe('buffering');
    expect(playback.snapshot().current?.label).toBe('label a');

    prep.call('a').resolve();
    await settle();
    expect(link.plays).toHaveLength(1);
    expect(playback.state.status).toBe('playing');
    expect(starts).toEqual(['a']);
    expect(await link.plays[0]!.playOut()).toEqual(['a#1', 'a#2']);
    await settle();
    expect(outcomeOf('a')).toEqual({ status: 'spoken' });

    expect(link.plays).toHaveLength(2);
    expect(starts).toEqual(['a', 'b']);
    expect(await link.plays[1]!.playOut()).toEqual(['b#1', 'b#2']);
    await settle();
    expect(outcomeOf('b')).toEqual({ status: 'spoken' });
    expect(playback.state).toEqual({ status: 'connected', channelId: 'chan-1' });
  });

  it('fetches the second item while the first plays (prefetch 1) but not the third', async () => {
    const { link, prep, enqueue } = setup({ prefetch: 1 });
    await enqueue('a', 'b', 'c');
    expect(prep.requested).toEqual(['a', 'b']);
    prep.call('a').resolve();
    await settle();
    expect(link.plays).toHaveLength(1);
    expect(prep.requested).toEqual(['a', 'b']);
    // The third is fetched once the second becomes the current item.
    link.plays[0]!.end();
    await settle();
    expect(prep.requested).toEqual(['a', 'b', 'c']);
  });

  it('with prefetch 0 fetches only the item about to play', async () => {
    const { link, prep, enqueue } = setup({ prefetch: 0 });
    await enqueue('a', 'b');
    expect(prep.requested).toEqual(['a']);
    prep.call('a').resolve();
    await settle();
    expect(link.plays).toHaveLength(1);
    expect(prep.requested).toEqual(['a']);
    link.plays[0]!.end();
    await settle();
    expect(prep.requested).toEqual(['a', 'b']);
  });

  it('passes the job request to the preparer and the prepared packets to the link', async () => {
    const { link, prep, enqueue } = setup();
    await enqueue('hello');
    expect(prep.calls[0]?.request).toBe('hello');
    expect(prep.calls[0]?.signal.aborted).toBe(false);
    prep.call('hello').resolve();
    await settle();
    expect(await link.plays[0]!.playOut()).toEqual(['hello#1', 'hello#2']);
  });

  it('returns ids and 1-based positions counting the current item', async () => {
    const { prep, playback, enqueue, job } = setup();
    const results = await enqueue('a', 'b', 'c');
    expect(results).toEqual([
      { id: 1, position: 1 },
      { id: 2, position: 2 },
      { id: 3, position: 3 },
    ]);
    prep.call('a').resolve();
    await settle();
    expect(playback.enqueue(job('d'))).toEqual({ id: 4, position: 4 });
  });
});

describe('GuildPlayback: outcomes', () => {
  it('a failed fetch fails that item with its error and moves on to the next', async () => {
    const { link, prep, starts, outcomeOf, enqueue, playback } = setup();
    await enqueue('a', 'b');
    const error = new SpeechError('speech.unavailable', { retryable: true, status: 503 });
    prep.call('a').reject(error);
    await settle();
    expect(outcomeOf('a')).toEqual({ status: 'failed', error });
    expect((outcomeOf('a') as { error: unknown }).error).toBe(error);
    expect(starts).toEqual([]);
    expect(link.plays).toHaveLength(0);
    expect(playback.snapshot().current?.label).toBe('label b');
    prep.call('b').resolve();
    await settle();
    expect(starts).toEqual(['b']);
    expect(link.plays).toHaveLength(1);
  });

  it('a stream that fails while playing fails the item and moves on', async () => {
    const { link, prep, outcomeOf, enqueue } = setup();
    await enqueue('a', 'b');
    prep.call('a').resolve();
    prep.call('b').resolve();
    await settle();
    const error = new Error('opus stream broke');
    link.plays[0]!.fail(error);
    await settle();
    expect(outcomeOf('a')).toEqual({ status: 'failed', error });
    expect(link.plays).toHaveLength(2);
  });

  it('skip while playing stops the handle, reports skipped and plays the next', async () => {
    const { link, prep, playback, outcomeOf, enqueue, starts } = setup();
    await enqueue('a', 'b');
    prep.call('a').resolve();
    prep.call('b').resolve();
    await settle();
    expect(playback.skip()).toBe(true);
    expect(link.plays[0]!.stopped).toBe(true);
    await settle();
    expect(outcomeOf('a')).toEqual({ status: 'skipped' });
    expect(starts).toEqual(['a', 'b']);
    expect(playback.state.status).toBe('playing');
    expect(link.plays).toHaveLength(2);
    // b is not marked skipped by a's skip.
    link.plays[1]!.end();
    await settle();
    expect(outcomeOf('b')).toEqual({ status: 'spoken' });
  });

  it('skip while buffering aborts the fetch, reports skipped and moves on', async () => {
    const { link, prep, playback, outcomeOf, enqueue, starts } = setup();
    await enqueue('a', 'b');
    expect(playback.state.status).toBe('buffering');
    expect(playback.skip()).toBe(true);
    expect(prep.call('a').signal.aborted).toBe(true);
    expect(prep.call('b').signal.aborted).toBe(false);
    await settle();
    expect(outcomeOf('a')).toEqual({ status: 'skipped' });
    expect(starts).toEqual([]);
    prep.call('b').resolve();
    await settle();
    expect(starts).toEqual(['b']);
    expect(await link.plays[0]!.playOut()).toEqual(['b#1', 'b#2']);
  });

  it('skip while buffering does not play the item even if its audio still arrives', async () => {
    const { link, prep, playback, outcomeOf, enqueue, starts } = setup({}, { honourAbort: false });
    await enqueue('a');
    expect(playback.skip()).toBe(true);
    prep.call('a').resolve();
    await settle();
    expect(link.plays).toHaveLength(0);
    expect(starts).toEqual([]);
    expect(outcomeOf('a')).toEqual({ status: 'skipped' });
    expect(playback.state).toEqual({ status: 'connected', channelId: 'chan-1' });
  });

  it('skip with nothing playing returns false', async () => {
    const { playback } = setup();
    expect(playback.skip()).toBe(false);
    await playback.join('chan-1');
    expect(playback.skip()).toBe(false);
  });

  it('skip while paused ends the item as skipped', async () => {
    const { link, prep, playback, outcomeOf, enqueue } = setup();
    await enqueue('a');
    prep.call('a').resolve();
    await settle();
    expect(playback.pause()).toBe(true);
    expect(playback.skip()).toBe(true);
    await settle();
    expect(link.plays[0]!.stopped).toBe(true);
    expect(outcomeOf('a')).toEqual({ status: 'skipped' });
    expect(playback.state).toEqual({ status: 'connected', channelId: 'chan-1' });
  });

  it('calls onEnd once per item and emits entryEnd', async () => {
    const { link, prep, playback, ends, enqueue } = setup();
    const emitted: EntryOutcome[] = [];
    playback.on('entryEnd', (_entry: unknown, outcome: EntryOutcome) => emitted.push(outcome));
    await enqueue('a', 'b');
    prep.call('a').resolve();
    await settle();
    playback.stop();
    link.plays[0]!.end();
    await settle();
    expect(ends).toEqual([
      ['b', { status: 'cancelled', reason: 'stopped' }],
      ['a', { status: 'cancelled', reason: 'stopped' }],
    ]);
    expect(emitted).toHaveLength(2);
  });

  it('an onEnd listener that throws does not break the queue', async () => {
    const { link, prep, playback, job, starts } = setup();
    playback.enqueue({ ...job('a'), onEnd: () => { throw new Error('listener bug'); } });
    playback.enqueue(job('b'));
    await settle();
    prep.call('a').reject(new Error('fetch failed'));
    prep.call('b').resolve();
    await settle();
    expect(starts).toEqual(['b']);
    expect(link.plays).toHaveLength(1);
  });
});

describe('GuildPlayback: stop, pause, resume, remove', () => {
  it('stop() cancels the current and pending items, stays connected and plays what comes next', async () => {
    const { link, prep, playback, outcomeOf, enqueue, job, starts } = setup();
    await enqueue('a', 'b', 'c');
    prep.call('a').resolve();
    await settle();
    expect(playback.stop()).toBe(3);
    expect(link.plays[0]!.stopped).toBe(true);
    for (const r of ['a', 'b', 'c']) expect(outcomeOf(r)).toEqual({ status: 'cancelled', reason: 'stopped' });
    expect(prep.call('b').signal.aborted).toBe(true);
    expect(playback.state).toEqual({ status: 'connected', channelId: 'chan-1' });
    expect(playback.snapshot().pending).toEqual([]);
    expect(link.destroyCount).toBe(0);
    await settle();

    playback.enqueue(job('d'));
    await settle();
    prep.call('d').resolve();
    await settle();
    expect(link.joins).toHaveLength(1);
    expect(starts).toEqual(['a', 'd']);
    expect(await link.plays[1]!.playOut()).toEqual(['d#1', 'd#2']);
  });

  it('stop() while buffering aborts the fetch and stays connected', async () => {
    const { link, prep, playback, outcomeOf, enqueue } = setup();
    await enqueue('a');
    expect(playback.stop()).toBe(1);
    expect(prep.call('a').signal.aborted).toBe(true);
    await settle();
    expect(outcomeOf('a')).toEqual({ status: 'cancelled', reason: 'stopped' });
    expect(link.plays).toHaveLength(0);
    expect(playback.state).toEqual({ status: 'connected', channelId: 'chan-1' });
  });

  it('stop() with nothing queued returns 0', async () => {
    const { playback } = setup();
    await playback.join('chan-1');
    expect(playback.stop()).toBe(0);
    expect(playback.state).toEqual({ status: 'connected', channelId: 'chan-1' });
  });

  it('pause and resume move between playing and paused', async () => {
    const { link, prep, playback, enqueue, outcomeOf } = setup();
    expect(playback.pause()).toBe(false);
    await enqueue('a');
    expect(playback.pause()).toBe(false); // buffering
    prep.call('a').resolve();
    await settle();
    expect(playback.resume()).toBe(false);
    expect(playback.pause()).toBe(true);
    expect(playback.state.status).toBe('paused');
    expect(link.plays[0]!.paused).toBe(true);
    expect(playback.pause()).toBe(false);
    expect(playback.resume()).toBe(true);
    expect(playback.state.status).toBe('playing');
    expect(link.plays[0]!.paused).toBe(false);
    expect(playback.resume()).toBe(false);
    link.plays[0]!.end();
    await settle();
    expect(outcomeOf('a')).toEqual({ status: 'spoken' });
  });

  it('pause() is false and the state unchanged when the player refuses', async () => {
    const { link, prep, playback, enqueue } = setup();
    await enqueue('a');
    prep.call('a').resolve();
    await settle();
    link.plays[0]!.paused = true; // the player considers itself paused already
    expect(playback.pause()).toBe(false);
    expect(playback.state.status).toBe('playing');
  });

  it('remove() cancels a pending item and fetches the next one in its place', async () => {
    const { prep, playback, outcomeOf, enqueue, link, starts } = setup();
    const [, b] = await enqueue('a', 'b', 'c');
    prep.call('a').resolve();
    await settle();
    expect(prep.requested).toEqual(['a', 'b']);
    expect(playback.remove(b!.id)).toBe(true);
    expect(outcomeOf('b')).toEqual({ status: 'cancelled', reason: 'stopped' });
    expect(prep.call('b').signal.aborted).toBe(true);
    expect(prep.requested).toEqual(['a', 'b', 'c']);
    expect(playback.remove(b!.id)).toBe(false);
    expect(playback.remove(1)).toBe(false); // the current item is not removable
    prep.call('c').resolve();
    link.plays[0]!.end();
    await settle();
    expect(starts).toEqual(['a', 'c']);
  });
});

describe('GuildPlayback: limits', () => {
  it('refuses a member beyond maxPerMember with queue.full_member, counting the current item', async () => {
    const { prep, playback, job, link } = setup({ maxQueue: 10, maxPerMember: 2 });
    playback.enqueue(job('a', { member: 'm1' }));
    playback.enqueue(job('b', { member: 'm1' }));
    await settle();
    const attempt = () => playback.enqueue(job('c', { member: 'm1' }));
    expect(attempt).toThrow(BotError);
    try {
      attempt();
    } catch (err) {
      expect((err as BotError).key).toBe('queue.full_member');
      expect((err as BotError).details).toEqual({ limit: 2 });
    }
    // Another member is not affected.
    expect(playback.enqueue(job('d', { member: 'm2' })).position).toBe(3);
    // a is now playing (current) and still counts for m1.
    prep.call('a').resolve();
    await settle();
    expect(playback.state.status).toBe('playing');
    expect(attempt).toThrow(expect.objectContaining({ key: 'queue.full_member' }));
    // Once a is done, m1 has room for one more.
    link.plays[0]!.end();
    await settle();
    expect(playback.enqueue(job('e', { member: 'm1' })).position).toBe(3);
    expect(prep.requested).not.toContain('c');
  });

  it('refuses beyond maxQueue with queue.full_guild, counting the current item', async () => {
    const { prep, playback, job } = setup({ maxQueue: 3, maxPerMember: 10 });
    for (const r of ['a', 'b', 'c']) playback.enqueue(job(r, { member: r }));
    await settle();
    prep.call('a').resolve();
    await settle();
    expect(playback.state.status).toBe('playing');
    let thrown: unknown;
    try {
      playback.enqueue(job('d', { member: 'd' }));
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(BotError);
    expect((thrown as BotError).key).toBe('queue.full_guild');
    expect((thrown as BotError).details).toEqual({ limit: 3 });
    expect(playback.snapshot().pending.map((p) => p.label)).toEqual(['label b', 'label c']);
  });

  it('refuses a job for another channel while busy', async () => {
    const { prep, playback, job, enqueue } = setup();
    await enqueue('a');
    prep.call('a').resolve();
    await settle();
    expect(() => playback.enqueue(job('x', { channelId: 'chan-2' }))).toThrow(expect.objectContaining({ key: 'voice.not_in_bot_channel' }));
    expect(playback.snapshot().pending).toEqual([]);
  });
});

describe('GuildPlayback: connection changes', () => {
  it('a join failure fails every pending item with voice.join_failed and returns to idle', async () => {
    const { link, prep, playback, job, ends, starts } = setup({}, { autoJoin: false });
    playback.enqueue(job('a'));
    playback.enqueue(job('b'));
    expect(playback.state).toEqual({ status: 'joining', channelId: 'chan-1' });
    const cause = new Error('voice connection timed out');
    link.joins[0]!.reject(cause);
    await settle();
    expect(ends.map(([r]) => r)).toEqual(['a', 'b']);
    for (const [, outcome] of ends) {
      expect(outcome.status).toBe('failed');
      const error = (outcome as { error: unknown }).error as BotError;
      expect(error).toBeInstanceOf(BotError);
      expect(error.key).toBe('voice.join_failed');
      expect(error.cause).toBe(cause);
    }
    expect(prep.calls.every((c) => c.signal.aborted)).toBe(true);
    expect(starts).toEqual([]);
    expect(link.destroyCount).toBe(1);
    expect(playback.state).toEqual({ status: 'idle' });

    // The next item tries again.
    playback.enqueue(job('c'));
    expect(link.joins).toHaveLength(2);
    link.joins[1]!.resolve();
    await settle();
    prep.call('c').resolve();
    await settle();
    expect(starts).toEqual(['c']);
  });

  it('join() rejects with the join error; a BotError from the link passes through', async () => {
    const { link, playback } = setup({}, { autoJoin: false });
    const first = playback.join('chan-1');
    link.joins[0]!.reject(new Error('boom'));
    await expect(first).rejects.toMatchObject({ key: 'voice.join_failed' });
    const second = playback.join('chan-1');
    link.joins[1]!.reject(new BotError('voice.cannot_join', { channelId: 'chan-1', reason: 'full' }));
    await expect(second).rejects.toMatchObject({ key: 'voice.cannot_join' });
    expect(playback.state).toEqual({ status: 'idle' });
  });

  it('a link disconnect cancels everything with reason disconnected and goes idle', async () => {
    const { link, prep, playback, ends, enqueue, job, starts } = setup();
    await enqueue('a', 'b');
    prep.call('a').resolve();
    await settle();
    link.disconnect('closed');
    expect(ends).toEqual([
      ['b', { status: 'cancelled', reason: 'disconnected' }],
      ['a', { status: 'cancelled', reason: 'disconnected' }],
    ]);
    expect(link.plays[0]!.stopped).toBe(true);
    expect(prep.call('b').signal.aborted).toBe(true);
    expect(link.destroyCount).toBe(1);
    expect(playback.state).toEqual({ status: 'idle' });
    expect(playback.channelId).toBeNull();
    await settle();

    // Usable again afterwards: a new item joins again and plays.
    playback.enqueue(job('c'));
    await settle();
    prep.call('c').resolve();
    await settle();
    expect(link.joins).toHaveLength(2);
    expect(starts).toEqual(['a', 'c']);
  });

  it('handleBotVoiceState(null) cancels everything as disconnected and goes idle', async () => {
    const { link, prep, playback, ends, enqueue } = setup();
    await enqueue('a', 'b');
    prep.call('a').resolve();
    await settle();
    playback.handleBotVoiceState(null);
    expect(ends.map(([, o]) => o)).toEqual([
      { status: 'cancelled', reason: 'disconnected' },
      { status: 'cancelled', reason: 'disconnected' },
    ]);
    expect(link.destroyCount).toBe(1);
    expect(playback.state).toEqual({ status: 'idle' });
  });

  it('handleBotVoiceState(other channel) cancels as moved and is connected in the new channel', async () => {
    const { link, prep, playback, ends, enqueue, clock } = setup();
    await enqueue('a', 'b');
    prep.call('a').resolve();
    await settle();
    playback.handleBotVoiceState('chan-1'); // same channel: nothing happens
    expect(ends).toEqual([]);
    playback.handleBotVoiceState('chan-2');
    expect(ends).toEqual([
      ['b', { status: 'cancelled', reason: 'moved' }],
      ['a', { status: 'cancelled', reason: 'moved' }],
    ]);
    expect(link.plays[0]!.stopped).toBe(true);
    expect(link.destroyCount).toBe(0);
    expect(playback.state).toEqual({ status: 'connected', channelId: 'chan-2' });
    await settle();
    expect(playback.state).toEqual({ status: 'connected', channelId: 'chan-2' });
    // Connected with nothing to do: the idle timer runs in the new channel.
    expect(clock.pendingTimers).toBe(1);
  });

  it('a disconnect while joining cancels the queued items, and the late join result is ignored', async () => {
    const { link, playback, job, ends, starts, prep } = setup({}, { autoJoin: false });
    playback.enqueue(job('a'));
    link.disconnect('refused');
    expect(ends).toEqual([['a', { status: 'cancelled', reason: 'disconnected' }]]);
    expect(playback.state).toEqual({ status: 'idle' });
    link.joins[0]!.resolve();
    await settle();
    expect(playback.state).toEqual({ status: 'idle' });
    expect(starts).toEqual([]);
    expect(prep.call('a').signal.aborted).toBe(true);
  });

  it('a job for another channel while connected with nothing to do moves there', async () => {
    const { link, prep, playback, job, starts } = setup();
    await playback.join('chan-1');
    playback.enqueue(job('a', { channelId: 'chan-2' }));
    expect(playback.state).toEqual({ status: 'joining', channelId: 'chan-2' });
    await settle();
    prep.call('a').resolve();
    await settle();
    expect(link.joins.map((j) => j.channelId)).toEqual(['chan-1', 'chan-2']);
    expect(starts).toEqual(['a']);
    expect(playback.snapshot().channelId).toBe('chan-2');
  });

  it('leave() cancels everything as left, stops the player and frees the link', async () => {
    const { link, prep, playback, ends, enqueue } = setup();
    await enqueue('a', 'b');
    prep.call('a').resolve();
    await settle();
    playback.leave();
    expect(ends.map(([, o]) => o)).toEqual([
      { status: 'cancelled', reason: 'left' },
      { status: 'cancelled', reason: 'left' },
    ]);
    expect(link.plays[0]!.stopped).toBe(true);
    expect(link.destroyCount).toBe(1);
    expect(playback.state).toEqual({ status: 'idle' });
  });

  it('handleBotVoiceState is ignored while idle or joining', async () => {
    const { link, playback, job } = setup({}, { autoJoin: false });
    playback.handleBotVoiceState('chan-9');
    expect(playback.state).toEqual({ status: 'idle' });
    playback.enqueue(job('a'));
    playback.handleBotVoiceState(null);
    expect(playback.state).toEqual({ status: 'joining', channelId: 'chan-1' });
    expect(link.destroyCount).toBe(0);
  });

  it('destroy() cancels everything as left and refuses further work', async () => {
    const { link, prep, playback, ends, enqueue, job } = setup();
    await enqueue('a', 'b');
    prep.call('a').resolve();
    await settle();
    playback.destroy();
    expect(ends.map(([, o]) => o)).toEqual([
      { status: 'cancelled', reason: 'left' },
      { status: 'cancelled', reason: 'left' },
    ]);
    expect(link.destroyCount).toBe(1);
    expect(playback.state).toEqual({ status: 'destroyed' });
    expect(() => playback.enqueue(job('c'))).toThrow(expect.objectContaining({ key: 'internal' }));
  });
});

describe('GuildPlayback: idle timeout', () => {
  it('leaves after idleTimeoutMs with nothing queued', async () => {
    const { link, prep, playback, clock, enqueue, states } = setup();
    await enqueue('a');
    prep.call('a').resolve();
    await settle();
    await link.plays[0]!.playOut();
    await settle();
    expect(playback.state).toEqual({ status: 'connected', channelId: 'chan-1' });
    expect(clock.pendingTimers).toBe(1);
    clock.advance(IDLE_MS - 1);
    expect(playback.state.status).toBe('connected');
    clock.advance(1);
    expect(playback.state).toEqual({ status: 'idle' });
    expect(link.destroyCount).toBe(1);
    expect(states).toEqual(['joining', 'connected', 'buffering', 'playing', 'connected', 'idle']);
  });

  it('after join() with nothing queued, leaves after idleTimeoutMs', async () => {
    const { link, playback, clock } = setup();
    await playback.join('chan-1');
    expect(playback.state).toEqual({ status: 'connected', channelId: 'chan-1' });
    clock.advance(IDLE_MS);
    expect(playback.state).toEqual({ status: 'idle' });
    expect(link.destroyCount).toBe(1);
  });

  it('the timer is disarmed while buffering, playing and paused', async () => {
    const { link, prep, playback, clock, enqueue } = setup();
    await enqueue('a');
    expect(playback.state.status).toBe('buffering');
    expect(clock.pendingTimers).toBe(0);
    clock.advance(IDLE_MS * 2);
    prep.call('a').resolve();
    await settle();
    expect(playback.state.status).toBe('playing');
    expect(clock.pendingTimers).toBe(0);
    clock.advance(IDLE_MS * 10);
    expect(playback.state.status).toBe('playing');
    playback.pause();
    clock.advance(IDLE_MS * 10);
    expect(playback.state.status).toBe('paused');
    expect(link.destroyCount).toBe(0);
    // Re-armed from zero once playback ends.
    playback.resume();
    link.plays[0]!.end();
    await settle();
    clock.advance(IDLE_MS - 1);
    expect(playback.state.status).toBe('connected');
    clock.advance(1);
    expect(playback.state.status).toBe('idle');
  });

  it('the timer is not left armed after leaving', async () => {
    const { playback, clock } = setup();
    await playback.join('chan-1');
    playback.leave();
    expect(playback.state).toEqual({ status: 'idle' });
    expect(clock.pendingTimers).toBe(0);
  });
});

describe('GuildPlayback: snapshot', () => {
  it('shows the channel, status, current and pending items', async () => {
    const { prep, playback, job } = setup();
    expect(playback.snapshot()).toEqual({ channelId: null, status: 'idle', current: undefined, pending: [] });
    playback.enqueue(job('a', { member: 'm1' }));
    playback.enqueue(job('b', { member: 'm2' }));
    playback.enqueue(job('c', { member: 'm1' }));
    await settle();
    prep.call('a').resolve();
    await settle();
    expect(playback.snapshot()).toEqual({
      channelId: 'chan-1',
      status: 'playing',
      current: { id: 1, label: 'label a', requester: { id: 'm1', name: 'Name m1' } },
      pending: [
        { id: 2, label: 'label b', requester: { id: 'm2', name: 'Name m2' } },
        { id: 3, label: 'label c', requester: { id: 'm1', name: 'Name m1' } },
      ],
    });
  });

  it('while joining shows the target channel and the queued items', () => {
    const { playback, job } = setup({}, { autoJoin: false });
    playback.enqueue(job('a'));
    expect(playback.snapshot()).toEqual({
      channelId: 'chan-1',
      status: 'joining',
      current: undefined,
      pending: [{ id: 1, label: 'label a', requester: { id: 'member-1', name: 'Name member-1' } }],
    });
  });
});

describe('GuildPlayback: audio queued ahead', () => {
  it('counts what is left of the current item and every pending one', async () => {
    const { prep, clock, playback, enqueue } = setup();
    const estimate = (request: string) => request.length * 1000;
    expect(playback.queuedMs(estimate)).toBe(0);
    await enqueue('aaaa', 'bb', 'c');
    // Buffering the first: all of it is still ahead.
    expect(playback.queuedMs(estimate)).toBe(7_000);
    prep.call('aaaa').resolve();
    await settle();
    expect(playback.state.status).toBe('playing');
    clock.advance(1_500);
    expect(playback.queuedMs(estimate)).toBe(5_500);
    clock.advance(10_000);
    // Past its estimate: the current item counts as nothing left, never negative.
    expect(playback.queuedMs(estimate)).toBe(3_000);
  });
});
