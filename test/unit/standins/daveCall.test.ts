/**
 * The voice stand-in's DAVE gateway in-process, with simulated members only (each a real @snazzah/davey session):
 * group creation, adds and removes across epochs, the sole-member reset, and the hand-written MLS pieces checked
 * against davey (a proposal signed by anyone but the announced external sender is refused).
 */
import davey from '@snazzah/davey';
import { describe, expect, it, vi } from 'vitest';
import { VoiceCall } from '../../standins/voice/dave/voiceCall.js';
import { appendProposalsPayload, ExternalSender, groupIdFor, readKeyPackageMessage } from '../../standins/voice/dave/mls.js';
import { varint, TlsReader } from '../../standins/voice/dave/tls.js';

const CHANNEL = '222222222222222222';
const [EAR, BOB, CAROL] = ['1000000000000000001', '2000000000000000002', '3000000000000000003'];

const waitExecuted = (call: VoiceCall, n: number) =>
  vi.waitFor(() => expect(call.transitions.filter((t) => t.executedAt !== undefined)).toHaveLength(n), { timeout: 5000, interval: 10 });

describe('DAVE gateway (voice stand-in)', () => {
  it('members form a group, follow adds and removes with one privacy code, and the last one is reset', async () => {
    const call = new VoiceCall('1', CHANNEL, () => {});
    try {
      const ear = call.addListener(EAR);
      await new Promise((r) => setTimeout(r, 50));
      expect(call.established).toBe(false);
      const bob = call.addListener(BOB);
      await waitExecuted(call, 1);
      expect(call.epoch).toBe(1n);
      expect(call.groupMembers.sort()).toEqual([EAR, BOB]);
      expect(ear.privacyCode).toMatch(/^\d{30}$/);
      expect(bob.privacyCode).toBe(ear.privacyCode);

      const carol = call.addListener(CAROL);
      await waitExecuted(call, 2);
      expect(call.transitions[1]).toMatchObject({ epoch: 2n, added: [CAROL], removed: [] });
      expect(new Set([ear.privacyCode, bob.privacyCode, carol.privacyCode]).size).toBe(1);

      call.removeListener(BOB);
      await waitExecuted(call, 3);
      expect(call.transitions[2]).toMatchObject({ epoch: 3n, added: [], removed: [BOB] });
      expect(call.groupMembers.sort()).toEqual([EAR, CAROL].sort());
      expect(carol.privacyCode).toBe(ear.privacyCode);
      // Every transition was executed because every member said it was ready, not by the timeout.
      expect(call.transitions.every((t) => !t.timedOut)).toBe(true);

      call.removeListener(CAROL);
      await vi.waitFor(() => expect(call.incidents.map((i) => i.kind)).toContain('sole-member-reset'));
      expect(call.established).toBe(false);
      await vi.waitFor(() => expect(ear.executed).toContain(0));
      expect([...ear.failures, ...bob.failures, ...carol.failures]).toEqual([]);
    } finally {
      call.close();
    }
  });

  it('davey accepts the stand-in’s external proposals, and refuses one signed by another key', () => {
    const gateway = new ExternalSender();
    const impostor = new ExternalSender();
    const member = new davey.DAVESession(1, BOB, CHANNEL);
    const joiner = new davey.DAVESession(1, CAROL, CHANNEL);
    member.setExternalSender(gateway.package());
    const keyPackage = readKeyPackageMessage(joiner.getSerializedKeyPackage());
    expect(keyPackage.userId).toBe(CAROL);

    const forged = impostor.addProposal(groupIdFor(CHANNEL), 0n, keyPackage.keyPackage);
    expect(() => member.processProposals(0, appendProposalsPayload([forged.message]).subarray(1), [CAROL])).toThrow();
    const real = gateway.addProposal(groupIdFor(CHANNEL), 0n, keyPackage.keyPackage);
    const result = member.processProposals(0, appendProposalsPayload([real.message]).subarray(1), [CAROL]);
    expect(result.commit).toBeDefined();
    expect(result.welcome).toBeDefined();
  });

  it('encodes MLS vector lengths in 1, 2 or 4 bytes (RFC 9420 §2.1.2)', () => {
    for (const n of [0, 63, 64, 16383, 16384, 1_000_000]) {
      const encoded = varint(n);
      expect(encoded.length).toBe(n < 64 ? 1 : n < 16384 ? 2 : 4);
      expect(new TlsReader(encoded).varint()).toBe(n);
    }
  });
});
