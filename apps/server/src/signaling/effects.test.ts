import { describe, expect, it } from 'vitest';
import { routeOf } from './effects';

describe('routeOf', () => {
  it('maps targets to Socket.IO rooms', () => {
    expect(routeOf({ socket: 's1' })).toEqual({ to: 's1' });
    expect(routeOf({ user: 'u1' })).toEqual({ to: 'user:u1' });
    expect(routeOf({ room: 'r1' })).toEqual({ to: 'room:r1' });
    expect(routeOf({ room: 'r1', exceptUser: 'u1' })).toEqual({ to: 'room:r1', except: 'user:u1' });
    expect(routeOf({ authenticated: true })).toEqual({ to: 'authenticated' });
    expect(routeOf({ authenticated: true, exceptUser: 'u1' })).toEqual({
      to: 'authenticated',
      except: 'user:u1',
    });
  });
});
