/**
 * `@duban/web`: the workspace people use — a server-rendered web app over the duban
 * client, with accounts, sessions, and instructions signed with the logged-in person's key.
 *
 * @example
 * ```ts
 * import { createWorkspaceServer, invitePerson } from '@duban/web';
 * const workspace = await createWorkspaceServer({ duban, plans: [plan], dbPath: '.duban/workspace.sqlite', port: 0 });
 * const url = await workspace.listen();
 * const { link } = await invitePerson({ dbPath: '.duban/workspace.sqlite', keyStore: KeyStore.fromEnv(), plans: [plan], person: 'chengguan-head', baseUrl: url });
 * ```
 */
export { createWorkspaceServer, DEFAULT_WORKSPACE_PORT } from './server';
export type { WorkspaceOptions, WorkspaceServer, WorkspaceViews } from './server';
export { invitePerson } from './invite';
export type { Invitation, InviteOptions } from './invite';
export { Accounts, DEFAULT_ACCOUNT_POLICY, DEFAULT_INVITATION_MS, MAX_FAILURES } from './accounts';
export type { AccountPolicy, LoginOutcome, SessionRecord } from './accounts';
export { openVault, sealVault, VAULT_FORMAT } from './keystore';
export type { SealedVault, VaultContents, VaultKey } from './keystore';
export { FORM_FIELDS } from './models';
export type * from './models';
