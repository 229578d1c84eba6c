/**
 * Options that apply to `--eval`/`--print` input only (a worker loading a file refuses to start with them).
 * Each takes a value, as `--name=value` or as the next argument.
 */
const EVAL_ONLY = new Set(['--input-type', '-e', '--eval', '-p', '--print']);

/**
 * The `execArgv` option for a worker thread: undefined (inherit this process's options, Node's default)
 * unless they hold options about `--eval` input, which make `new Worker(file)` fail
 * (ERR_INPUT_TYPE_NOT_ALLOWED) when the host was started as `node --input-type=module --eval ...`; then the
 * same options without those. (Options given explicitly are validated: start the worker with `[]` if
 * Node refuses them.)
 */
export function workerExecArgv(execArgv: readonly string[] = process.execArgv): string[] | undefined {
  const kept: string[] = [];
  for (let i = 0; i < execArgv.length; i += 1) {
    const arg = execArgv[i]!;
    const name = arg.split('=', 1)[0]!;
    if (!EVAL_ONLY.has(name)) {
      kept.push(arg);
      continue;
    }
    if (!arg.includes('=') && i + 1 < execArgv.length) i += 1;
  }
  return kept.length === execArgv.length ? undefined : kept;
}
