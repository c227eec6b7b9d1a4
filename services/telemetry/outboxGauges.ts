import type { BatchObservableCallback } from '@opentelemetry/api';
import type { Logger } from '../logging';
import type { OutboxDoc } from '../notifications/model';
import type { DocumentStore } from '../storage/documentStore';
import { METRICS, meter } from './telemetry';

/**
 * The outbox as two gauges, read when the metrics are collected (every 60 s with the exporter; never without one):
 * `lotse.outbox.backlog`, the deliveries still to happen, and `lotse.outbox.oldest_due_age`, how long (seconds) the
 * most overdue of them has been due. Two single-value aggregate queries over the outbox; each instance reports its
 * own reading of the one database (alerts take the maximum, see docs/operations.md).
 * Returns the function that stops the readings.
 */
export function observeOutbox(store: DocumentStore<OutboxDoc>, now: () => number, logger: Logger): () => void {
  const m = meter();
  const backlog = m.createObservableGauge(METRICS.outboxBacklog, { description: 'Outbox deliveries still to happen (pending, leased or sending)', unit: '{delivery}' });
  const oldest = m.createObservableGauge(METRICS.outboxOldestDueAge, { description: 'How long the most overdue outbox delivery has been due', unit: 's' });
  const callback: BatchObservableCallback = async (result) => {
    try {
      const at = now();
      const [count] = await store.query<number>({ query: 'SELECT VALUE COUNT(1) FROM c WHERE c.kind = @kind AND c.open = true', parameters: [{ name: '@kind', value: 'delivery' }] });
      const [due] = await store.query<number | undefined>({
        query: 'SELECT VALUE MIN(c.dueAt) FROM c WHERE c.kind = @kind AND c.open = true AND c.dueAt <= @now',
        parameters: [{ name: '@kind', value: 'delivery' }, { name: '@now', value: at }],
      });
      result.observe(backlog, count ?? 0);
      result.observe(oldest, typeof due === 'number' ? Math.max(0, Math.round((at - due) / 1000)) : 0);
    } catch (err) {
      // No reading this time; the next collection tries again. Telemetry never fails the service.
      logger.warn({ event: 'telemetry.outbox_gauge_failed', code: (err as Error)?.name ?? 'Error' }, 'outbox gauges not read');
    }
  };
  m.addBatchObservableCallback(callback, [backlog, oldest]);
  return () => m.removeBatchObservableCallback(callback, [backlog, oldest]);
}
