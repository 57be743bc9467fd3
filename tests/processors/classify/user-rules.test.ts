import { describe, expect, it } from 'vitest';
import type { Span } from '../../../src/model/index.js';
import {
  classesOf,
  classify,
  exceptionEvent,
  llmStep,
  raised,
  stepSpan,
  toolStep,
} from './helpers.js';

const declined = () =>
  stepSpan(
    toolStep('issue_refund'),
    raised('stripe.CardError', 'card_declined: insufficient funds'),
  );

describe('user rules', () => {
  const paymentDeclined = {
    name: 'payment_declined',
    class: 'payment_declined',
    severity: 'critical',
    when: {
      step_type: 'tool_call',
      attribute_equals: { 'step.tool_name': ['issue_refund', 'charge_card'] },
      attribute_matches: { 'exception.message': '(?i)card_declined' },
    },
    suppresses: ['tool_error'],
    message: '{step.tool_name}: {exception.message}',
  };

  it('produce their class, severity and message, and suppress what they list', async () => {
    const failures = await classify([declined()], { rules: [paymentDeclined] });
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({
      failureClass: 'payment_declined',
      severity: 'critical',
      rule: 'payment_declined',
      message: 'issue_refund: card_declined: insufficient funds',
      operation: 'issue_refund',
      stepType: 'tool_call',
    });
  });

  it('without suppresses, stand beside the built-in classes', async () => {
    const rule = { ...paymentDeclined, suppresses: [] };
    expect(classesOf(await classify([declined()], { rules: [rule] }))).toEqual([
      'payment_declined',
      'tool_error',
    ]);
  });

  it('for a built-in class replace the built-in on the spans they match', async () => {
    const rule = {
      name: 'refund_tool_error',
      class: 'tool_error',
      severity: 'critical',
      when: {
        step_type: 'tool_call',
        attribute_matches: { 'step.tool_name': 'refund' },
        status: 'error',
      },
      message: 'refunds are failing: {exception.message}',
    };
    const failures = await classify([declined()], { rules: [rule] });
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({
      rule: 'refund_tool_error',
      severity: 'critical',
      failureClass: 'tool_error',
    });
    // On other spans the built-in still applies.
    const other = stepSpan(toolStep('lookup_order'), raised('KeyError', 'x'));
    expect((await classify([other], { rules: [rule] }))[0]).toMatchObject({
      rule: 'builtin.tool_error',
    });
  });

  it('read every kind of key: attributes, resource, span and step fields, exception events', async () => {
    const rule = (when: object) => ({
      rules: [{ name: 'probe', class: 'probe', severity: 'low', when }],
      overlap: 'keep_all',
    });
    const span = stepSpan(
      llmStep({
        usage: { input: 900, output: 12, total: 912, cacheRead: 0, cacheWrite: 0, reasoning: 0 },
      }),
      {
        name: 'chat gpt-4o',
        attributes: {
          'gen_ai.request.max_tokens': 4096n,
          tags: ['beta', 'eu'],
          'feature.flag': true,
        },
        events: [exceptionEvent('ValueError', 'bad input')],
        resource: {
          attributes: { 'service.name': 'svc', 'deployment.environment': 'prod' },
          droppedAttributesCount: 0,
          schemaUrl: '',
        },
      },
    );
    const probes: [object, boolean][] = [
      [{ attribute_equals: { 'gen_ai.request.max_tokens': 4096 } }, true],
      [{ attribute_equals: { 'gen_ai.request.max_tokens': '4096' } }, true],
      [{ attribute_equals: { tags: 'eu' } }, true],
      [{ attribute_equals: { 'feature.flag': true } }, true],
      [{ attribute_equals: { 'feature.flag': false } }, false],
      [{ attribute_equals: { 'resource.deployment.environment': 'prod' } }, true],
      [{ attribute_compare: [{ key: 'step.input_tokens', op: '>', value: 800 }] }, true],
      [{ attribute_compare: [{ key: 'step.input_tokens', op: '<=', value: 800 }] }, false],
      [{ attribute_compare: [{ key: 'gen_ai.request.max_tokens', op: '!=', value: 4096 }] }, false],
      [{ attribute_exists: ['exception.type', 'step.model'] }, true],
      [{ attribute_exists: ['step.tool_name'] }, false],
      [{ attribute_matches: { 'exception.type': '^Value' } }, true],
      [{ attribute_matches: { 'span.service': '^svc$' } }, true],
      [{ name_matches: '(?i)^CHAT' }, true],
      [{ event_names: ['exception', 'retry'] }, true],
      [{ span_kind: 'server' }, false],
      [{ status: ['unset', 'ok'] }, true],
      [{ duration_over: '1s' }, false],
      [{ not: { step_type: 'llm_call' } }, false],
      [{ any_of: [{ step_type: 'tool_call' }, { attribute_exists: ['tags'] }] }, true],
    ];
    for (const [when, expected] of probes) {
      const found = classesOf(await classify([structuredClone(span)], rule(when)));
      expect([when, found.includes('probe')]).toEqual([when, expected]);
    }
  });
});

