import { describe, expect, it } from 'vitest';
import { Notices } from './notices';

describe('Notices', () => {
  it('returns an id that takes the notice back before its lifetime', () => {
    const notices = new Notices(0);
    const lost = notices.info('Connection to the server lost. Reconnecting…');
    const other = notices.error('Something else');
    expect(notices.getSnapshot().map((n) => n.id)).toEqual([lost, other]);
    notices.dismiss(lost);
    expect(notices.getSnapshot().map((n) => n.text)).toEqual(['Something else']);
  });
});
