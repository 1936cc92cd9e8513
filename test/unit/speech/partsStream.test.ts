/** The parts stream on its own, with hand-made packet streams: the edges the preparer tests do not reach. */
import { PassThrough, Readable } from 'node:stream';
import { setImmediate as tick } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { createPartsStream, type OpenedPart, type PartOpener } from '../../../src/voice/partsPipeline.js';
import { rejectionOf } from '../../support/rejectionOf.js';
import { drain, until } from './fakeProvider.js';

/** Packets "p<part>-<n>" for a part. */
const packetsOf = (part: number, n: number) => Array.from({ length: n }, (_, i) => Buffer.from(`p${part}-${i}`));
const opened = (packets: Readable, ttfbMs = 1): OpenedPart => ({ packets, ttfbMs, transcoded: false });
const labels = (chunks: Buffer[]) => chunks.map((c) => c.toString());

describe('parts stream', () => {
  it('needs at least one part', () => {
    expect(() => createPartsStream({ count: 0, ahead: 1, signal: new AbortController().signal, open: async () => opened(Readable.from([])) })).toThrow(RangeError);
  });

  it('an opener that throws synchronously fails its part like a rejection', async () => {
    const open: PartOpener = (index) => {
      if (index === 1) throw new Error('sync boom');
      return Promise.resolve(opened(Readable.from(packetsOf(index, 3), { objectMode: true })));
    };
    const stream = createPartsStream({ count: 3, ahead: 2, signal: new AbortController().signal, open });
    await stream.ready(() => 1);
    const { chunks, error } = await drain(stream);
    expect(labels(chunks)).toEqual(['p0-0', 'p0-1', 'p0-2']);
    expect((error as Error).message).toBe('sync boom');
  });

  it('a failure that is not an Error still ends the stream with an Error', async () => {
    const open: PartOpener = (index) => (index === 0 ? Promise.resolve(opened(Readable.from(packetsOf(0, 2), { objectMode: true }))) : Promise.reject('plain string'));
    const stream = createPartsStream({ count: 2, ahead: 1, signal: new AbortController().signal, open });
    await stream.ready(() => 1);
    const { chunks, error } = await drain(stream);
    expect(chunks).toHaveLength(2);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe('plain string');
  });

  it('in flowing mode too, the error comes after every packet before it', async () => {
    const cut = new Error('cut');
    const body = new PassThrough({ objectMode: true });
    const open: PartOpener = async (index) => opened(index === 0 ? Readable.from(packetsOf(0, 40), { objectMode: true }) : body);
    const stream = createPartsStream({ count: 2, ahead: 1, signal: new AbortController().signal, open });
    await stream.ready(() => 3);
    for (const p of packetsOf(1, 5)) body.write(p);
    await tick();
    body.destroy(cut);
    const got: string[] = [];
    const failed = new Promise<unknown>((resolve) => stream.once('error', resolve));
    stream.on('data', (p: Buffer) => got.push(p.toString()));
    expect(await failed).toBe(cut);
    expect(got).toEqual([...labels(packetsOf(0, 40)), ...labels(packetsOf(1, 5))]);
  });

  it('an empty part is skipped; an empty first part opens the gate', async () => {
    const open: PartOpener = async (index) => opened(Readable.from(index === 0 || index === 2 ? [] : packetsOf(index, 2), { objectMode: true }), 9);
    const stream = createPartsStream({ count: 4, ahead: 1, signal: new AbortController().signal, open });
    expect((await stream.ready(() => 3)).ttfbMs).toBe(9);
    const { chunks, error } = await drain(stream);
    expect(error).toBeUndefined();
    expect(labels(chunks)).toEqual(['p1-0', 'p1-1', 'p3-0', 'p3-1']);
  });

  it('ahead 0: the next part is requested only after the reader finished the current one', async () => {
    const requested: number[] = [];
    const bodies = [new PassThrough({ objectMode: true }), new PassThrough({ objectMode: true })];
    const open: PartOpener = async (index) => {
      requested.push(index);
      return opened(bodies[index]!);
    };
    const stream = createPartsStream({ count: 2, ahead: 0, signal: new AbortController().signal, open });
    bodies[0]!.end(Buffer.from('only'));
    await stream.ready(() => 1);
    await tick();
    expect(requested).toEqual([0]);
    expect((stream.read() as Buffer).toString()).toBe('only');
    await until(() => requested.length === 2);
    bodies[1]!.end(Buffer.from('next'));
    expect(labels((await drain(stream)).chunks)).toEqual(['next']);
  });

  it('ready() after the stream was destroyed rejects; the late answer of a cancelled part is destroyed', async () => {
    let answer!: (part: OpenedPart) => void;
    const open: PartOpener = () => new Promise<OpenedPart>((resolve) => (answer = resolve));
    const stream = createPartsStream({ count: 1, ahead: 0, signal: new AbortController().signal, open });
    stream.destroy();
    expect(((await rejectionOf(stream.ready(() => 1))) as Error).message).toMatch(/closed before it started/);
    const late = new PassThrough({ objectMode: true });
    answer(opened(late));
    await until(() => late.destroyed);
  });

  it('the signal given to each part is aborted with the outer reason', async () => {
    const signals: AbortSignal[] = [];
    const open: PartOpener = (_index, signal) => {
      signals.push(signal);
      return new Promise<OpenedPart>(() => {});
    };
    const controller = new AbortController();
    const stream = createPartsStream({ count: 5, ahead: 2, signal: controller.signal, open });
    const gate = stream.ready(() => 1);
    expect(signals).toHaveLength(3);
    const reason = new Error('stop');
    controller.abort(reason);
    expect(await rejectionOf(gate)).toBe(reason);
    for (const signal of signals) expect(signal.reason).toBe(reason);
    expect(stream.destroyed).toBe(true);
  });
});