describe('built-in overrides', () => {
  const notFound = () =>
    stepSpan({}, { kind: 3, attributes: { 'http.response.status_code': 404n } });

  it('switch a built-in off with false or enabled: false', async () => {
    expect(classesOf(await classify([notFound()]))).toEqual(['http_4xx']);
    expect(await classify([notFound()], { builtins: { http_4xx: false } })).toEqual([]);
    expect(await classify([notFound()], { builtins: { http_4xx: { enabled: false } } })).toEqual(
      [],
    );
  });

  it('change a built-in severity', async () => {
    const [failure] = await classify([notFound()], {
      builtins: { http_4xx: { severity: 'high' } },
    });
    expect(failure).toMatchObject({ failureClass: 'http_4xx', severity: 'high' });
  });

  it('set duration budgets per step type, 0 switching one off', async () => {
    const slow = (step: object, seconds: number): Span =>
      stepSpan(step, {
        startTimeUnixNano: 1_700_000_000_000_000_000n,
        endTimeUnixNano: 1_700_000_000_000_000_000n + BigInt(seconds) * 1_000_000_000n,
      });
    const config = { budgets: { step_duration: { llm_call: '10s', tool_call: 0, agent: '5m' } } };
    expect(classesOf(await classify([slow(llmStep(), 15)], config))).toEqual(['timeout']);
    expect(await classify([slow(toolStep('t'), 600)], config)).toEqual([]);
    expect(classesOf(await classify([slow({ type: 'agent' }, 301)], config))).toEqual(['timeout']);
    // Types not named keep their defaults.
    expect(
      classesOf(await classify([slow({ type: 'retrieval', retrievalDocuments: 3 }, 31)], config)),
    ).toEqual(['timeout']);
  });

  it('set the quality thresholds', async () => {
    const scored = () =>
      stepSpan(llmStep({ evaluations: [{ name: 'helpfulness', label: '', score: 0.7 }] }));
    expect(await classify([scored()])).toEqual([]);
    expect(classesOf(await classify([scored()], { thresholds: { low_quality: 0.75 } }))).toEqual([
      'low_quality',
    ]);
  });
});

describe('overlapping classes', () => {
  it('keep only the most specific class by default', async () => {
    const span = stepSpan(toolStep('lookup_order'), raised('TimeoutError', 'read timed out'));
    expect(classesOf(await classify([span]))).toEqual(['timeout']);
  });

  it('keep every class with overlap: keep_all', async () => {
    const span = stepSpan(toolStep('lookup_order'), raised('TimeoutError', 'read timed out'));
    expect(classesOf(await classify([span], { overlap: 'keep_all' }))).toEqual([
      'error_status',
      'exception',
      'timeout',
      'tool_error',
    ]);
  });

  it('keep independent classes side by side', async () => {
    const span = stepSpan(
      llmStep({
        finishReasons: ['content_filter'],
        evaluations: [{ name: 'relevance', label: 'irrelevant', score: Number.NaN }],
      }),
    );
    expect(classesOf(await classify([span]))).toEqual(['content_filtered', 'low_quality']);
  });
});
