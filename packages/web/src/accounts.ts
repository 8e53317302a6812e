/**
 * The workspace's accounts (SQLite via better-sqlite3): one account per person of the
 * roster of record who accepted an invitation, the invitations (stored by the hash of
 * their token, usable once, expiring), the sessions (stored by the hash of their cookie,
 * so a copy of the database opens no session) and the lockout counters, which survive a
 * restart. The keys themselves are in each account's sealed vault (`./keystore`).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import * as argon2 from 'argon2';
import { DubanError, ErrorCode } from '@duban/common';
import { DEFAULT_KDF, openVault, sealVault, type SealedVault, type VaultContents, type VaultKey } from './keystore';

/** Wrong passwords (or second-factor codes) in a row before the account locks. */
export const MAX_FAILURES = 10;

export interface AccountPolicy {
  /** How long an account stays locked after {@link MAX_FAILURES} wrong attempts. */
  lockoutMs: number;
  /** A session ends this long after login whatever happens… */
  sessionMs: number;
  /** …and after this long without a request. */
  idleMs: number;
  /** Time to type the second-factor code after the password. */
  secondFactorMs: number;
  minPasswordLength: number;
}

export const DEFAULT_ACCOUNT_POLICY: AccountPolicy = {
  lockoutMs: 15 * 60_000,
  sessionMs: 12 * 3_600_000,
  idleMs: 2 * 3_600_000,
  secondFactorMs: 5 * 60_000,
  minPasswordLength: 10,
};

/** Invitations last three days unless the operator says otherwise. */
export const DEFAULT_INVITATION_MS = 72 * 3_600_000;

export interface InvitationRecord {
  person: string;
  plans: string[];
  createdAt: number;
  expiresAt: number;
}

export interface SessionRecord {
  person: string;
  /** `password`: the second factor is still to come; `full`: logged in. */
  stage: 'password' | 'full';
  createdAt: number;
  expiresAt: number;
}

export type LoginOutcome =
  | { ok: true; vault: VaultContents; secondFactor: boolean }
  | { ok: false; reason: 'wrong' }
  | { ok: false; reason: 'locked'; lockedUntil: number };

const SCHEMA = `
CREATE TABLE IF NOT EXISTS accounts (
  person TEXT PRIMARY KEY,
  password_hash TEXT NOT NULL,
  vault TEXT NOT NULL,
  second_factor INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS lockouts (
  person TEXT PRIMARY KEY,
  failures INTEGER NOT NULL DEFAULT 0,
  locked_until INTEGER
);
CREATE TABLE IF NOT EXISTS invitations (
  token_hash TEXT PRIMARY KEY,
  person TEXT NOT NULL,
  plans TEXT NOT NULL,
  vault TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER
);
CREATE TABLE IF NOT EXISTS sessions (
  id_hash TEXT PRIMARY KEY,
  person TEXT NOT NULL,
  stage TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_person ON sessions(person);
CREATE TABLE IF NOT EXISTS second_factor_steps (
  person TEXT PRIMARY KEY,
  last_step INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS settings (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
`;

