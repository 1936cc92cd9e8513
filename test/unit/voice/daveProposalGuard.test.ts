import { DAVESession } from '@discordjs/voice';
import davey from '@snazzah/davey';
import { describe, expect, it } from 'vitest';
import { guardDaveProposals, isWrongEpochProposal } from '../../../src/voice/daveProposalGuard.js';
import { appendProposalsPayload, ExternalSender, groupIdFor, readKeyPackageMessage } from '../../standins/voice/dave/mls.js';

const CHANNEL = '222222222222222222';
const [BOT, CAROL] = ['1000000000000000001', '3000000000000000003'];

/** The library's own DAVE session for the bot, with the gateway's external sender set, and a key package to propose. */
function setUp() {
  const gateway = new ExternalSender();
  const session = new DAVESession(1, BOT, CHANNEL, {});
  session.reinit();
  session.setExternalSender(gateway.package());
  const joiner = readKeyPackageMessage(new davey.DAVESession(1, CAROL, CHANNEL).getSerializedKeyPackage());
  const proposal = (epoch: bigint) => appendProposalsPayload([gateway.addProposal(groupIdFor(CHANNEL), epoch, joiner.keyPackage).message]);
  return { session, proposal };
}

describe('guardDaveProposals', () => {
  it('the library throws WrongEpoch on a proposal for another epoch; guarded, it is ignored and reported', () => {
    const { session, proposal } = setUp();
    let thrown: unknown;
    try {
      session.processProposals(proposal(7n), new Set([CAROL]));
    } catch (err) {
      thrown = err;
    }
    expect(isWrongEpochProposal(thrown)).toBe(true);

    const ignored: string[] = [];
    expect(guardDaveProposals(session, (reason) => ignored.push(reason))).toBe(true);
    expect(session.processProposals(proposal(7n), new Set([CAROL]))).toBeUndefined();
    expect(ignored).toHaveLength(1);
    expect(ignored[0]).toMatch(/WrongEpoch/);
  });

  it('a proposal for the current epoch still gives a commit, and other errors still throw', () => {
    const { session, proposal } = setUp();
    guardDaveProposals(session, () => expect.unreachable('nothing to ignore'));
    guardDaveProposals(session, () => expect.unreachable('guarded once only'));
    expect(session.processProposals(proposal(0n), new Set([CAROL]))?.length).toBeGreaterThan(0);
    expect(() => session.processProposals(Buffer.from([0, 1, 2, 3]), new Set([CAROL]))).toThrow();
  });

  it('says so when the session is not shaped as expected', () => {
    expect(guardDaveProposals({}, () => {})).toBe(false);
    expect(guardDaveProposals(undefined, () => {})).toBe(false);
  });
});
