import { describe, expect, it } from 'vitest';
import { startHttpEndpoint } from './http-endpoint.js';
import { createServiceMetrics } from './metrics.js';

describe('the health and metrics endpoint', () => {
  it('serves /healthz, /readyz and Prometheus /metrics', async () => {
    const metrics = createServiceMetrics();
    let ready = false;
    const endpoint = await startHttpEndpoint({ host: '127.0.0.1', port: 0, metrics, ready: () => ready });
    try {
      expect((await fetch(`${endpoint.url}/healthz`)).status).toBe(200);
      expect((await fetch(`${endpoint.url}/readyz`)).status).toBe(503);
      ready = true;
      expect(await (await fetch(`${endpoint.url}/readyz`)).json()).toEqual({ ready: true });

      metrics.jobStarted('full');
      metrics.jobFinished('full', 'completed', 12);
      metrics.documents(40, 2, 4096);
      metrics.retry(true, 1500);
      metrics.retry(false, 200);
      metrics.setQueueDepth(3);
      const text = await (await fetch(`${endpoint.url}/metrics`)).text();
      expect(text).toContain('connectors_jobs_total{job_type="full",status="completed"} 1');
      expect(text).toContain('connectors_job_duration_seconds_bucket{job_type="full",le="15"} 1');
      expect(text).toContain('connectors_job_duration_seconds_bucket{job_type="full",le="5"} 0');
      expect(text).toContain('connectors_documents_indexed_total 40');
      expect(text).toContain('connectors_documents_deleted_total 2');
      expect(text).toContain('connectors_indexed_bytes_total 4096');
      expect(text).toContain('connectors_api_retries_total 2');
      expect(text).toContain('connectors_api_throttled_total 1');
      expect(text).toContain('connectors_api_throttle_wait_seconds_total 1.5');
      expect(text).toContain('connectors_job_queue_depth 3');
      expect((await fetch(`${endpoint.url}/nope`)).status).toBe(404);
    } finally {
      await endpoint.close();
    }
  });
});
