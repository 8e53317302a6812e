/**
 * The workspace's accounts against a real dev server with the seed plan launched: an
 * invitation is accepted once, login with and without a second factor, ten wrong
 * passwords lock the account (across a restart), forms without their CSRF token are
 * refused, a session cookie replayed after logout is refused, and the keystore on disk
 * holds no key in the clear.
 */
import { readFileSync } from 'node:fs';
import { authenticator } from 'otplib';
import { DEFAULT_ACCOUNT_POLICY, MAX_FAILURES } from '@duban/web';
import { WebSession, workspacePerFile } from './workspace';

jest.setTimeout(180_000);

/** How far the workspace's clock runs ahead of the machine's: a lockout can then end without waiting. */
let skewMs = 0;
// Many logins from one address in a minute: the rate limit is tested in instructions.test.ts.
const ws = workspacePerFile({ server: { loginLimit: { max: 1_000, timeWindowMs: 60_000 }, now: () => Date.now() + skewMs } });
const PASSWORD = '正确的密码-correct-horse';

describe('an invitation', () => {
  it('sets a password once: the link then works no more', async () => {
    const link = await ws().invite('jingfa-head');
    const person = new WebSession(ws().url);
    const accepted = await person.accept(link, PASSWORD);
    expect(accepted.status).toBe(303);
    expect(accepted.location).toBe('/login?done=accepted&username=jingfa-head');

    const again = new WebSession(ws().url);
    const page = await again.get(link);
    expect(page.status).toBe(404);
    expect(page.html).toContain('INVITATION_INVALID');
    await again.get('/login');
    // Posting to the spent link does not set another password either.
    const replay = await again.post(new URL(link).pathname, { password: 'another-password-1', password2: 'another-password-1' });
    expect(replay.status).toBe(404);
    expect((await new WebSession(ws().url).login('jingfa-head', 'another-password-1')).status).toBe(401);
    expect((await new WebSession(ws().url).login('jingfa-head', PASSWORD)).status).toBe(303);
  });

  it('refuses an expired link and a password that is too short', async () => {
    const expired = await ws().invite('jingfa-staff', 1);
    await new Promise((r) => setTimeout(r, 5));
    expect((await new WebSession(ws().url).get(expired)).status).toBe(404);

    const link = await ws().invite('jingfa-staff');
    const person = new WebSession(ws().url);
    const short = await person.accept(link, 'short');
    expect(short.status).toBe(422);
    expect(short.html).toContain('PASSWORD_REJECTED');
  });
});

describe('login', () => {
  it('with a second factor: the password alone opens nothing, the code from the enrolled app does', async () => {
    const link = await ws().invite('shehui-head');
    const secret = await ws().offeredSecret(link);
    const person = new WebSession(ws().url);
    // A wrong code at enrolment keeps the invitation open.
    expect((await person.accept(link, PASSWORD, '000000')).status).toBe(422);
    const enrolled = authenticator.generate(secret);
    expect((await person.accept(link, PASSWORD, enrolled)).status).toBe(303);

    const login = await person.login('shehui-head', PASSWORD);
    expect(login.status).toBe(303);
    expect(login.location).toMatch(/^\/totp/);
    // Halfway in: the inbox still sends to the login page.
    expect((await person.get('/')).location).toMatch(/^\/login/);
    await person.get('/totp');
    expect((await person.post('/totp', { code: '123456' })).status).toBe(401);
    // The code typed at enrolment was spent there: seen over a shoulder, it opens nothing.
    expect((await person.post('/totp', { code: enrolled })).status).toBe(401);
    // The app's next code (the server accepts one step of clock drift either side).
    const next = authenticator.clone({ epoch: Date.now() + 30_000 }).generate(secret);
    const done = await person.post('/totp', { code: next });
    expect(done.status).toBe(303);
    // …and it, too, works once.
    const again = new WebSession(ws().url);
    expect((await again.login('shehui-head', PASSWORD)).location).toMatch(/^\/totp/);
    await again.get('/totp');
    expect((await again.post('/totp', { code: next })).status).toBe(401);
    const inbox = await person.get('/');
    expect(inbox.status).toBe(200);
    expect(inbox.html).toContain('社会事务办主任');
  });

  it(`locks the account after ${MAX_FAILURES} wrong passwords for a quarter of an hour, and a restart does not unlock it`, async () => {
    const link = await ws().invite('dangzheng-head');
    await new WebSession(ws().url).accept(link, PASSWORD);
    const attacker = new WebSession(ws().url);
    await attacker.get('/login');
    for (let i = 1; i < MAX_FAILURES; i += 1) {
      const wrong = await attacker.post('/login', { username: 'dangzheng-head', password: `wrong-${i}` });
      expect(wrong.status).toBe(401);
      expect(wrong.html).toContain('LOGIN_FAILED');
    }
    const tenth = await attacker.post('/login', { username: 'dangzheng-head', password: 'wrong-10' });
    expect(tenth.status).toBe(423);
    expect(tenth.html).toContain('ACCOUNT_LOCKED');
    // Now even the right password is refused…
    const right = await new WebSession(ws().url).login('dangzheng-head', PASSWORD);
    expect(right.status).toBe(423);
    // …after a restart too: the lockout is stored.
    await ws().restart();
    expect((await new WebSession(ws().url).login('dangzheng-head', PASSWORD)).status).toBe(423);
    // Another person is not affected.
    expect((await new WebSession(ws().url).login('jingfa-head', PASSWORD)).status).toBe(303);
    // A quarter of an hour later the lock has ended.
    skewMs = DEFAULT_ACCOUNT_POLICY.lockoutMs + 1_000;
    try {
      expect((await new WebSession(ws().url).login('dangzheng-head', PASSWORD)).status).toBe(303);
    } finally {
      skewMs = 0;
    }
  });
});