/** Tokens and session ids are stored by this hash only: they carry 256 random bits, so no slow hash is needed. */
function digest(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** A fresh secret for a link or a cookie: 256 random bits, URL-safe. */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

const accountContext = (person: string) => `account:${person}`;
const invitationContext = (person: string) => `invitation:${person}`;

export class Accounts {
  private constructor(
    private readonly db: Database.Database,
    readonly policy: AccountPolicy,
  ) {}

  /** Opens (creating) the accounts database at `path`. */
  static open(path: string, policy: Partial<AccountPolicy> = {}): Accounts {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    // The CLI (`users invite`) writes while the server runs: wait for each other.
    db.pragma('busy_timeout = 5000');
    db.exec(SCHEMA);
    return new Accounts(db, { ...DEFAULT_ACCOUNT_POLICY, ...policy });
  }

  close(): void {
    this.db.close();
  }

  /** A server secret kept across restarts (e.g. the cookie signing secret), made on first use. */
  setting(name: string): string {
    const row = this.db.prepare('SELECT value FROM settings WHERE name = ?').get(name) as { value: string } | undefined;
    if (row) return row.value;
    const value = newSecret();
    this.db.prepare('INSERT OR IGNORE INTO settings (name, value) VALUES (?, ?)').run(name, value);
    return (this.db.prepare('SELECT value FROM settings WHERE name = ?').get(name) as { value: string }).value;
  }

  // -- Invitations ------------------------------------------------------------------------

  /**
   * A one-time invitation for `person` carrying their keys (sealed under the token) and a
   * fresh second-factor secret to offer. Returns the token: it is shown once, and only its
   * hash is kept.
   */
  async invite(person: string, keys: VaultKey[], options: { now: number; ttlMs?: number; totpSecret: string }): Promise<{ token: string; expiresAt: number }> {
    const token = newSecret();
    const vault = await sealVault({ person, keys, totpSecret: options.totpSecret }, token, invitationContext(person));
    const expiresAt = options.now + (options.ttlMs ?? DEFAULT_INVITATION_MS);
    const plans = [...new Set(keys.map((k) => k.planId))];
    this.db
      .prepare('INSERT INTO invitations (token_hash, person, plans, vault, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(digest(token), person, JSON.stringify(plans), JSON.stringify(vault), options.now, expiresAt);
    return { token, expiresAt };
  }

  /** The invitation of `token` if it is unused and unexpired at `now`. */
  invitation(token: string, now: number): InvitationRecord | undefined {
    const row = this.db.prepare('SELECT person, plans, created_at, expires_at, used_at FROM invitations WHERE token_hash = ?').get(digest(token)) as
      | { person: string; plans: string; created_at: number; expires_at: number; used_at: number | null }
      | undefined;
    if (!row || row.used_at !== null || row.expires_at <= now) return undefined;
    return { person: row.person, plans: JSON.parse(row.plans) as string[], createdAt: row.created_at, expiresAt: row.expires_at };
  }

  /** The second-factor secret an invitation offers (opened with its token). */
  async invitationContents(token: string, now: number): Promise<VaultContents> {
    const row = this.invitationRow(token, now);
    return openVault(JSON.parse(row.vault) as SealedVault, token, invitationContext(row.person));
  }

  /**
   * Accepts the invitation: the keys it carries are sealed again under `password` in the
   * person's account (replacing an earlier account: an invitation is also how a forgotten
   * password is reset), and the invitation is spent. `secondFactor` keeps the offered TOTP
   * secret (the caller checked a code of it first).
   *
   * @throws DubanError `INVITATION_INVALID`, `PASSWORD_REJECTED`.
   */
  async accept(token: string, password: string, options: { now: number; secondFactor: boolean }): Promise<string> {
    if (password.length < this.policy.minPasswordLength) {
      throw new DubanError(ErrorCode.PASSWORD_REJECTED, `The password must have at least ${this.policy.minPasswordLength} characters.`, { details: { minLength: this.policy.minPasswordLength } });
    }
    const row = this.invitationRow(token, options.now);
    const offered = await openVault(JSON.parse(row.vault) as SealedVault, token, invitationContext(row.person));
    const contents: VaultContents = { person: row.person, keys: offered.keys, ...(options.secondFactor && offered.totpSecret ? { totpSecret: offered.totpSecret } : {}) };
    const vault = await sealVault(contents, password, accountContext(row.person));
    const passwordHash = await argon2.hash(password, { type: argon2.argon2id, ...DEFAULT_KDF });
    const spend = this.db.transaction(() => {
      // Spent only if still unspent: two tabs accepting at once, one wins.
      const spent = this.db.prepare('UPDATE invitations SET used_at = ? WHERE token_hash = ? AND used_at IS NULL').run(options.now, digest(token));
      if (spent.changes !== 1) return false;
      this.db
        .prepare(
          `INSERT INTO accounts (person, password_hash, vault, second_factor, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT(person) DO UPDATE SET password_hash = excluded.password_hash, vault = excluded.vault, second_factor = excluded.second_factor, updated_at = excluded.updated_at`,
        )
        .run(row.person, passwordHash, JSON.stringify(vault), contents.totpSecret ? 1 : 0, options.now, options.now);
      this.db.prepare('DELETE FROM lockouts WHERE person = ?').run(row.person);
      // A new password ends every session opened with the old one.
      this.db.prepare('DELETE FROM sessions WHERE person = ?').run(row.person);
      return true;
    });
    if (!spend()) throw invitationInvalid();
    return row.person;
  }

  private invitationRow(token: string, now: number): { person: string; vault: string } {
    const row = this.db.prepare('SELECT person, vault, expires_at, used_at FROM invitations WHERE token_hash = ?').get(digest(token)) as
      | { person: string; vault: string; expires_at: number; used_at: number | null }
      | undefined;
    if (!row || row.used_at !== null || row.expires_at <= now) throw invitationInvalid();
    return row;
  }

  // -- Login and lockout ------------------------------------------------------------------

  hasAccount(person: string): boolean {
    return this.db.prepare('SELECT 1 FROM accounts WHERE person = ?').get(person) !== undefined;
  }

  /** Until when `person` is locked out, if they are at `now`. */
  lockedUntil(person: string, now: number): number | undefined {
    const row = this.db.prepare('SELECT locked_until FROM lockouts WHERE person = ?').get(person) as { locked_until: number | null } | undefined;
    return row?.locked_until != null && row.locked_until > now ? row.locked_until : undefined;
  }

  /**
   * Checks `password` and opens the person's vault with it. A wrong password counts
   * towards the lockout; a locked account is refused without looking at the password.
   */
  async login(person: string, password: string, now: number): Promise<LoginOutcome> {
    const lockedUntil = this.lockedUntil(person, now);
    if (lockedUntil !== undefined) return { ok: false, reason: 'locked', lockedUntil };
    const row = this.db.prepare('SELECT password_hash, vault, second_factor FROM accounts WHERE person = ?').get(person) as
      | { password_hash: string; vault: string; second_factor: number }
      | undefined;
    // An unknown person takes as long as a known one: the answer does not tell which ids exist.
    const hash = row?.password_hash ?? (await dummyHash());
    const matches = await argon2.verify(hash, password);
    if (!row || !matches) {
      const locked = row ? this.recordFailure(person, now) : undefined;
      return locked === undefined ? { ok: false, reason: 'wrong' } : { ok: false, reason: 'locked', lockedUntil: locked };
    }
    const vault = await openVault(JSON.parse(row.vault) as SealedVault, password, accountContext(person));
    if (row.second_factor === 0) this.clearFailures(person);
    return { ok: true, vault, secondFactor: row.second_factor === 1 };
  }

  /** Counts a wrong password or code; returns the lock's end when this one locked the account. */
  recordFailure(person: string, now: number): number | undefined {
    return this.db.transaction(() => {
      this.db.prepare('INSERT INTO lockouts (person, failures) VALUES (?, 1) ON CONFLICT(person) DO UPDATE SET failures = failures + 1').run(person);
      const { failures } = this.db.prepare('SELECT failures FROM lockouts WHERE person = ?').get(person) as { failures: number };
      if (failures < MAX_FAILURES) return undefined;
      const until = now + this.policy.lockoutMs;
      // Locked, and the count starts again once the lock ends.
      this.db.prepare('UPDATE lockouts SET failures = 0, locked_until = ? WHERE person = ?').run(until, person);
      this.db.prepare('DELETE FROM sessions WHERE person = ? AND stage = ?').run(person, 'password');
      return until;
    })();
  }

  /**
   * Spends the second-factor time step `step` of `person`: false when it (or a later one)
   * was already used, so a code seen over someone's shoulder does not log in twice.
   */
  spendSecondFactorStep(person: string, step: number): boolean {
    const spent = this.db
      .prepare('INSERT INTO second_factor_steps (person, last_step) VALUES (?, ?) ON CONFLICT(person) DO UPDATE SET last_step = excluded.last_step WHERE excluded.last_step > second_factor_steps.last_step')
      .run(person, step);
    return spent.changes === 1;
  }

  clearFailures(person: string): void {
    this.db.prepare('DELETE FROM lockouts WHERE person = ?').run(person);
  }

  // -- Sessions ---------------------------------------------------------------------------

  /** A new session of `person`; returns its id (the cookie's value), stored only hashed. */
  createSession(person: string, stage: SessionRecord['stage'], now: number): string {
    const id = newSecret();
    const ttl = stage === 'full' ? this.policy.sessionMs : this.policy.secondFactorMs;
    this.db.prepare('INSERT INTO sessions (id_hash, person, stage, created_at, last_seen_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)').run(digest(id), person, stage, now, now, now + ttl);
    return id;
  }

  /** The live session of cookie value `id` at `now` (touched), or undefined; an expired one is removed. */
  session(id: string, now: number): SessionRecord | undefined {
    const hash = digest(id);
    const row = this.db.prepare('SELECT person, stage, created_at, last_seen_at, expires_at FROM sessions WHERE id_hash = ?').get(hash) as
      | { person: string; stage: SessionRecord['stage']; created_at: number; last_seen_at: number; expires_at: number }
      | undefined;
    if (!row) return undefined;
    if (row.expires_at <= now || now - row.last_seen_at > this.policy.idleMs) {
      this.db.prepare('DELETE FROM sessions WHERE id_hash = ?').run(hash);
      return undefined;
    }
    this.db.prepare('UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?').run(now, hash);
    return { person: row.person, stage: row.stage, createdAt: row.created_at, expiresAt: row.expires_at };
  }

  /** Ends the password-stage session `id` and opens a full one (a new id: no fixation). */
  promote(id: string, now: number): string {
    const session = this.session(id, now);
    if (!session) throw new DubanError(ErrorCode.SESSION_INVALID, 'The login expired before the second-factor code came: log in again.');
    this.endSession(id);
    return this.createSession(session.person, 'full', now);
  }

  endSession(id: string): void {
    this.db.prepare('DELETE FROM sessions WHERE id_hash = ?').run(digest(id));
  }

  /** Ends every session of `person`; returns how many there were. */
  endSessionsOf(person: string): number {
    return this.db.prepare('DELETE FROM sessions WHERE person = ?').run(person).changes;
  }

  /** The stored hash of a session id: the key the server keeps opened vaults under. */
  static sessionKey(id: string): string {
    return digest(id);
  }
}

function invitationInvalid(): DubanError {
  return new DubanError(ErrorCode.INVITATION_INVALID, 'This invitation link is unknown, already used or expired: ask an operator for a new one (`duban users invite`).');
}

let dummy: Promise<string> | undefined;
function dummyHash(): Promise<string> {
  dummy ??= argon2.hash(newSecret(), { type: argon2.argon2id, ...DEFAULT_KDF });
  return dummy;
}
