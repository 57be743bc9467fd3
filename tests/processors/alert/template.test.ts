import { describe, expect, it } from 'vitest';
import { TemplateError, compileTemplate } from '../../../src/alerting/rules/template.js';

const data = {
  labels: { service: 'checkout', model: 'gpt-4o' },
  value: 0.123456,
  threshold: 0.1,
  baseline: 0.05,
};

describe('compileTemplate', () => {
  it('fills labels, value, threshold and baseline', () => {
    expect(
      compileTemplate(
        '{{ $labels.service }}/{{$labels.model}}: {{ $value }} > {{ $threshold }} (usual {{ $baseline }})',
      )(data),
    ).toBe('checkout/gpt-4o: 0.123456 > 0.1 (usual 0.05)');
  });

  it('formats with humanize and percent', () => {
    expect(compileTemplate('{{ $value | humanize }} = {{ $value | percent }}')(data)).toBe(
      '0.123 = 12.3%',
    );
  });

  it('renders a missing label as empty and leaves plain text alone', () => {
    expect(compileTemplate('[{{ $labels.agent }}] no braces here')(data)).toBe('[] no braces here');
  });

  it('rejects what it does not know, naming it', () => {
    expect(() => compileTemplate('{{ .Value }}')).toThrow(TemplateError);
    expect(() => compileTemplate('{{ $value | printf "%.2f" }}')).toThrow(/printf/);
  });
});
