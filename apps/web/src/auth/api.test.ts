import { describe, expect, it } from 'vitest';
import { AuthApi, type FetchLike } from './api';

const refusedByCors: FetchLike = async (_input, init) => {
  // What a browser does when the server answers without this origin in its CORS headers.
  if (init?.mode === 'no-cors') return new Response(null, { status: 200 });
  throw new TypeError('Failed to fetch');
};

const down: FetchLike = async () => {
  throw new TypeError('Failed to fetch');
};

describe('AuthApi when a request fails', () => {
  it('says the server refused this page origin when the server answers but CORS does not', async () => {
    const api = new AuthApi('http://localhost:4000', refusedByCors);
    await expect(api.login({ email: 'a@b.test', password: 'x' })).rejects.toMatchObject({
      code: 'ORIGIN_REFUSED',
      message: expect.stringMatching(/WEB_ORIGIN/),
    });
  });

  it('says the server cannot be reached when it does not answer at all', async () => {
    const api = new AuthApi('http://localhost:4000', down);
    await expect(api.refresh()).rejects.toMatchObject({
      code: 'NETWORK',
      message: expect.stringMatching(/Cannot reach the server/),
    });
  });
});
