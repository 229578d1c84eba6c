import { createDropboxSimulator } from '@connectors/source-dropbox/simulator';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempConfig } from './cli-harness.js';

function dropboxConnector(id: string, configuration: Record<string, unknown>) {
  return { connector_id: id, service_type: 'dropbox', index_name: `search-${id}`, configuration };
}

describe('connectors sync and search on the embedded store', () => {
  it('syncs exactly the ground truth, then applies changes incrementally', async () => {
    await using sim = await createDropboxSimulator({ seed: 7, size: 'small' });
    await using cfg = await tempConfig({
      service: { data_dir: './data' },
      connectors: [dropboxConnector('box', { ...sim.configFor(), use_document_level_security: true })],
    });
    const truth = sim.groundTruth({ dls: true });

    const full = await runCli(['sync', '-c', cfg.file, '--connector', 'box', '--job', 'full', '--json']);
    expect(full.stderr).toBe('');
    expect(full.code).toBe(0);
    const summary = JSON.parse(full.stdout) as Record<string, unknown>;
    expect(summary).toMatchObject({
      status: 'completed',
      indexed: truth.documents.length,
      deleted: 0,
      total: truth.documents.length,
      skipped: 0,
    });
    expect(Object.keys(summary).sort()).toEqual(
      ['deleted', 'durationMs', 'errors', 'indexed', 'skipped', 'status', 'total', 'volume'].sort(),
    );

    // Changes in the tenant: one file added, one deleted.
    const victim = truth.documents.find(
      (doc) => typeof doc.file_path === 'string' && String(doc.name ?? '').endsWith('.txt'),
    );
    expect(victim).toBeDefined();
    sim.admin.addFile('', 'added-by-test.txt', 'hello incremental world');
    sim.admin.deleteItem(String(victim?.file_path));
    sim.resetCallCounts();
    const incremental = await runCli([
      'sync',
      '-c',
      cfg.file,
      '--connector',
      'box',
      '--job',
      'incremental',
      '--json',
    ]);
    expect(incremental.code).toBe(0);
    const after = JSON.parse(incremental.stdout) as Record<string, number | string>;
    const newTruth = sim.groundTruth({ dls: true });
    expect(after).toMatchObject({
      status: 'completed',
      indexed: 1,
      deleted: 1,
      total: newTruth.documents.length,
    });
    // An incremental run costs O(changes): far fewer list calls than the full listing.
    const calls = sim.callCounts();
    expect(calls['files/list_folder'] ?? 0).toBe(0);
  });

  it('searches with document-level security after an access-control sync', async () => {
    await using sim = await createDropboxSimulator({ seed: 3, size: 'small' });
    await using cfg = await tempConfig({
      service: { data_dir: './data' },
      connectors: [dropboxConnector('box', { ...sim.configFor(), use_document_level_security: true })],
    });
    expect((await runCli(['sync', '-c', cfg.file, '--connector', 'box', '--json'])).code).toBe(0);
    const acl = await runCli([
      'sync',
      '-c',
      cfg.file,
      '--connector',
      'box',
      '--job',
      'access_control',
      '--json',
    ]);
    expect(acl.code).toBe(0);
    const truth = sim.groundTruth({ dls: true });
    expect(JSON.parse(acl.stdout)).toMatchObject({ status: 'completed', indexed: truth.identities.length });

    const member = truth.identities[0];
    expect(member).toBeDefined();
    const allowed = new Set(member?.access_control ?? []);
    const visible = truth.documents.filter(
      (doc) => !doc._allow_access_control || doc._allow_access_control.some((entry) => allowed.has(entry)),
    );
    const asMember = await runCli([
      'search',
      '-c',
      cfg.file,
      '--connector',
      'box',
      '--user',
      member?._id ?? '',
      '--json',
      '--limit',
      '500',
      '',
    ]);
    expect(asMember.code).toBe(0);
    expect(JSON.parse(asMember.stdout).total).toBe(visible.length);
    const stranger = await runCli([
      'search',
      '-c',
      cfg.file,
      '--connector',
      'box',
      '--user',
      'nobody@nowhere.invalid',
      '--json',
      '',
    ]);
    expect(JSON.parse(stranger.stdout).total).toBe(
      truth.documents.filter((doc) => !doc._allow_access_control).length,
    );
  });

  it('runs the demo (the quick start) and leaves a store that search reads with --keep', async () => {
    const keep = await mkdtemp(path.join(tmpdir(), 'connectors-demo-test-'));
    try {
      const demo = await runCli(['demo', '--keep', keep], { timeoutMs: 120_000 });
      expect(demo.code).toBe(0);
      // Progress goes to stderr, and nothing else does (no warning, no stack).
      expect(demo.stderr.trim().split('\n')).toEqual([
        'dropbox: full sync…',
        expect.stringMatching(/^dropbox: tenant changed \(1 file added, 1 modified, 1 deleted\)$/),
        'dropbox: incremental sync…',
        'dropbox: access-control sync…',
      ]);
      const rows = demo.stdout.split('\n').filter((line) => line.startsWith('dropbox '));
      expect(rows.map((row) => row.split(/\s{2,}/).slice(0, 3))).toEqual([
        ['dropbox', 'full sync', 'completed'],
        ['dropbox', 'incremental sync', 'completed'],
        ['dropbox', 'access-control sync', 'completed'],
      ]);
      const summary = /dropbox: (\d+) documents; (\S+) may see (\d+); an unknown user sees 0/.exec(
        demo.stdout,
      );
      expect(summary).not.toBeNull();
      const [, total, user, visible] = summary as RegExpExecArray;
      expect(Number(visible)).toBeGreaterThan(0);
      expect(Number(visible)).toBeLessThan(Number(total));
      // The printed hint works as given.
      const config = path.join(keep, 'config.yml');
      expect(demo.stdout).toContain(
        `Try: connectors search -c ${config} --connector demo-dropbox --user ${user} <words>`,
      );
      const search = await runCli([
        'search',
        '-c',
        config,
        '--connector',
        'demo-dropbox',
        '--user',
        String(user),
        '--json',
        '--limit',
        '500',
        '',
      ]);
      expect(search.code).toBe(0);
      expect(JSON.parse(search.stdout).total).toBe(Number(visible));
    } finally {
      await rm(keep, { recursive: true, force: true });
    }
  });

  it('rejects an invalid config.yml with every problem, its key path and line, and exit code 2', async () => {
    await using cfg = await tempConfig({
      service: { idling: 'soon', colour: 'blue' },
      connectors: [{ connector_id: 'x' }],
    });
    const result = await runCli(['config', 'validate', '-c', cfg.file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('service.idling (line 2)');
    expect(result.stderr).toContain("unknown key 'colour'");
    expect(result.stderr).toContain('connectors.0.service_type');
  });

  it('reports a misconfigured connector by name without a secret in the message', async () => {
    await using cfg = await tempConfig({
      connectors: [
        dropboxConnector('bad', { app_key: 'k', app_secret: 'super-secret-value-123', retry_count: 'many' }),
      ],
    });
    const result = await runCli(['sync', '-c', cfg.file, '--connector', 'bad', '--json']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("connector 'bad' is misconfigured");
    expect(result.stderr + result.stdout).not.toContain('super-secret-value-123');
  });

  it('loads a third-party source named in config.yml and syncs it', async () => {
    await using cfg = await tempConfig({
      sources: { tiny: './tiny-source.mjs:tinySource' },
      connectors: [{ connector_id: 'tiny-1', service_type: 'tiny', configuration: { count: 12 } }],
    });
    // A source module written without any import: a definition is a plain object.
    await writeFile(
      path.join(cfg.dir, 'tiny-source.mjs'),
      `export const tinySource = {
        apiVersion: 1, id: 'tiny', name: 'Tiny',
        capabilities: { incrementalSync: false, accessControl: false, advancedRules: false, binaryContent: false },
        configuration: { count: { type: 'int', label: 'Count', display: 'numeric', order: 1, required: true, sensitive: false,
          defaultValue: null, dependsOn: [], validations: [], tooltip: null, uiRestrictions: [], options: [] } },
        create: (config) => ({
          async check() {},
          async *listAll() {
            for (let i = 0; i < config.count; i += 1) yield { kind: 'upsert', document: { _id: 'doc-' + i, title: 'tiny document ' + i } };
          },
          async close() {},
        }),
      };\n`,
    );
    const result = await runCli(['sync', '-c', cfg.file, '--connector', 'tiny-1', '--json']);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toMatchObject({ status: 'completed', indexed: 12, total: 12 });
    const search = await runCli(['search', '-c', cfg.file, '--connector', 'tiny-1', '--json', 'tiny']);
    expect(JSON.parse(search.stdout).total).toBe(12);
  });
});
