import { describe, expect, it } from 'vitest';
import { copyLine } from '../../../payroll/copy';

describe('COPY text encoding of staged rows', () => {
  it('writes nulls as \\N, escapes backslash, tab and line breaks, and keeps numbers and booleans as text', () => {
    expect(copyLine(['PÉREZ', null, 12.5, true, undefined, 'a\\b', 'x\ty', 'l1\nl2\r'])).toBe('PÉREZ\t\\N\t12.5\ttrue\t\\N\ta\\\\b\tx\\ty\tl1\\nl2\\r\n');
  });

  it('keeps an empty string distinct from null', () => {
    expect(copyLine(['', null])).toBe('\t\\N\n');
  });
});
