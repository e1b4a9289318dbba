import { PassThrough } from 'node:stream';
import { Board } from '../../cli/live/board';
import { appendScreen, terminalScreen } from '../../cli/live/view';
import { LOGIN_FAILED, result } from '../helpers/results';

describe('live board', () => {
  it('lists targets before their first result, then their last result, phases and verdict', () => {
    const board = new Board([{ name: 'demo-proxy', region: 'local' }, { name: 'demo-redirect', region: 'local' }]);
    expect(board.render(120)).toMatch(/demo-proxy.*local.*waiting…[\s\S]*demo-redirect/);
    board.addResult(result({ target: 'demo-proxy', region: 'local' }));
    board.addResult(result({ target: 'demo-redirect', region: 'local', success: false, error: LOGIN_FAILED }));
    board.setVerdict('demo-proxy', 'local', 'gateway idle kill at about 60 s');
    const text = board.render(160);
    expect(text).toMatch(/demo-proxy.*✔ 1\/1 ok proxy 12:00:00.*dns 4 · tcp 2/);
    expect(text).toContain('gateway idle kill at about 60 s');
    expect(text).toMatch(/demo-redirect.*✘ login: login-failed/);
  });

  it('keeps the latest result per probe', () => {
    const board = new Board();
    board.addResult(result({ success: false, error: LOGIN_FAILED }));
    board.addResult(result());
    expect(board.render()).toContain('✔ 1/1 ok');
  });
});

function capture(): { out: NodeJS.WriteStream; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (d: Buffer) => (text += d.toString()));
  return { out: stream as unknown as NodeJS.WriteStream, text: () => text };
}

describe('screens', () => {
  it('append mode writes log lines only', () => {
    const { out, text } = capture();
    const screen = appendScreen(out);
    screen.redraw('table');
    screen.log('line 1');
    expect(text()).toBe('line 1\n');
  });

  it('terminal mode moves up over the previous view before drawing the next', () => {
    const { out, text } = capture();
    const screen = terminalScreen(out);
    screen.redraw('a\nb');
    screen.log('event');
    expect(text()).toBe('\r\x1b[Ja\nb\n\x1b[2A\r\x1b[Jevent\na\nb\n');
  });
});
