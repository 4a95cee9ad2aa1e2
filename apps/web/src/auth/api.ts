import {
  AuthConfigResponseSchema,
  type AuthResponse,
  AuthResponseSchema,
  type CallHistoryEntry,
  CallHistoryResponseSchema,
  HttpErrorSchema,
  type LoginBody,
  type PublicUser,
  type RegisterBody,
  type RegistrationMode,
  UserDirectoryResponseSchema,
} from '@openwcall/shared';
import type { z } from 'zod';
import { AppError } from '../base/errors';

export type Registration = RegistrationMode;

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** The server's HTTP API. Every answer is parsed with the shared schemas. */
export class AuthApi {
  constructor(
    private readonly baseUrl: string,
    private readonly fetchImpl: FetchLike = (input, init) => fetch(input, init),
  ) {}

  /** Who may sign up on this server (REGISTRATION). */
  async registration(): Promise<Registration> {
    const { registration } = await this.request(
      'GET',
      '/auth/config',
      AuthConfigResponseSchema,
      {},
    );
    return registration;
  }

  register(body: RegisterBody): Promise<AuthResponse> {
    return this.request('POST', '/auth/register', AuthResponseSchema, { body });
  }

  login(body: LoginBody): Promise<AuthResponse> {
    return this.request('POST', '/auth/login', AuthResponseSchema, { body });
  }

  /** Rotates the refresh token held in the HttpOnly cookie. */
  refresh(): Promise<AuthResponse> {
    return this.request('POST', '/auth/refresh', AuthResponseSchema, { body: {} });
  }

  async logout(): Promise<void> {
    await this.request('POST', '/auth/logout', null, { body: {} });
  }

  async callHistory(token: string): Promise<CallHistoryEntry[]> {
    const { calls } = await this.request('GET', '/calls/history', CallHistoryResponseSchema, {
      token,
    });
    return calls;
  }

  /** Every account (first 500 by name), so the lobby can list teammates who are offline. */
  async users(token: string): Promise<PublicUser[]> {
    const { users } = await this.request('GET', '/users', UserDirectoryResponseSchema, { token });
    return users;
  }

  /**
   * A failed fetch looks the same whether the server is down or refused this page's origin
   * (CORS). An opaque no-cors request tells them apart: it succeeds whenever the server answers.
   */
  private async unreachable(): Promise<AppError> {
    const origin = globalThis.location?.origin;
    try {
      await this.fetchImpl(`${this.baseUrl}/health`, { mode: 'no-cors' });
    } catch {
      return new AppError('NETWORK');
    }
    return new AppError(
      'ORIGIN_REFUSED',
      `The server at ${this.baseUrl} refused this page's address (${origin ?? 'this origin'}). ` +
        `Open the app at the address your operator set up, or add ${origin ?? 'it'} to the server's WEB_ORIGIN.`,
    );
  }

  /** One request; the answer is parsed with `schema` (null: no body expected). */
  async request<S extends z.ZodType | null>(
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    path: string,
    schema: S,
    options: { body?: unknown; token?: string },
  ): Promise<S extends z.ZodType ? z.output<S> : undefined> {
    const headers: Record<string, string> = {};
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let response: Response;
    try {
      response = await this.fetchImpl(`${this.baseUrl}${path}`, {
        method,
        headers,
        // The refresh token travels only as the server's HttpOnly cookie.
        credentials: 'include',
        ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      });
    } catch {
      throw await this.unreachable();
    }
    if (!response.ok) {
      const parsed = HttpErrorSchema.safeParse(await response.json().catch(() => null));
      if (parsed.success) throw new AppError(parsed.data.error.code, parsed.data.error.message);
      throw new AppError(response.status >= 500 ? 'INTERNAL' : 'NETWORK');
    }
    if (schema === null) return undefined as never;
    const parsed = schema.safeParse(await response.json().catch(() => null));
    if (!parsed.success) throw new AppError('INTERNAL', 'Unexpected answer from the server.');
    return parsed.data as never;
  }
}
