import { describe, expect, it } from 'vitest';
import { dialogKeyAction } from './focus-trap';

describe('dialogKeyAction (incoming-call dialog)', () => {
  it('Escape dismisses (declines)', () => {
    expect(dialogKeyAction('Escape', false, 0, 2)).toEqual({ kind: 'dismiss' });
  });

  it('Tab from the last control wraps to the first instead of leaving the dialog', () => {
    expect(dialogKeyAction('Tab', false, 1, 2)).toEqual({ kind: 'focus', index: 0 });
    expect(dialogKeyAction('Tab', false, 0, 2)).toEqual({ kind: 'focus', index: 1 });
  });

  it('Shift+Tab from the first control wraps to the last', () => {
    expect(dialogKeyAction('Tab', true, 0, 2)).toEqual({ kind: 'focus', index: 1 });
  });

  it('focus that escaped the dialog is brought back in', () => {
    expect(dialogKeyAction('Tab', false, -1, 2)).toEqual({ kind: 'focus', index: 0 });
    expect(dialogKeyAction('Tab', true, -1, 2)).toEqual({ kind: 'focus', index: 1 });
  });

  it('other keys are left alone', () => {
    expect(dialogKeyAction('Enter', false, 0, 2)).toBeNull();
    expect(dialogKeyAction('Tab', false, -1, 0)).toBeNull();
  });
});
