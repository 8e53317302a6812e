import type { Output } from './output';

/** What every command gets from the entry point; tests build their own. */
export interface CommandContext {
  output: Output;
  /** Working directory that relative paths resolve against. */
  cwd: string;
  env: NodeJS.ProcessEnv;
}
