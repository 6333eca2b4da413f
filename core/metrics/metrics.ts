import { Counter, Histogram, Registry } from 'prom-client';

/**
 * The process's event counters (Prometheus, prom-client), one registry per process: counted where
 * things happen (webhooks, the inbound pipeline, the outbox senders, cron), exposed by GET /metrics
 * (http/metrics.ts) together with the gauges read from the database at scrape time.
 */
export const metricsRegistry = new Registry();

export type InboundOutcome = 'handled' | 'duplicate' | 'failed' | 'unrecorded' | 'refused_shutting_down' | 'client_aborted';

export const inboundUpdates = new Counter({
  name: 'otklik_inbound_updates_total',
  help: 'Inbound messenger updates by channel and outcome (handled, duplicate, failed = recorded as poison, unrecorded = 503, refused_shutting_down = 503 while stopping, client_aborted = the sender closed the connection before the body arrived)',
  labelNames: ['channel', 'outcome'] as const,
  registers: [metricsRegistry],
});

export const inboundSeconds = new Histogram({
  name: 'otklik_inbound_handling_seconds',
  help: 'Time from an update entering the pipeline to its commit (dedupe, dialog, reply row)',
  labelNames: ['channel'] as const,
  buckets: [0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [metricsRegistry],
});

export type SendResult = 'sent' | 'rate_limited' | 'channel_down' | 'transient' | 'permanent' | 'unreachable';

export const outboxSends = new Counter({
  name: 'otklik_outbox_sends_total',
  help: 'Outbox rows sent to a messenger (replies, notifications, broadcasts) by channel, lane and result',
  labelNames: ['channel', 'lane', 'result'] as const,
  registers: [metricsRegistry],
});

export const rateLimited = new Counter({
  name: 'otklik_messenger_429_total',
  help: 'Answers "too many requests" (429) received from a messenger',
  labelNames: ['channel'] as const,
  registers: [metricsRegistry],
});

export const cronRuns = new Counter({
  name: 'otklik_cron_runs_total',
  help: 'Cron job runs on this instance by job and outcome (skipped: another instance held the lock)',
  labelNames: ['job', 'outcome'] as const,
  registers: [metricsRegistry],
});

export const cronSeconds = new Histogram({
  name: 'otklik_cron_duration_seconds',
  help: 'Cron job run durations by job',
  labelNames: ['job'] as const,
  buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300],
  registers: [metricsRegistry],
});
