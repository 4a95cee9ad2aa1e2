import { describe, expect, it, vi } from 'vitest';
import { PageLog } from './logger';

function sink() {
  return { debug: vi.fn(), info: vi.fn(), warn: vi.fn() };
}

describe('PageLog', () => {
  it('keeps everything, and writes only warnings to the console unless verbose', () => {
    const console = sink();
    const log = new PageLog(console, false);
    log.debug('d');
    log.info('peer u2: new -> connecting', { reason: 'offer' });
    log.warn('room:leave failed', { code: 'OFFLINE' });
    expect(console.debug).not.toHaveBeenCalled();
    expect(console.info).not.toHaveBeenCalled();
    expect(console.warn).toHaveBeenCalledWith('[openwcall] room:leave failed', { code: 'OFFLINE' });
    expect(log.recent().map((e) => `${e.level} ${e.message}`)).toEqual([
      'debug d',
      'info peer u2: new -> connecting',
      'warn room:leave failed',
    ]);
  });

  it('verbose writes info and debug too', () => {
    const console = sink();
    const log = new PageLog(console, true);
    log.info('i');
    log.debug('d');
    expect(console.info).toHaveBeenCalledWith('[openwcall] i', '');
    expect(console.debug).toHaveBeenCalledWith('[openwcall] d', '');
  });

  it('keeps only the newest entries, oldest first', () => {
    const log = new PageLog(sink(), false, 3);
    for (const n of [1, 2, 3, 4, 5]) log.info(`m${n}`);
    expect(log.recent().map((e) => e.message)).toEqual(['m3', 'm4', 'm5']);
  });
});
