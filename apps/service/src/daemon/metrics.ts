import type { JobType } from '@connectors/framework';

/** Counters and gauges the service exposes on `/metrics` (Prometheus text format). */
export interface ServiceMetrics {
  jobStarted(jobType: JobType): void;
  jobFinished(jobType: JobType, status: string, durationSeconds: number): void;
  documents(indexed: number, deleted: number, bytes: number): void;
  retry(throttled: boolean, waitMs: number): void;
  setQueueDepth(depth: number): void;
  /** The exposition text. */
  render(): string;
}

const DURATION_BUCKETS = [1, 5, 15, 60, 300, 900, 3600, 14_400];

/** Creates the in-process metrics registry. */
export function createServiceMetrics(): ServiceMetrics {
  const jobs = new Map<string, number>();
  const started = new Map<string, number>();
  const durations = new Map<string, { buckets: number[]; sum: number; count: number }>();
  let indexed = 0;
  let deleted = 0;
  let bytes = 0;
  let retries = 0;
  let throttled = 0;
  let throttleWaitMs = 0;
  let queueDepth = 0;
  const inc = (map: Map<string, number>, key: string, by = 1) => map.set(key, (map.get(key) ?? 0) + by);

  return {
    jobStarted(jobType) {
      inc(started, jobType);
    },
    jobFinished(jobType, status, durationSeconds) {
      inc(jobs, `${jobType}\u0000${status}`);
      const entry = durations.get(jobType) ?? { buckets: DURATION_BUCKETS.map(() => 0), sum: 0, count: 0 };
      DURATION_BUCKETS.forEach((bound, i) => {
        if (durationSeconds <= bound) entry.buckets[i] = (entry.buckets[i] ?? 0) + 1;
      });
      entry.sum += durationSeconds;
      entry.count += 1;
      durations.set(jobType, entry);
    },
    documents(i, d, b) {
      indexed += i;
      deleted += d;
      bytes += b;
    },
    retry(isThrottled, waitMs) {
      retries += 1;
      if (isThrottled) {
        throttled += 1;
        throttleWaitMs += waitMs;
      }
    },
    setQueueDepth(depth) {
      queueDepth = depth;
    },
    render() {
      const lines: string[] = [];
      lines.push(
        '# HELP connectors_jobs_started_total Jobs started by this process.',
        '# TYPE connectors_jobs_started_total counter',
      );
      for (const [type, n] of started) lines.push(`connectors_jobs_started_total{job_type="${type}"} ${n}`);
      lines.push(
        '# HELP connectors_jobs_total Jobs finished by this process, by final status.',
        '# TYPE connectors_jobs_total counter',
      );
      for (const [key, n] of jobs) {
        const [type, status] = key.split('\u0000');
        lines.push(`connectors_jobs_total{job_type="${type}",status="${status}"} ${n}`);
      }
      lines.push(
        '# HELP connectors_job_duration_seconds Duration of finished jobs.',
        '# TYPE connectors_job_duration_seconds histogram',
      );
      for (const [type, entry] of durations) {
        DURATION_BUCKETS.forEach((bound, i) =>
          lines.push(
            `connectors_job_duration_seconds_bucket{job_type="${type}",le="${bound}"} ${entry.buckets[i] ?? 0}`,
          ),
        );
        lines.push(`connectors_job_duration_seconds_bucket{job_type="${type}",le="+Inf"} ${entry.count}`);
        lines.push(`connectors_job_duration_seconds_sum{job_type="${type}"} ${entry.sum}`);
        lines.push(`connectors_job_duration_seconds_count{job_type="${type}"} ${entry.count}`);
      }
      lines.push(
        '# HELP connectors_documents_indexed_total Documents indexed.',
        '# TYPE connectors_documents_indexed_total counter',
        `connectors_documents_indexed_total ${indexed}`,
        '# HELP connectors_documents_deleted_total Documents deleted.',
        '# TYPE connectors_documents_deleted_total counter',
        `connectors_documents_deleted_total ${deleted}`,
        '# HELP connectors_indexed_bytes_total Bytes of indexed documents.',
        '# TYPE connectors_indexed_bytes_total counter',
        `connectors_indexed_bytes_total ${bytes}`,
        '# HELP connectors_api_retries_total HTTP retries against source APIs.',
        '# TYPE connectors_api_retries_total counter',
        `connectors_api_retries_total ${retries}`,
        '# HELP connectors_api_throttled_total Retries the remote asked for (429/503 with Retry-After).',
        '# TYPE connectors_api_throttled_total counter',
        `connectors_api_throttled_total ${throttled}`,
        '# HELP connectors_api_throttle_wait_seconds_total Time spent waiting on Retry-After.',
        '# TYPE connectors_api_throttle_wait_seconds_total counter',
        `connectors_api_throttle_wait_seconds_total ${throttleWaitMs / 1000}`,
        '# HELP connectors_job_queue_depth Jobs waiting to run.',
        '# TYPE connectors_job_queue_depth gauge',
        `connectors_job_queue_depth ${queueDepth}`,
      );
      return `${lines.join('\n')}\n`;
    },
  };
}
