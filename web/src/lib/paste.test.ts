import { describe, expect, it } from 'vitest';
import { parseEmails, parseGradeLines } from './paste.ts';

describe('pasted lists', () => {
  it('finds e-mails between commas, semicolons, spaces and new lines, once each', () => {
    expect(parseEmails('a@x.org, b@x.org;c@x.org\n  d@x.org\ta@x.org not-an-email')).toEqual(['a@x.org', 'b@x.org', 'c@x.org', 'd@x.org']);
    expect(parseEmails('  \n ')).toEqual([]);
  });

  it('reads spreadsheet rows with tabs, commas or semicolons, and decimal commas', () => {
    expect(parseGradeLines('Ana@X.org\t4,5\r\nben@x.org,3\ncai@x.org;2.25\ndan@x.org,4,75\n')).toEqual([
      { email: 'ana@x.org', grade: 4.5 },
      { email: 'ben@x.org', grade: 3 },
      { email: 'cai@x.org', grade: 2.25 },
      { email: 'dan@x.org', grade: 4.75 },
    ]);
  });

  it('gives back lines it cannot read, as they were', () => {
    expect(parseGradeLines('header\tgrade\nana@x.org\t\nben@x.org,abc')).toEqual([{ line: 'header\tgrade' }, { line: 'ana@x.org' }, { line: 'ben@x.org,abc' }]);
  });
});
