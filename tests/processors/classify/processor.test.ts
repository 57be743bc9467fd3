import type { Counter } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { Failure, Span } from '../../../src/model/index.js';
import { RetryableError } from '../../../src/pipeline/errors.js';
import { sampleSpan } from '../../helpers/spans.js';
import { agentTrace, classifier, raised, stepSpan, toolStep } from './helpers.js';

const failing = (service = 'booking-agent'): Span =>
  stepSpan(toolStep('lookup_order'), {
    ...raised('KeyError', 'x'),
    resource: { attributes: { 'service.name': service }, droppedAttributesCount: 0, schemaUrl: '' },
  });

describe('ClassifyProcessor', () => {
  describe('consume', () => {
    it('adds span and trace failures to the batch and hands it on', async () => {
      const { processor, next } = await classifier();
      const trace = agentTrace(
        Array.from({ length: 3 }, () => ({
          type: 'tool_call' as const,
          toolName: 'a',
          toolArguments: '{}',
        })),
      );
      const healthy = sampleSpan();
      const batch = { spans: [failing(), healthy], traces: [trace], failures: [] as Failure[] };
      await processor.consume(batch);
      expect(next.batches).toEqual([batch]);
      expect(batch.failures.map((f) => f.failureClass)).toEqual(['tool_error', 'agent_loop']);
      expect(batch.spans[0]!.failures).toEqual([batch.failures[0]]);
      expect(trace.failures).toEqual([batch.failures[1]]);
      expect(healthy.failures).toEqual([]);
    });

    it("pushes into the span's existing list, which the trace step shares", async () => {
      const { processor } = await classifier();
      const span = failing();
      const shared: Failure[] = [];
      span.failures = shared;
      await processor.consume({ spans: [span], traces: [], failures: [] });
      expect(span.failures).toBe(shared);
      expect(shared).toHaveLength(1);
    });

    it('classifies spans before traces, so trace rules see span failures', async () => {
      const { processor } = await classifier({
        rules: [
          {
            name: 'failed_run',
            level: 'trace',
            class: 'failed_run',
            severity: 'high',
            when: { failure_class: 'tool_error' },
          },
        ],
      });
      const span = failing();
      const trace = agentTrace([]);
      trace.steps[0]!.failures = span.failures = [];
      const batch = { spans: [span], traces: [trace], failures: [] as Failure[] };
      await processor.consume(batch);
      expect(batch.failures.map((f) => f.failureClass)).toEqual(['tool_error', 'failed_run']);
    });

    it('counts a rule that throws and still classifies with the others', async () => {
      const { processor, metrics } = await classifier({
        rules: [
          {
            name: 'fragile',
            class: 'fragile',
            severity: 'low',
            when: { attribute_exists: ['boom'] },
          },
        ],
      });
      const span = failing();
      span.attributes = new Proxy(span.attributes, {
        get(target, key) {
          if (key === 'boom') throw new Error('attribute store broke');
          return target[key as string];
        },
      });
      const batch = { spans: [span, span], traces: [], failures: [] as Failure[] };
      await processor.consume(batch);
      expect(batch.failures.map((f) => f.failureClass)).toEqual(['tool_error']);
      const errors = await (
        metrics.getSingleMetric('faultline_classify_rule_errors_total') as Counter
      ).get();
      expect(errors.values).toEqual([
        { labels: { processor: 'classify', rule: 'fragile' }, value: 2 },
      ]);
    });
  });

  describe('metrics', () => {
    it('count failures by service, class and severity, collapsing services beyond the limit', async () => {
      const { processor, metrics } = await classifier({ metrics: { max_services: 2 } });
      const spans = ['a', 'b', 'c', 'd', 'a'].map((service) => failing(service));
      await processor.consume({ spans, traces: [], failures: [] });
      const counted = await (metrics.getSingleMetric('faultline_failures_total') as Counter).get();
      const byService = Object.fromEntries(
        counted.values.map((v) => [String(v.labels.service), v.value]),
      );
      expect(byService).toEqual({ a: 2, b: 1, __other__: 2 });
      expect(counted.values[0]!.labels).toMatchObject({ class: 'tool_error', severity: 'high' });
      const overflow = await (
        metrics.getSingleMetric('faultline_metric_label_overflow_total') as Counter
      ).get();
      expect(overflow.values).toEqual([
        { labels: { metric: 'faultline_failures_total', label: 'service' }, value: 2 },
      ]);
    });
  });

  describe('lifecycle', () => {
    it('can be shut down before start and twice', async () => {
      const { processor } = await classifier();
      await processor.shutdown();
      await expect(processor.shutdown()).resolves.toBeUndefined();
    });

    it('refuses batches after shutdown with a retryable error', async () => {
      const { processor } = await classifier();
      await processor.shutdown();
      await expect(
        processor.consume({ spans: [failing()], traces: [], failures: [] }),
      ).rejects.toBeInstanceOf(RetryableError);
    });

    it('flushes the next component', async () => {
      const { processor, next } = await classifier();
      let flushed = false;
      next.flush = () => {
        flushed = true;
        return Promise.resolve();
      };
      await processor.flush();
      expect(flushed).toBe(true);
    });
  });
});
