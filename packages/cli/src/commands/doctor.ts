import { execFileSync } from 'node:child_process';
import type { Command } from 'commander';
import { DubanError, ENV, ErrorCode, isDubanError, isErrorCode, messageOf } from '@duban/common';
import { binaryVersion, resolveTemporalBinary, TEMPORAL_BINARIES, type TemporalBinaryKind } from '@duban/servers';
import { connectClient, connectionSettings } from '../connection';
import type { CommandContext } from '../context';
import { paint } from '../output';

export interface DoctorReport {
  node: string;
  pnpm: string | undefined;
  binaries: Array<{
    kind: TemporalBinaryKind;
    source?: string;
    path?: string;
    version?: string;
    problem?: { code: string; message: string };
  }>;
  server: { address: string; namespace: string; source: string; answers: boolean; version?: string; problem?: string };
}

export async function runDoctor(ctx: CommandContext): Promise<DoctorReport> {
  let pnpm: string | undefined;
  try {
    pnpm = execFileSync('pnpm', ['--version'], { encoding: 'utf8', timeout: 10_000, env: ctx.env }).trim();
  } catch {
    pnpm = undefined;
  }

  const binaries: DoctorReport['binaries'] = [];
  for (const kind of Object.keys(TEMPORAL_BINARIES) as TemporalBinaryKind[]) {
    try {
      const resolved = resolveTemporalBinary(kind, { env: ctx.env, cwd: ctx.cwd });
      binaries.push({
        kind,
        source: resolved.source,
        ...(resolved.source !== 'sdk-download' ? { path: resolved.path } : {}),
        version: binaryVersion(resolved),
      });
    } catch (error) {
      if (!isDubanError(error)) throw error;
      binaries.push({ kind, problem: { code: error.code, message: error.message } });
    }
  }

  const settings = await connectionSettings(ctx.env[ENV.profile] || undefined, ctx.env);
  const server: DoctorReport['server'] = {
    address: settings.address,
    namespace: settings.namespace,
    source: settings.source,
    answers: false,
  };
  try {
    const { connection } = await connectClient(settings);
    const info = await connection.workflowService.getSystemInfo({});
    server.answers = true;
    server.version = info.serverVersion ?? undefined;
    await connection.close();
  } catch (error) {
    server.problem = messageOf(error);
  }

  return { node: process.version, pnpm, binaries, server };
}

export function registerDoctor(program: Command, ctx: CommandContext): void {
  program
    .command('doctor')
    .description('Check Node, pnpm, the Temporal binaries and whether a server answers')
    .option('--json', 'print the report as JSON')
    .addHelpText('after', '\nExamples:\n  $ pnpm duban doctor\n  $ TEMPORAL_ADDRESS=temporal.internal:7233 pnpm duban doctor --json')
    .action(async (options: { json?: boolean }) => {
      const report = await runDoctor(ctx);
      const { output } = ctx;
      if (options.json) output.json(report);
      else {
        output.line(`node       ${report.node}`);
        output.line(`pnpm       ${report.pnpm ?? paint(output, 'yellow', 'not found (npm install -g pnpm@10)')}`);
        for (const binary of report.binaries) {
          const name = TEMPORAL_BINARIES[binary.kind].fileName.padEnd(21);
          if (binary.problem) output.line(`${name}${paint(output, 'red', 'missing')}`);
          else output.line(`${name}${binary.version ?? 'version unknown'}  (${binary.source}${binary.path ? `: ${binary.path}` : ''})`);
        }
        const { server } = report;
        const state = server.answers
          ? paint(output, 'green', `answers (server ${server.version ?? 'version unknown'})`)
          : paint(output, 'yellow', 'does not answer — start one with `pnpm duban dev`');
        output.line(`server     ${server.address} namespace ${server.namespace} (${server.source}): ${state}`);
      }
      const missing = report.binaries.find((binary) => binary.problem);
      if (missing?.problem) {
        const { code, message } = missing.problem;
        throw new DubanError(isErrorCode(code) ? code : ErrorCode.TEMPORAL_BINARY_NOT_FOUND, message, { details: { kind: missing.kind } });
      }
    });
}
