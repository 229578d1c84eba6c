import { createTypedEmitter, type JobType, type SyncEvents, type SyncResult } from '@connectors/framework';
import type { Runtime } from '../runtime.js';

/** The summary of one job, as `connectors sync --json` prints it. */
export interface JobSummary {
  readonly status: string;
  readonly indexed: number;
  readonly deleted: number;
  readonly total: number | null;
  /** Indexed volume in MiB (as the job record has it). */
  readonly volume: number;
  readonly durationMs: number;
  readonly skipped: number;
  readonly errors: string[];
}

/** Creates an on-demand job for a connector and runs it in this process; returns its summary. */
export async function runOneJob(options: {
  readonly runtime: Runtime;
  readonly connectorId: string;
  readonly jobType: JobType;
  readonly signal: AbortSignal;
  readonly onProgress?: (payload: SyncEvents['batch:committed']) => void;
}): Promise<{ summary: JobSummary; result: SyncResult | undefined; jobId: string }> {
  const { runtime, connectorId, jobType, signal } = options;
  const jobId = await runtime.controlPlane.createJob(
    { connectorId, jobType, triggerMethod: 'on_demand' },
    signal,
  );
  const job = await runtime.controlPlane.getJob(jobId, signal);
  if (!job) throw new Error(`job ${jobId} vanished right after creation`);
  const events = createTypedEmitter<SyncEvents>();
  if (options.onProgress) events.on('batch:committed', options.onProgress);
  const started = Date.now();
  const result = await runtime.executeJob(job, signal, { events });
  const final = (await runtime.controlPlane.getJob(jobId, new AbortController().signal))?.doc;
  const startedAt = final?.started_at ? Date.parse(final.started_at) : started;
  const endedAt = final?.completed_at ? Date.parse(final.completed_at) : Date.now();
  const summary: JobSummary = {
    status: final?.status ?? 'error',
    indexed: final?.indexed_document_count ?? 0,
    deleted: final?.deleted_document_count ?? 0,
    total: final?.total_document_count ?? null,
    volume: final?.indexed_document_volume ?? 0,
    durationMs: Math.max(0, endedAt - startedAt),
    skipped: result?.skipped.count ?? 0,
    errors: [
      ...(final?.status === 'pending'
        ? [
            'the job did not start: another job of this connector holds its lock (it stays queued for the daemon)',
          ]
        : []),
      ...(final?.error ? [final.error] : []),
      ...(result?.skipped.samples ?? []).map((s) => `skipped${s.id ? ` ${s.id}` : ''}: ${s.reason}`),
      ...(result?.warnings.samples ?? []).map((s) => `warning${s.id ? ` ${s.id}` : ''}: ${s.reason}`),
    ],
  };
  return { summary, result, jobId };
}