describe('sessions and forms', () => {
  it('refuses a form without its CSRF token, or with the token of another session', async () => {
    const person = new WebSession(ws().url);
    expect((await person.login('jingfa-head', PASSWORD)).status).toBe(303);
    await person.get('/');
    const without = await person.post('/tasks/' + ws().plan.id + '/9/acknowledge', {}, { csrf: false });
    expect(without.status).toBe(403);
    expect(without.html).toContain('CSRF_INVALID');
    // A login form without the token is refused too (login CSRF).
    const stranger = new WebSession(ws().url);
    await stranger.get('/login');
    expect((await stranger.post('/login', { username: 'jingfa-head', password: PASSWORD }, { csrf: false })).status).toBe(403);
    // Another person's page token does not pass with this session's cookies.
    const other = new WebSession(ws().url);
    expect((await other.login('shehui-head', PASSWORD)).status).toBe(303);
    person.csrf = stranger.csrf;
    expect((await person.post('/logout/all', {})).status).toBe(403);
  });

  it('refuses a session cookie replayed after logout, and logout everywhere ends every session', async () => {
    const phone = new WebSession(ws().url);
    const office = new WebSession(ws().url);
    expect((await phone.login('jingfa-head', PASSWORD)).status).toBe(303);
    expect((await office.login('jingfa-head', PASSWORD)).status).toBe(303);
    expect((await phone.get('/')).status).toBe(200);
    const stolen = new Map(phone.cookies);

    expect((await phone.post('/logout', {})).location).toBe('/login?done=logged-out');
    const replay = new WebSession(ws().url);
    for (const [k, v] of stolen) replay.cookies.set(k, v);
    expect((await replay.get('/')).location).toMatch(/^\/login/);
    replay.csrf = phone.csrf;
    const forged = await replay.post(`/tasks/${ws().plan.id}/9/acknowledge`, {});
    expect(forged.status).toBe(401);
    expect(forged.html).toContain('SESSION_INVALID');
    // The office PC is still logged in, until logout everywhere from the phone.
    expect((await office.get('/')).status).toBe(200);
    expect((await phone.login('jingfa-head', PASSWORD)).status).toBe(303);
    await phone.get('/');
    expect((await phone.post('/logout/all', {})).location).toBe('/login?done=logged-out-all');
    expect((await office.get('/')).location).toMatch(/^\/login/);
  });

  it('sets the session cookie HttpOnly and SameSite, and a strict Content-Security-Policy', async () => {
    const response = await fetch(new URL('/login', ws().url));
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
    const person = new WebSession(ws().url);
    await person.get('/login');
    const login = await fetch(new URL('/login', ws().url), {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: [...person.cookies].map(([k, v]) => `${k}=${v}`).join('; '), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: 'jingfa-head', password: PASSWORD, _csrf: person.csrf ?? '' }),
    });
    const session = login.headers.getSetCookie().find((c) => c.startsWith('duban_session='));
    expect(session).toMatch(/HttpOnly/i);
    expect(session).toMatch(/SameSite=Lax/i);
  });
});

describe('the keystore', () => {
  it('holds no private key in the clear, nor the password', async () => {
    const key = await ws().keys.key('jingfa-head');
    const bytes = readFileSync(ws().dbPath);
    const wal = (() => {
      try {
        return readFileSync(`${ws().dbPath}-wal`);
      } catch {
        return Buffer.alloc(0);
      }
    })();
    for (const file of [bytes, wal]) {
      expect(file.includes(Buffer.from(key.privateKey, 'utf8'))).toBe(false);
      expect(file.includes(Buffer.from(key.privateKey, 'hex'))).toBe(false);
      expect(file.includes(Buffer.from(key.privateKey.toUpperCase(), 'utf8'))).toBe(false);
      expect(file.includes(Buffer.from(PASSWORD, 'utf8'))).toBe(false);
    }
    // What is there is a sealed vault (argon2id + AES-256-GCM).
    expect(bytes.toString('latin1')).toContain('duban-vault/1');
  });
});
