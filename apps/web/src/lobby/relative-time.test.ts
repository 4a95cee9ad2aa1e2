import { describe, expect, it } from 'vitest';
import { relativeTime } from './relative-time';

const now = Date.parse('2030-06-15T12:00:00Z');
const ago = (seconds: number) => relativeTime(now - seconds * 1000, now);

describe('relativeTime', () => {
  it('uses the largest unit that fits', () => {
    expect(ago(0)).toBe('just now');
    expect(ago(59)).toBe('just now');
    expect(ago(60)).toBe('1 minute ago');
    expect(ago(5 * 60 + 30)).toBe('5 minutes ago');
    expect(ago(60 * 60)).toBe('1 hour ago');
    expect(ago(3 * 60 * 60 + 59 * 60)).toBe('3 hours ago');
    expect(ago(24 * 60 * 60)).toBe('yesterday');
    expect(ago(4 * 24 * 60 * 60)).toBe('4 days ago');
  });

  it('gives the date past a week, and "just now" for a clock slightly ahead', () => {
    expect(ago(8 * 24 * 60 * 60)).toBe('Jun 7, 2030');
    expect(ago(-5)).toBe('just now');
  });
});
