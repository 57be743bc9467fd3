import { describe, expect, it } from 'vitest';
import type { TraceStep } from '../../../src/model/index.js';
import {
  TraceAssembler,
  type AssemblerOptions,
} from '../../../src/processors/assemble/assembler.js';
import { traceStep } from '../../helpers/spans.js';

const OPTIONS: AssemblerOptions = {
  decisionWaitMs: 1000,
  rootWaitMs: 5000,
  maxTraces: 3,
  maxStepsPerTrace: 100,
  lateSpanWindowMs: 10_000,
  maxRememberedTraces: 10,
  maxSteps: 1000,
};

const traceId = (n: number) => n.toString(16).padStart(32, '0');

function step(spanId: string, parentSpanId = 'p'.padStart(16, '0')): TraceStep {
  return traceStep({ spanId, parentSpanId, name: spanId });
}
const root = (spanId = 'root') => step(spanId, '');

describe('TraceAssembler', () => {
  describe('completion', () => {
    it('emits a trace once its root arrived and no span came for decision_wait', () => {
      const assembler = new TraceAssembler(OPTIONS);
      assembler.add(traceId(1), step('child'), 0);
      assembler.add(traceId(1), root(), 100);
      expect(assembler.collect(1099)).toEqual([]);
      const [emission] = assembler.collect(1100);
      expect(emission?.reason).toBe('complete');
      expect(emission?.trace.incomplete).toBe(false);
      expect(emission?.trace.steps.map((s) => s.spanId)).toEqual(['child', 'root']);
    });

    it('waits for spans that arrive out of order and across requests', () => {
      const assembler = new TraceAssembler(OPTIONS);
      assembler.add(traceId(1), root(), 0);
      assembler.add(traceId(1), step('a'), 900);
      expect(assembler.collect(1000)).toEqual([]);
      assembler.add(traceId(1), step('b'), 1800);
      expect(assembler.collect(2700)).toEqual([]);
      expect(assembler.collect(2800)[0]?.trace.steps.map((s) => s.spanId)).toEqual([
        'root',
        'a',
        'b',
      ]);
    });

    it('flushes a trace whose root never arrives as incomplete after root_wait', () => {
      const assembler = new TraceAssembler(OPTIONS);
      assembler.add(traceId(1), step('orphan'), 0);
      expect(assembler.collect(4999)).toEqual([]);
      const [emission] = assembler.collect(5000);
      expect(emission?.reason).toBe('root_timeout');
      expect(emission?.trace.incomplete).toBe(true);
    });

    it('keeps traces apart by trace id', () => {
      const assembler = new TraceAssembler(OPTIONS);
      assembler.add(traceId(1), root('r1'), 0);
      assembler.add(traceId(2), root('r2'), 0);
      const ids = assembler.collect(1000).map((e) => e.trace.traceId);
      expect(ids.sort()).toEqual([traceId(1), traceId(2)]);
    });
  });

  describe('the memory bound', () => {
    it('flushes the oldest trace marked incomplete when max_traces is exceeded, dropping nothing', () => {
      const assembler = new TraceAssembler(OPTIONS);
      for (let n = 1; n <= 3; n++) {
        expect(assembler.add(traceId(n), step(`s${n}`), n).evicted).toEqual([]);
      }
      const { evicted } = assembler.add(traceId(4), step('s4'), 4);
      expect(evicted.map((e) => [e.trace.traceId, e.reason, e.trace.incomplete])).toEqual([
        [traceId(1), 'evicted', true],
      ]);
      expect(evicted[0]?.trace.steps.map((s) => s.spanId)).toEqual(['s1']);
      expect(assembler.heldTraces).toBe(3);
    });

    it('marks an evicted trace incomplete also when its root had arrived', () => {
      const assembler = new TraceAssembler({ ...OPTIONS, maxTraces: 1 });
      assembler.add(traceId(1), root(), 0);
      const { evicted } = assembler.add(traceId(2), step('x'), 1);
      expect(evicted.map((e) => [e.reason, e.trace.incomplete])).toEqual([['evicted', true]]);
    });

    it('keeps at most max_steps_per_trace steps of a huge trace and counts the rest', () => {
      const assembler = new TraceAssembler({
        ...OPTIONS,
        maxStepsPerTrace: 10_000,
        maxSteps: 10_000,
      });
      assembler.add(traceId(1), root(), 0);
      for (let i = 1; i < 10_000; i++) assembler.add(traceId(1), step(`s${i}`), 0);
      expect(assembler.add(traceId(1), step('beyond'), 0).outcome).toBe('dropped');
      const [emission] = assembler.collect(1000);
      expect(emission?.trace.steps).toHaveLength(10_000);
      expect(emission?.trace.steps.at(-1)?.spanId).toBe('s9999');
      expect(emission?.trace.droppedSteps).toBe(1);
    });

    it('holds at most max_held_steps: forgets remembered traces first, then flushes held ones', () => {
      const assembler = new TraceAssembler({ ...OPTIONS, maxSteps: 4 });
      assembler.add(traceId(1), root('r1'), 0);
      assembler.add(traceId(1), step('a1'), 0);
      assembler.collect(1000); // trace 1 emitted and remembered: 2 steps
      assembler.add(traceId(2), root('r2'), 1000);
      assembler.add(traceId(2), step('a2'), 1000);
      expect(assembler.add(traceId(2), step('b2'), 1000).evicted).toEqual([]);
      expect(assembler.heldSteps).toBe(3); // trace 1 forgotten
      const { evicted } = assembler.add(traceId(3), step('c3'), 1000);
      expect(evicted).toEqual([]);
      const flushed = assembler.add(traceId(3), step('d3'), 1000).evicted;
      expect(flushed.map((e) => [e.trace.traceId, e.reason, e.trace.incomplete])).toEqual([
        [traceId(2), 'evicted', true],
      ]);
      expect(assembler.heldSteps).toBeLessThanOrEqual(4);
    });
  });

  describe('late spans', () => {
    it('re-emits the whole trace with the late span and a higher version', () => {
      const assembler = new TraceAssembler(OPTIONS);
      assembler.add(traceId(1), root(), 0);
      const [first] = assembler.collect(1000);
      assembler.add(traceId(1), step('late'), 2000);
      expect(assembler.collect(2999)).toEqual([]);
      const [second] = assembler.collect(3000);
      expect(second?.reason).toBe('late_update');
      expect(second?.trace.steps.map((s) => s.spanId)).toEqual(['root', 'late']);
      expect(second!.trace.version).toBeGreaterThan(first!.trace.version);
    });

    it('forgets emitted traces after the late-span window', () => {
      const assembler = new TraceAssembler(OPTIONS);
      assembler.add(traceId(1), root(), 0);
      assembler.collect(1000);
      assembler.collect(11_000);
      assembler.add(traceId(1), step('very-late'), 11_001);
      const [emission] = assembler.collect(16_001);
      expect(emission?.reason).toBe('root_timeout');
      expect(emission?.trace.steps.map((s) => s.spanId)).toEqual(['very-late']);
    });
  });

  describe('duplicates', () => {
    it('keeps a span delivered twice while its trace is held once', () => {
      const assembler = new TraceAssembler(OPTIONS);
      expect(assembler.add(traceId(1), root(), 0).outcome).toBe('added');
      expect(assembler.add(traceId(1), step('a'), 0).outcome).toBe('added');
      expect(assembler.add(traceId(1), step('a'), 10).outcome).toBe('duplicate');
      expect(assembler.add(traceId(1), root(), 20).outcome).toBe('duplicate');
      const [emission] = assembler.collect(1010);
      expect(emission?.trace.steps.map((s) => s.spanId)).toEqual(['root', 'a']);
    });

    it('does not reopen an emitted trace for a span it already holds', () => {
      const assembler = new TraceAssembler(OPTIONS);
      assembler.add(traceId(1), root(), 0);
      assembler.collect(1000);
      expect(assembler.add(traceId(1), root(), 2000).outcome).toBe('duplicate');
      expect(assembler.heldTraces).toBe(0);
      expect(assembler.collect(9000)).toEqual([]);
    });

    it('takes back a withdrawn step, so its redelivery is its first delivery', () => {
      const assembler = new TraceAssembler(OPTIONS);
      assembler.add(traceId(1), root(), 0);
      assembler.add(traceId(1), step('a'), 0);
      assembler.withdraw(traceId(1), 'a');
      expect(assembler.heldSteps).toBe(1);
      expect(assembler.add(traceId(1), step('a'), 10).outcome).toBe('added');
      expect(assembler.collect(1010)[0]?.trace.steps.map((s) => s.spanId)).toEqual(['root', 'a']);
    });
  });

  describe('versions', () => {
    it('gives an emission covering fewer spans a lower version, however late it comes', () => {
      const assembler = new TraceAssembler(OPTIONS);
      assembler.add(traceId(1), root(), 0);
      assembler.add(traceId(1), step('a'), 0);
      const [complete] = assembler.collect(1000);
      assembler.collect(11_000); // forgotten
      assembler.add(traceId(1), step('very-late'), 11_001);
      const [fragment] = assembler.collect(16_001);
      expect(fragment?.trace.steps).toHaveLength(1);
      expect(fragment!.trace.version).toBeLessThan(complete!.trace.version);
    });
  });

  describe('drain', () => {
    it('emits every held trace, incomplete where the root is missing', () => {
      const assembler = new TraceAssembler(OPTIONS);
      assembler.add(traceId(1), root(), 0);
      assembler.add(traceId(2), step('x'), 0);
      const drained = assembler
        .drain(1)
        .map((e) => [e.trace.traceId, e.reason, e.trace.incomplete]);
      expect(drained).toEqual([
        [traceId(1), 'shutdown', false],
        [traceId(2), 'shutdown', true],
      ]);
      expect(assembler.heldTraces).toBe(0);
    });
  });
});
