import type { AgentTrace, Failure, Span } from '../../model/index.js';
import { spanFailure, traceFailure } from './capture.js';
import { resolveOverlaps } from './overlap.js';
import type { CompiledRule, RuleSet } from './rule-set.js';
import { SpanView } from './span-view.js';
import { TraceView } from './trace-view.js';

/** A span rule that held, with what its conditions found, for its message. */
interface SpanMatch {
  rule: CompiledRule<SpanView>;
  detail: string;
}

/** A trace rule that held, and the failure it found (built while the view pointed at it). */
interface TraceMatch {
  rule: CompiledRule<TraceView>;
  failure: Failure;
}

/** Called when a rule throws on some input; the rule is skipped for that span or trace. */
export type RuleErrorHandler = (ruleId: string, error: unknown) => void;

const NOTHING: readonly Failure[] = [];

/**
 * Runs the compiled rules over spans and traces and records what they find. A failure goes
 * into the span's (or trace's) own `failures` list — the list the assembled trace's step
 * shares, so it is added to, never replaced — unless a failure with the same id is there
 * already, which is what makes re-delivering a span harmless.
 */
export class Classifier {
  private readonly spanView = new SpanView();
  private readonly traceView = new TraceView();

  constructor(
    private readonly rules: RuleSet,
    private readonly onRuleError: RuleErrorHandler,
  ) {}

  /** The failures newly found on `span`. */
  classifySpan(span: Span): readonly Failure[] {
    const view = this.spanView.load(span);
    const own = (span.failures ??= []);
    let matches: SpanMatch[] | undefined;
    for (const rule of this.rules.spanRules.get(view.stepType) ?? []) {
      view.detail = '';
      if (this.holds(rule, view)) (matches ??= []).push({ rule, detail: view.detail });
    }
    if (!matches) return NOTHING;
    // Messages only for the failures kept: rendering is most of the cost of a match.
    const found: Failure[] = [];
    for (const { rule, detail } of resolveOverlaps(matches)) {
      view.detail = detail;
      const message = this.render(rule, view);
      if (message !== undefined) found.push(spanFailure(view, rule, message));
    }
    return record(found, own);
  }

  /** The trace-level failures newly found in `trace`. */
  classifyTrace(trace: AgentTrace): readonly Failure[] {
    const view = this.traceView.load(trace);
    let matches: TraceMatch[] | undefined;
    for (const rule of this.rules.traceRules) {
      view.startRule();
      if (!this.holds(rule, view)) continue;
      const message = this.render(rule, view);
      if (message !== undefined)
        (matches ??= []).push({ rule, failure: traceFailure(view, rule, message) });
    }
    if (!matches) return NOTHING;
    return record(
      resolveOverlaps(matches).map((match) => match.failure),
      trace.failures,
    );
  }

  private holds<View>(rule: CompiledRule<View>, view: View): boolean {
    try {
      return rule.matches(view);
    } catch (error) {
      this.onRuleError(rule.id, error);
      return false;
    }
  }

  private render<View>(rule: CompiledRule<View>, view: View): string | undefined {
    try {
      return rule.message(view);
    } catch (error) {
      this.onRuleError(rule.id, error);
      return undefined;
    }
  }
}

/** Adds the failures `into` does not hold yet; returns those it added. */
function record(found: Failure[], into: Failure[]): readonly Failure[] {
  const added = found.filter((f) => !into.some((existing) => existing.failureId === f.failureId));
  into.push(...added);
  return added;
}
