import {
  alertFingerprint,
  sortedLabelPairs,
  type AlertLabels,
  type AlertTransition,
} from '../alert.js';
import { countsFailures, type Aggregate } from './aggregate.js';
import { createBaseline, judge, type AnomalyOptions, type Baseline } from './baseline.js';
import type { AlertRuleConfig, Comparison } from '../../processors/alert/config.js';
import { compileFilter, groupValue, labelReaders } from './labels.js';
import { measurer, type Measurement } from './measure.js';
import { AlertStates, type Holding } from './state.js';
import { compileTemplate, type TemplateData } from './template.js';
import { SlidingWindow, slotLength, type WindowSummary } from './window.js';

const COMPARE: Record<Comparison, (a: number, b: number) => boolean> = {
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '==': (a, b) => a === b,
  '!=': (a, b) => a !== b,
};

interface Group {
  labels: AlertLabels;
  window: SlidingWindow;
  baseline: Baseline | undefined;
}

export interface RuleOptions {
  maxGroups: number;
  resolvedRetentionMs: number;
  /** Called for each event not counted because the rule has max groups already. */
  onGroupDropped(rule: string): void;
}

/** One evaluation's result for one group (for tests and the API). */
export interface GroupValue {
  labels: AlertLabels;
  value: number;
  holds: boolean;
  baseline: number;
}

/**
 * One alert rule: the events it counts (filter, group), a sliding window per group, the
 * aggregate over it, the condition (threshold or anomaly), and its alerts' states. Everything
 * the config says is compiled here, once.
 */
export class AlertRule {
  readonly name: string;
  readonly source: 'spans' | 'failures';
  readonly states: AlertStates;
  readonly windowMs: number;
  private readonly groups = new Map<string, Group>();
  private readonly filter: (item: unknown) => boolean;
  private readonly groupKey: (item: unknown) => string;
  private readonly groupLabels: (item: unknown) => AlertLabels;
  private readonly measure: (item: unknown) => Measurement | undefined;
  private readonly slotMs: number;
  private readonly labelTemplates: [string, (data: TemplateData) => string][];
  private readonly annotationTemplates: [string, (data: TemplateData) => string][];
  private readonly aggregate: Aggregate;
  private readonly anomaly: AnomalyOptions | undefined;

  constructor(
    private readonly config: AlertRuleConfig,
    private readonly options: RuleOptions,
  ) {
    this.name = config.name;
    this.aggregate = config.aggregate;
    this.anomaly = config.anomaly;
    this.source = countsFailures(config.aggregate) ? 'failures' : 'spans';
    this.windowMs = config.window;
    this.slotMs = slotLength(config.window);
    const filter = { ...config.filter };
    if (config.aggregate.kind === 'failure_count' && config.aggregate.failureClass) {
      filter.class = [config.aggregate.failureClass];
    }
    this.filter = compileFilter(filter, this.source);
    const readers = config.group_by.map((key) => [key, labelReaders(this.source)[key]] as const);
    this.groupKey =
      readers.length === 0
        ? () => ''
        : (item) => readers.map(([, read]) => groupValue(read, item)).join('\u0001');
    this.groupLabels = (item) => {
      const labels: AlertLabels = {};
      for (const [key, read] of readers) labels[key] = groupValue(read, item);
      return labels;
    };
    this.measure = measurer(config.aggregate);
    const compile = (map: Record<string, string>) =>
      Object.entries(map).map(
        ([key, text]) => [key, compileTemplate(text)] as [string, (d: TemplateData) => string],
      );
    this.labelTemplates = compile(config.labels);
    this.annotationTemplates = compile(config.annotations);
    this.states = new AlertStates(config.name, config.severity, {
      forMs: config.for,
      keepFiringForMs: config.keep_firing_for,
      resolvedRetentionMs: options.resolvedRetentionMs,
    });
  }

  /** Counts the events of a batch that pass the filter into their group's window. */
  observe(items: readonly unknown[], now: number): void {
    for (const item of items) {
      if (!this.filter(item)) continue;
      const measured = this.measure(item);
      if (!measured) continue;
      const group = this.group(item);
      group?.window.record(now, measured.error, measured.value);
    }
  }

