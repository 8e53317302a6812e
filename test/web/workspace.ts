/**
 * The web workspace on a real dev server for a test file: the dev server with the duban
 * worker, keys for every person of the seed plan (rebased to next year, every task
 * assigned at once, as `duban dev` does), the campaign launched, and the workspace
 * listening on a free port. `invite(person)` makes a one-time link as
 * `duban users invite` does. Shared by the server tests (test/web/*.test.ts) and the
 * browser tests (test/web/browser/).
 *
 * @example
 * ```ts
 * const ws = workspacePerFile();
 * it('…', async () => { const link = await ws().invite('chengguan-head'); … });
 * ```
 */
import { join } from 'node:path';
import { openAuditStore, type AuditStore } from '@duban/activities';
import { DubanClient } from '@duban/client';
import { loadPlanFile, rebasePlan, type Plan } from '@duban/plan';
import { Accounts, createWorkspaceServer, invitePerson, type WorkspaceOptions, type WorkspaceServer } from '@duban/web';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { removeTemporaryDirectories, SEED_PLAN_PATH, serverAddress, startDevServerWithWorker, temporaryDirectory } from '../harness';
import { keysPerFile, type IssuedKeys } from '../harness/keys';
import { untilTasksAssigned } from '../harness/launched';

export interface TestWorkspace {
  env: TestWorkflowEnvironment;
  duban: DubanClient;
  plan: Plan;
  keys: IssuedKeys;
  server: WorkspaceServer;
  /** The workspace's base URL, e.g. http://127.0.0.1:40123. */
  url: string;
  dbPath: string;
  dir: string;
  /** A one-time invitation link for `person` of the seed plan. */
  invite(person: string, ttlMs?: number): Promise<string>;
  /** The second-factor secret an invitation link offers (read with its token, as the page shows it). */
  offeredSecret(link: string): Promise<string>;
  /** Starts the workspace again on the same database (a restart), closing the running one. */
  restart(): Promise<void>;
}

export interface WorkspaceTestOptions {
  /** Options of the workspace server besides the client, plans and database. */
  server?: Partial<Omit<WorkspaceOptions, 'duban' | 'plans' | 'dbPath'>>;
  /** Give the workspace the worker's audit store, so its audit page verifies the hash chains. */
  verifyAudit?: boolean;
  /** Whether the primary lead must wait for the assisting leads' reports before submitting (the seed plan: yes). Default false. */
  requireAssistingReports?: boolean;
}

export function workspacePerFile(options: WorkspaceTestOptions = {}): () => TestWorkspace {
  const keys = keysPerFile();
  let ws: TestWorkspace | undefined;
  let failed: TestWorkflowEnvironment | undefined;
  let auditStore: AuditStore | undefined;
  beforeAll(async () => {
    const dir = temporaryDirectory('duban-web-');
    const env = await startDevServerWithWorker(join(dir, 'audit.sqlite'));
    // Should anything below fail, the server and worker still stop (or jest waits on them for ever).
    failed = env;
    const year = new Date().getFullYear() + 1;
    const seed = rebasePlan(await loadPlanFile(SEED_PLAN_PATH), year);
    const plan: Plan = { ...seed, policies: { ...seed.policies, requireAssistingReports: options.requireAssistingReports ?? false } };
    const duban = await DubanClient.connect({ address: serverAddress(env), namespace: env.namespace ?? 'default' });
    await duban.launch(plan, { keyring: keys().keyring, startNow: true });
    // Every test starts from assigned tasks, however long the campaign takes to start them.
    await untilTasksAssigned(duban, plan);
    const dbPath = join(dir, 'workspace.sqlite');
    auditStore = options.verifyAudit === true ? await openAuditStore(join(dir, 'audit.sqlite')) : undefined;
    const start = async () => {
      const server = await createWorkspaceServer({ duban, plans: [plan], dbPath, port: 0, boardPollMs: 500, ...(auditStore ? { auditStore } : {}), ...options.server });
      return { server, url: await server.listen() };
    };
    const started = await start();
    const state: TestWorkspace = {
      env,
      duban,
      plan,
      keys: keys(),
      ...started,
      dbPath,
      dir,
      invite: async (person, ttlMs) => (await invitePerson({ dbPath, keyStore: keys().store, plans: [plan], person, baseUrl: state.url, ...(ttlMs !== undefined ? { ttlMs } : {}) })).link,
      offeredSecret: async (link) => {
        const accounts = Accounts.open(dbPath);
        try {
          const token = decodeURIComponent(new URL(link).pathname.split('/').pop() ?? '');
          return (await accounts.invitationContents(token, Date.now())).totpSecret ?? '';
        } finally {
          accounts.close();
        }
      },
      restart: async () => {
        await state.server.close();
        const again = await createWorkspaceServer({ duban, plans: [plan], dbPath, port: Number(new URL(state.url).port), boardPollMs: 500, ...(auditStore ? { auditStore } : {}), ...options.server });
        await again.listen();
        state.server = again;
      },
    };
    ws = state;
    failed = undefined;
  }, 300_000);
  afterAll(async () => {
    await failed?.teardown();
    await ws?.server.close();
    await auditStore?.close();
    await ws?.duban.close();
    await ws?.env.teardown();
    removeTemporaryDirectories();
  });
  return () => {
    if (ws === undefined) throw new Error('The workspace is not started yet: read ws() inside a test or hook.');
    return ws;
  };
}

