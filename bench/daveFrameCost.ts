/**
 * What DAVE's frame encryption costs by itself: @snazzah/davey encrypting (the bot) and decrypting (a member) one
 * 20 ms Opus frame, timed in this process over many frames. Independent of the machine's other load, unlike the
 * per-stream CPU of the bot process, whose DAVE v1 − v0 difference is within that noise.
 */
import davey from '@snazzah/davey';
import {
  appendProposalsPayload,
  ExternalSender,
  groupIdFor,
  readCommitMessage,
  readKeyPackageMessage,
  WelcomeMessage,
} from '../test/standins/voice/dave/mls.js';
import type { BenchRow } from './table.js';

const FRAMES = 50_000;
/** A typical 20 ms speech frame at ~48 kbit/s. */
const FRAME_BYTES = 120;
const CHANNEL = '222222222222222222';
const [BOT, MEMBER] = ['333333333333333333', '444444444444444444'];

/** CPU microseconds per call of `step`, over `n` calls. */
function cpuMicros(n: number, step: (i: number) => void): number {
  const start = process.cpuUsage();
  for (let i = 0; i < n; i++) step(i);
  const used = process.cpuUsage(start);
  return (used.user + used.system) / n;
}

/** Rows: DAVE encrypt and decrypt cost per frame and per stream (50 frames a second). */
export function daveFrameCostRows(bench: string): BenchRow[] {
  // A two-member group, built the way the voice stand-in's gateway builds it (external sender, Add, commit, welcome).
  const gateway = new ExternalSender();
  const bot = new davey.DAVESession(1, BOT, CHANNEL);
  const member = new davey.DAVESession(1, MEMBER, CHANNEL);
  bot.setExternalSender(gateway.package());
  member.setExternalSender(gateway.package());
  const memberKp = readKeyPackageMessage(member.getSerializedKeyPackage());
  const add = gateway.addProposal(groupIdFor(CHANNEL), 0n, memberKp.keyPackage);
  const result = bot.processProposals(0, appendProposalsPayload([add.message]).subarray(1), [MEMBER]);
  const { commit, rest } = readCommitMessage(Buffer.concat([result.commit!, result.welcome!]));
  bot.processCommit(commit.message);
  member.processWelcome(WelcomeMessage.read(rest).for(memberKp.ref));

  const frame = Buffer.alloc(FRAME_BYTES);
  for (let i = 0; i < FRAME_BYTES; i++) frame[i] = (i * 37) & 0xff;
  frame[0] = 0x78;
  const sealed: Buffer[] = [];
  cpuMicros(2000, () => bot.encryptOpus(frame)); // warm-up
  const encrypt = cpuMicros(FRAMES, () => void sealed.push(bot.encryptOpus(frame)));
  // Each frame once, in order (a replayed nonce is refused). 0 = MediaType.AUDIO (an ambient const enum in davey's typings).
  const decrypt = cpuMicros(FRAMES, (i) => member.decrypt(BOT, 0 as davey.MediaType, sealed[i]!));
  const perStream = (micros: number) => ((micros * 50) / 1e6) * 100;
  return [
    {
      bench,
      metric: 'DAVE frame encryption (davey encryptOpus), per stream',
      value: `${perStream(encrypt).toFixed(3)} %`,
      note: `${encrypt.toFixed(1)} µs CPU per ${FRAME_BYTES}-byte 20 ms Opus frame over ${FRAMES.toLocaleString('en-US')} frames, × 50 frames/s; +${sealed[0]!.length - FRAME_BYTES} bytes per frame (tag, nonce, marker)`,
    },
    {
      bench,
      metric: 'DAVE frame decryption (a listening member), per stream',
      value: `${perStream(decrypt).toFixed(3)} %`,
      note: `${decrypt.toFixed(1)} µs CPU per frame; what each member's client spends per speaker`,
    },
  ];
}