  /** Evaluates every group and steps the alerts' states; returns the transitions made. */
  evaluate(now: number): AlertTransition[] {
    const holding = new Map<string, Holding>();
    for (const [key, group] of this.groups) {
      const result = this.valueOf(group, now);
      if (result.holds) {
        const found = this.holding(group.labels, result);
        holding.set(found.fingerprint, found);
      } else if (this.idle(group, now)) {
        this.groups.delete(key);
      }
    }
    return this.states.update(now, holding);
  }

  /** The current value of every group, without changing any state (baselines excepted). */
  private valueOf(group: Group, now: number): GroupValue {
    const summary = group.window.summary(now);
    const value = summary.count < this.config.min_events ? NaN : this.compute(summary);
    if (Number.isNaN(value)) return { labels: group.labels, value, holds: false, baseline: NaN };
    if (this.anomaly) {
      group.baseline ??= createBaseline(this.anomaly);
      const verdict = judge(group.baseline, this.anomaly, value);
      return { labels: group.labels, value, holds: verdict.anomalous, baseline: verdict.centre };
    }
    return {
      labels: group.labels,
      value,
      holds: COMPARE[this.config.op](value, this.config.threshold!),
      baseline: NaN,
    };
  }

  private compute(summary: WindowSummary): number {
    switch (this.aggregate.kind) {
      case 'count':
      case 'failure_count':
        return summary.count;
      case 'rate':
        return summary.count / (this.windowMs / 1000);
      case 'error_rate':
        return summary.count > 0 ? summary.errors / summary.count : NaN;
      case 'quantile':
        return summary.sketch ? summary.sketch.quantile(this.aggregate.quantile) : NaN;
      case 'tokens':
      case 'cost':
        return summary.sum;
      case 'avg':
        return summary.count > 0 ? summary.sum / summary.count : NaN;
    }
  }

  private holding(groupLabels: AlertLabels, result: GroupValue): Holding {
    const data: TemplateData = {
      labels: groupLabels,
      value: result.value,
      threshold: this.config.threshold ?? NaN,
      baseline: result.baseline,
    };
    const labels: AlertLabels = { ...groupLabels, severity: this.config.severity };
    for (const [key, render] of this.labelTemplates) labels[key] = render(data);
    labels.alertname = this.name;
    const sorted: AlertLabels = Object.fromEntries(sortedLabelPairs(labels));
    const annotationData = { ...data, labels: sorted };
    const annotations: AlertLabels = {};
    for (const [key, render] of this.annotationTemplates) annotations[key] = render(annotationData);
    return {
      fingerprint: alertFingerprint(sorted),
      labels: sorted,
      annotations,
      value: result.value,
    };
  }

  private group(item: unknown): Group | undefined {
    const key = this.groupKey(item);
    let group = this.groups.get(key);
    if (group) return group;
    if (this.groups.size >= this.options.maxGroups) {
      this.options.onGroupDropped(this.name);
      return undefined;
    }
    group = {
      labels: this.groupLabels(item),
      window: new SlidingWindow(this.windowMs, this.slotMs, this.aggregate.kind === 'quantile'),
      baseline: undefined,
    };
    this.groups.set(key, group);
    return group;
  }

  /** A group with no events for two windows and no alert is forgotten. */
  private idle(group: Group, now: number): boolean {
    return now - group.window.lastEventAt > 2 * this.windowMs && !this.hasAlertFor(group.labels);
  }

  private hasAlertFor(groupLabels: AlertLabels): boolean {
    for (const alert of this.states.alerts.values()) {
      if (Object.entries(groupLabels).every(([k, v]) => alert.labels[k] === v)) return true;
    }
    return false;
  }

  /** How long after a restart the windows (and an anomaly baseline) need to fill again. */
  refillMs(intervalMs: number): number {
    return Math.max(this.windowMs, (this.anomaly?.warmup ?? 0) * intervalMs);
  }

  get groupCount(): number {
    return this.groups.size;
  }
}
