/**
 * Real local endpoints for the channel tests: an SMTP server (the `smtp-server` package,
 * with AUTH and TLS from a certificate made by openssl for 127.0.0.1), and messages
 * rendered from the notices the workflows build.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderNotice, type ChannelMessage } from '@duban/activities';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { NOTICES } from '../fixtures';

let counter = 0;

/** A rendered 督办单 (supervision notice) for task 3, in Chinese, with a fresh key. */
export function supervisionMessage(overrides: Partial<ChannelMessage> = {}): ChannelMessage {
  counter += 1;
  const { subject, body } = renderNotice(NOTICES['supervision-notice']);
  return {
    idempotencyKey: `duban/xihu-2020/task-3:${40 + counter}:notify.supervision-notice`,
    subject,
    text: body,
    recipients: [],
    ...overrides,
  };
}

/** A certificate and key for 127.0.0.1, valid for a day, made by openssl (self-signed: it is its own CA). */
export function localCertificate(): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'duban-cert-'));
  try {
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'],
      { stdio: 'ignore' },
    );
    return { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A port nothing listens on (taken from the OS, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface ReceivedMail {
  mailFrom: string;
  rcptTo: string[];
  /** The login used, and whether the session was encrypted when the message came. */
  user: string | undefined;
  secure: boolean;
  raw: string;
  parsed: ParsedMail;
}

/** How the server answers a message's DATA: accept, refuse with an SMTP code, or never answer. */
export type DataAnswer = 'accept' | 'hang' | { code: number; message: string };

export interface SmtpOptions {
  tls: { key: string; cert: string };
  /** TLS from the first byte (SMTPS) instead of STARTTLS. */
  implicitTls?: boolean;
  /** Offer no STARTTLS (and allow AUTH in clear). */
  noStarttls?: boolean;
  users: Record<string, string>;
  /** Decides the answer to the n-th message (1-based). Default: accept. */
  answer?: (n: number) => DataAnswer;
  /** Refuses these recipients at RCPT TO with 550. */
  unknownRecipients?: string[];
}

function smtpError(code: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode: code });
}

export async function startSmtp(options: SmtpOptions): Promise<{ port: number; mails: ReceivedMail[]; attempts: () => number; close: () => Promise<void> }> {
  const mails: ReceivedMail[] = [];
  let attempts = 0;
  const server = new SMTPServer({
    secure: options.implicitTls === true,
    key: options.tls.key,
    cert: options.tls.cert,
    disabledCommands: options.noStarttls === true ? ['STARTTLS'] : [],
    allowInsecureAuth: options.noStarttls === true,
    authMethods: ['PLAIN', 'LOGIN'],
    logger: false,
    closeTimeout: 200,
    onAuth(auth, _session, callback) {
      if (auth.username !== undefined && options.users[auth.username] === auth.password) callback(null, { user: auth.username });
      else callback(smtpError(535, 'Authentication credentials invalid'));
    },
    onRcptTo(address, _session, callback) {
      if (options.unknownRecipients?.includes(address.address) === true) callback(smtpError(550, 'No such user here'));
      else callback();
    },
    onData(stream, session, callback) {
      attempts += 1;
      const answer = options.answer?.(attempts) ?? 'accept';
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (answer === 'hang') return;
        if (answer !== 'accept') {
          callback(smtpError(answer.code, answer.message));
          return;
        }
        const raw = Buffer.concat(chunks).toString('utf8');
        simpleParser(raw).then(
          (parsed) => {
            mails.push({
              mailFrom: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
              rcptTo: session.envelope.rcptTo.map((r) => r.address),
              user: typeof session.user === 'string' ? session.user : undefined,
              secure: session.secure,
              raw,
              parsed,
            });
            callback();
          },
          (err: unknown) => callback(err instanceof Error ? err : new Error(String(err))),
        );
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    port,
    mails,
    attempts: () => attempts,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
