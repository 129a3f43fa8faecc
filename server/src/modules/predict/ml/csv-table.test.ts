import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inferColumnTypes } from './column-types.js';
import {
  detectDayMonthOrder,
  parseCsvText,
  parseDate,
  parseDateColumn,
  parseNumber,
  readCsvFile,
} from './csv-table.js';
import { DataError } from './data-error.js';

describe('parseCsvText', () => {
  it('handles semicolons, BOM, CRLF and quoted fields containing the delimiter', () => {
    const t = parseCsvText('\uFEFFname;amount;note\r\n"Acme; Inc";"1.234,5";"said ""hi"""\r\nBeta;2;x\r\n');
    expect(t.delimiter).toBe(';');
    expect(t.columns).toEqual(['name', 'amount', 'note']);
    expect(t.rows).toEqual([
      ['Acme; Inc', '1.234,5', 'said "hi"'],
      ['Beta', '2', 'x'],
    ]);
  });

  it('handles commas inside quotes, LF, and drops a trailing nameless empty column', () => {
    const t = parseCsvText('a,b,\n"x, y",1,\nz,2,\n');
    expect(t.columns).toEqual(['a', 'b']);
    expect(t.rows[0]).toEqual(['x, y', '1']);
  });

  it('rejects empty files with a DataError', () => {
    expect(() => parseCsvText('')).toThrow(DataError);
    expect(() => parseCsvText('\uFEFF  \r\n')).toThrow(DataError);
  });

  it('readCsvFile reports a missing file as a DataError', () => {
    expect(() => readCsvFile('/definitely/not/here.csv')).toThrow(/file not found/);
    const dir = mkdtempSync(join(tmpdir(), 'zs-csv-'));
    writeFileSync(join(dir, 'x.csv'), 'a,b\n1,2\n');
    expect(readCsvFile(join(dir, 'x.csv')).rows).toEqual([['1', '2']]);
  });
});

describe('parseNumber / parseDate', () => {
  it('parses common number spellings', () => {
    expect(parseNumber('1,234.5')).toBe(1234.5);
    expect(parseNumber('1.234,5')).toBe(1234.5);
    expect(parseNumber('12,5')).toBe(12.5);
    expect(parseNumber('$1,200')).toBe(1200);
    expect(parseNumber('-3e2')).toBe(-300);
    expect(parseNumber('abc')).toBeNaN();
  });

  it('parses ISO, YYYY/M/D, M/D/YYYY, DD-MM-YYYY and DD/MM/YY', () => {
    const d = Date.UTC(2018, 2, 4);
    expect(parseDate('2018-03-04')).toBe(d);
    expect(parseDate('2018-03-04 19:58:54')).toBe(Date.UTC(2018, 2, 4, 19, 58, 54));
    expect(parseDate('2018/3/4')).toBe(d);
    expect(parseDate('3/4/2018', 'mdy')).toBe(d);
    expect(parseDate('04-03-2018', 'dmy')).toBe(d);
    expect(parseDate('31/04/2018', 'dmy')).toBeNaN();
    expect(parseDateColumn(['05/02/10', '19/02/10'])).toEqual([Date.UTC(2010, 1, 5), Date.UTC(2010, 1, 19)]);
  });

  it('detects day/month order from the values, else from the separator', () => {
    expect(detectDayMonthOrder(['1/13/2020', '2/1/2020'])).toBe('mdy');
    expect(detectDayMonthOrder(['13/1/2020'])).toBe('dmy');
    expect(detectDayMonthOrder(['05-02-2010'])).toBe('dmy');
    expect(detectDayMonthOrder(['05/02/2010'])).toBe('mdy');
  });
});

describe('inferColumnTypes', () => {
  it('types numeric, categorical, date, text, id and constant columns; Select means missing', () => {
    const n = 60;
    const lines = ['id,amount,stage,created,notes,const,choice'];
    for (let i = 0; i < n; i++)
      lines.push(
        [
          `uuid-${i}-${(i * 7919) % 1000}`,
          String(i % 7 === 0 ? '' : i * 1.5),
          ['won', 'lost', 'open'][i % 3],
          `${(i % 12) + 1}/${(i % 27) + 1}/2020`,
          `"customer ${i} asked about pricing tier ${i % 5} and ${i}"`,
          'same',
          i % 2 ? 'Select' : ['A', 'B'][i % 4 === 0 ? 0 : 1],
        ].join(','),
      );
    const kinds = Object.fromEntries(
      inferColumnTypes(parseCsvText(lines.join('\n'))).map((t) => [t.name, t.kind]),
    );
    expect(kinds).toEqual({
      id: 'id',
      amount: 'numeric',
      stage: 'categorical',
      created: 'date',
      notes: 'text',
      const: 'constant',
      choice: 'categorical',
    });
  });
});
