/**
 * Whose key signs a command's instruction. `--as P` names the person acting and so the key
 * file read (P's, for this plan); `--break-glass REASON --operator OP` signs with OP's key
 * for P instead. The workflow decides whether the signer may: the CLI only finds the key.
 */
import { KeyStore, type Signer } from '@duban/client';
import type { CommandContext } from './context';
import { UsageError } from './errors';

/** The key store of the command's environment (`DUBAN_KEYS_DIR`, `XDG_CONFIG_HOME`, `HOME`). */
export function keyStore(ctx: CommandContext): KeyStore {
  return KeyStore.fromEnv(ctx.env);
}

/** Break-glass on the command line: an HQ office operator acts for an absent person. */
export interface BreakGlassFlags {
  breakGlass?: string;
  operator?: string;
}

/** Both flags or neither: a reason without a signer (or the reverse) is a usage error. */
export function checkBreakGlass(flags: BreakGlassFlags): void {
  if ((flags.breakGlass === undefined) !== (flags.operator === undefined)) {
    throw new UsageError('--break-glass REASON and --operator PERSON go together: the operator (HQ office) signs with their own key for --as PERSON, for that reason.');
  }
}

/**
 * The signer for `actor` on plan `planId`: the actor's key, or with break-glass the
 * operator's key and the reason.
 *
 * @throws DubanError `KEY_FILE_MISSING` (saying how to get one), `KEY_FILE_INVALID`.
 */
export async function signerFor(ctx: CommandContext, planId: string, actor: string, flags: BreakGlassFlags = {}): Promise<Signer> {
  checkBreakGlass(flags);
  const store = keyStore(ctx);
  if (flags.operator !== undefined && flags.breakGlass !== undefined) {
    return { key: await store.signingKey(planId, flags.operator), breakGlass: { reason: flags.breakGlass } };
  }
  return { key: await store.signingKey(planId, actor) };
}
