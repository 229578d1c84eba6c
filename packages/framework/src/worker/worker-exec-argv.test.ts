import { describe, expect, it } from 'vitest';
import { workerExecArgv } from './worker-exec-argv.js';

describe('workerExecArgv', () => {
  it('drops the --eval input options and their values, keeps everything else', () => {
    expect(
      workerExecArgv([
        '--enable-source-maps',
        '--input-type=module',
        '--eval',
        'import("x")',
        '--max-old-space-size=512',
        '--input-type',
        'module',
        '-p',
        '1+1',
        '--conditions=@connectors/source',
      ]),
    ).toEqual(['--enable-source-maps', '--max-old-space-size=512', '--conditions=@connectors/source']);
    // Nothing to drop: inherit, as Node does by default (explicit V8 flags such as --expose-gc are refused).
    expect(workerExecArgv(['--expose-gc', '--enable-source-maps'])).toBeUndefined();
    expect(workerExecArgv([])).toBeUndefined();
  });
});
