/**
 * @discordjs/voice 0.19 hands DAVE proposals (op 27) to davey without a try/catch: a proposal signed for an epoch the
 * session is no longer in — a race Discord's voice gateway can produce around a recovery (op 31) or a transition —
 * throws `WrongEpoch` out of the library's WebSocket message handler, an uncaught exception that would end the process
 * (and, were it swallowed, leave the voice WebSocket's reader stuck). The DAVE protocol says to ignore such proposals.
 */

/** The part of the library's DAVESession this guard wraps. */
interface ProposalProcessor {
  processProposals(payload: Buffer, connectedClients: Set<string>): Buffer | undefined;
}

const GUARDED = Symbol('daveProposalGuard');

/** Whether `err` is davey refusing a proposal for an epoch other than the session's. */
export function isWrongEpochProposal(err: unknown): boolean {
  const message = (err as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' && /process proposals/i.test(message) && /WrongEpoch/.test(message);
}

/**
 * Makes one DAVE session ignore proposals for another epoch (as the DAVE protocol says), calling `onIgnored` each time;
 * every other error still throws. Returns false when `session` is not shaped as expected (a library change), so the
 * caller can say so once.
 */
export function guardDaveProposals(session: unknown, onIgnored: (reason: string) => void): boolean {
  const target = session as (ProposalProcessor & { [GUARDED]?: true }) | undefined;
  if (!target || typeof target.processProposals !== 'function') return false;
  if (target[GUARDED]) return true;
  const original = target.processProposals.bind(target);
  target.processProposals = (payload, connectedClients) => {
    try {
      return original(payload, connectedClients);
    } catch (err) {
      if (!isWrongEpochProposal(err)) throw err;
      onIgnored((err as Error).message);
      return undefined;
    }
  };
  target[GUARDED] = true;
  return true;
}