/**
 * A person's browser without the browser, for the server tests: cookies kept like a
 * browser keeps them, redirects not followed (the tests look at each answer), and the
 * `_csrf` token of the last page read sent with each form.
 */
export class WebSession {
  readonly cookies = new Map<string, string>();
  /** The `_csrf` of the last page read. */
  csrf: string | undefined;

  constructor(readonly base: string) {}

  private cookieHeader(): string {
    return [...this.cookies.entries()].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private keep(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = (pair ?? '').indexOf('=');
      const name = (pair ?? '').slice(0, eq).trim();
      const value = (pair ?? '').slice(eq + 1).trim();
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  async get(path: string): Promise<{ status: number; html: string; location: string | null; headers: Headers }> {
    const send = () => fetch(new URL(path, this.base), { redirect: 'manual', headers: { cookie: this.cookieHeader() } });
    // After a restart the first request may go out on a pooled connection the old server closed.
    const response = await send().catch(send);
    this.keep(response);
    const html = await response.text();
    const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
    if (token) this.csrf = token;
    return { status: response.status, html, location: response.headers.get('location'), headers: response.headers };
  }

  /** Posts `form` with the `_csrf` of the last page read (unless `csrf: false`). */
  async post(path: string, form: Record<string, string>, options: { csrf?: boolean } = {}): Promise<{ status: number; html: string; location: string | null }> {
    const body = new URLSearchParams(form);
    if (options.csrf !== false && this.csrf) body.set('_csrf', this.csrf);
    const response = await fetch(new URL(path, this.base), {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: this.cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
    this.keep(response);
    const html = await response.text();
    const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
    if (token) this.csrf = token;
    return { status: response.status, html, location: response.headers.get('location') };
  }

  /** Accepts an invitation link with `password`, enrolling a second factor when `totpCode` is given. */
  async accept(link: string, password: string, totpCode?: string): Promise<{ status: number; html: string; location: string | null }> {
    const page = await this.get(link);
    if (page.status !== 200) throw new Error(`invitation page answered ${page.status}`);
    const form: Record<string, string> = { password, password2: password };
    if (totpCode !== undefined) Object.assign(form, { totp: '1', totpCode });
    return this.post(new URL(link).pathname, form);
  }

  /** Logs in (password only); returns the answer to the password post. */
  async login(person: string, password: string): Promise<{ status: number; html: string; location: string | null }> {
    await this.get('/login');
    return this.post('/login', { username: person, password });
  }
}
