import { PassThrough } from 'node:stream';
import fc from 'fast-check';
import { terminalScreen } from '../../cli/live/view';
import { visibleWidth, wrapLine, wrapText } from '../../cli/report/terminal';

const RECOMMENDATION = "  → Use the Redirect connection policy (allow outbound TCP 11000–11999 to the region's SQL addresses): redirected connections bypass the gateway and its idle kill.";

describe('wrapping to the terminal width', () => {
  it('breaks a recommendation between words and indents the rest under its text', () => {
    const rows = wrapLine(RECOMMENDATION, 60);
    expect(rows.length).toBeGreaterThan(1);
    expect(rows.every((r) => visibleWidth(r) <= 60)).toBe(true);
    expect(rows[0].startsWith('  → Use the Redirect')).toBe(true);
    expect(rows.slice(1).every((r) => /^ {4}\S/.test(r))).toBe(true);
    // Joining the rows with a space gives the text back: no word was cut.
    expect(rows.map((r) => r.trim()).join(' ')).toBe(RECOMMENDATION.trim());
  });

  it('leaves a line that fits, and text with no terminal width, as it is', () => {
    expect(wrapLine('short line', 80)).toEqual(['short line']);
    expect(wrapText(RECOMMENDATION, undefined)).toBe(RECOMMENDATION);
  });

  it('counts colour codes as nothing and keeps them', () => {
    const coloured = `\x1b[1mdemo-proxy\x1b[22m idle verdict: ${'word '.repeat(30).trim()}`;
    const rows = wrapLine(coloured, 40);
    expect(rows.every((r) => visibleWidth(r) <= 40)).toBe(true);
    expect(rows[0]).toContain('\x1b[1mdemo-proxy\x1b[22m');
  });

  it('keeps the spacing of aligned columns on the rows it does not break', () => {
    const line = `  ✔ login      17 ms  ${'fact · '.repeat(12)}end`;
    const rows = wrapLine(line, 50);
    expect(rows[0]).toMatch(/^ {2}✔ login {6}17 ms {2}fact/);
  });

  it('cuts only a word longer than a whole row, such as a long URL', () => {
    const url = `https://learn.microsoft.com/${'a'.repeat(80)}`;
    const rows = wrapLine(`    docs: ${url}`, 40);
    expect(rows.every((r) => visibleWidth(r) <= 40)).toBe(true);
    expect(rows.map((r) => r.trim()).join('')).toBe(`docs:${url}`);
  });

  it('never makes a row wider than the width and never loses or splits a word (property)', () => {
    const word = fc.stringMatching(/^[a-z0-9:,.()–→]{1,12}$/);
    fc.assert(fc.property(fc.array(word, { minLength: 1, maxLength: 40 }), fc.integer({ min: 20, max: 160 }), fc.integer({ min: 0, max: 6 }), (words, width, indent) => {
      const line = `${' '.repeat(indent)}${words.join(' ')}`;
      const rows = wrapLine(line, width);
      expect(rows.every((r) => visibleWidth(r) <= width)).toBe(true);
      expect(rows.map((r) => r.trim()).join(' ').split(' ')).toEqual(words);
    }));
  });
});

describe('the terminal screen', () => {
  function tty(columns: number): { out: NodeJS.WriteStream; text: () => string } {
    const stream = new PassThrough();
    let text = '';
    stream.on('data', (d: Buffer) => (text += d.toString()));
    return { out: Object.assign(stream, { columns, isTTY: true }) as unknown as NodeJS.WriteStream, text: () => text };
  }

  it('wraps logged lines to its width, and moves up over every row of the view it wrapped', () => {
    const { out, text } = tty(50);
    const screen = terminalScreen(out);
    screen.log(RECOMMENDATION);
    const logged = text().replace('\r\x1b[J', '').split('\n').filter(Boolean);
    expect(logged.length).toBeGreaterThan(2);
    expect(logged.every((l) => visibleWidth(l) <= 50)).toBe(true);
    screen.redraw(RECOMMENDATION);
    const before = text().length;
    screen.redraw('next');
    // The wrapped view took as many rows as the logged line did: the cursor goes up over all of them.
    expect(text().slice(before)).toBe(`\x1b[${logged.length}A\r\x1b[Jnext\n`);
  });
});
