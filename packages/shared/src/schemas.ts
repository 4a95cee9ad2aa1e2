import { z } from 'zod';
import { ERROR_CODES } from './errors';

/*
 * Zod schemas: the executable form of PROTOCOL.md.
 *
 * Client → server payloads are strict objects: an unknown key is VALIDATION_FAILED rather
 * than silently dropped, so a hostile client cannot smuggle bulk data through a relay and
 * a typo in a client shows up at once. Server → client payloads are plain objects: clients
 * must tolerate fields added in later versions ("extend, never rename").
 */

// ---------------------------------------------------------------------------------------
// Limits

export const LIMITS = {
  idMax: 128,
  emailMax: 254,
  passwordMin: 8,
  passwordMax: 128,
  displayNameMax: 32,
  roomNameMax: 64,
  /** Largest SDP accepted. A 6-peer audio SDP is a few KiB; this leaves room for video later. */
  sdpMax: 64 * 1024,
  /** An ICE candidate line is ~100–200 characters. */
  candidateMax: 2048,
  defaultMaxRoomParticipants: 6,
} as const;

// ---------------------------------------------------------------------------------------
// Shared types

/** Opaque id, 1..128 characters. A well-formed id naming nothing is a not-found, not a validation error. */
export const IdSchema = z.string().min(1).max(LIMITS.idMax);

export const EmailSchema = z.string().trim().max(LIMITS.emailMax).toLowerCase().pipe(z.email());

/*
 * Control characters (C0, DEL, C1) and lone UTF-16 surrogates in a name shown to others:
 * PostgreSQL refuses NUL in text (Prisma P2039), and the others spoof or garble what other
 * users see. Refused at the schema so such a name never reaches the database.
 */
const UNPRINTABLE = /[\p{Cc}\p{Cs}]/u;

/** A user-visible name: trimmed, 1..max characters, no control characters. */
export function visibleText(max: number) {
  return z
    .string()
    .trim()
    .min(1)
    .max(max)
    .refine((value) => !UNPRINTABLE.test(value), {
      message: 'Must not contain control characters.',
    });
}

export const DisplayNameSchema = visibleText(LIMITS.displayNameMax);

export const PublicUserSchema = z.object({ id: IdSchema, displayName: z.string() });
export type PublicUser = z.infer<typeof PublicUserSchema>;

export const PRESENCE_STATUSES = ['online', 'away', 'busy', 'offline'] as const;
export const PresenceStatusSchema = z.enum(PRESENCE_STATUSES);
export type PresenceStatus = z.infer<typeof PresenceStatusSchema>;

/** The statuses a user may choose; `offline` is derived from having no socket. */
export const SettablePresenceStatusSchema = z.enum(['online', 'away', 'busy']);

export const PresenceEntrySchema = z.object({
  userId: IdSchema,
  displayName: z.string(),
  status: PresenceStatusSchema,
  inCall: z.boolean(),
  /** Extension: the open room the user has a seat in, absent when none. */
  roomId: IdSchema.optional(),
});
export type PresenceEntry = z.infer<typeof PresenceEntrySchema>;

export const ParticipantSchema = z.object({
  userId: IdSchema,
  displayName: z.string(),
  isHost: z.boolean(),
  muted: z.boolean(),
  /** Extension: hears nobody and sends nothing (README "Protocol extensions"). */
  deafened: z.boolean().default(false),
  joinedAt: z.iso.datetime(),
});
export type Participant = z.infer<typeof ParticipantSchema>;

export const RoomSummarySchema = z.object({
  id: IdSchema,
  name: z.string(),
  hostId: IdSchema,
  participantCount: z.number().int().nonnegative(),
  maxParticipants: z.number().int().positive(),
  locked: z.boolean(),
});
export type RoomSummary = z.infer<typeof RoomSummarySchema>;

export const RoomStateSchema = z.object({
  id: IdSchema,
  name: z.string(),
  hostId: IdSchema,
  locked: z.boolean(),
  maxParticipants: z.number().int().positive(),
  participants: z.array(ParticipantSchema),
});
export type RoomState = z.infer<typeof RoomStateSchema>;

export const IceServerSchema = z.object({
  urls: z.union([z.string(), z.array(z.string())]),
  username: z.string().optional(),
  credential: z.string().optional(),
});
export type IceServer = z.infer<typeof IceServerSchema>;

export const CALL_STATES = [
  'ringing',
  'accepted',
  'declined',
  'cancelled',
  'missed',
  'ended',
] as const;
export const CallStateSchema = z.enum(CALL_STATES);
export type CallState = z.infer<typeof CallStateSchema>;

export const ErrorCodeSchema = z.enum(ERROR_CODES);
export const ErrorBodySchema = z.object({ code: ErrorCodeSchema, message: z.string() });
export type ErrorBody = z.infer<typeof ErrorBodySchema>;

export const LEAVE_REASONS = ['left', 'kicked', 'disconnected'] as const;
export const LeaveReasonSchema = z.enum(LEAVE_REASONS);
export type LeaveReason = z.infer<typeof LeaveReasonSchema>;

export const HOST_ACTIONS = ['mute', 'kick', 'lock', 'unlock', 'host-transferred'] as const;
export const HostActionKindSchema = z.enum(HOST_ACTIONS);
export type HostActionKind = z.infer<typeof HostActionKindSchema>;

// ---------------------------------------------------------------------------------------
// Acknowledgements

export type AckOk<R> = { ok: true } & R;
export type AckFail = { ok: false; error: ErrorBody };
export type AckResponse<R> = AckOk<R> | AckFail;

export const AckFailSchema = z.object({ ok: z.literal(false), error: ErrorBodySchema });

/** Schema of a whole acknowledgement for a given success result schema. */
export function ackSchema<R extends z.ZodObject>(result: R) {
  return z.union([result.extend({ ok: z.literal(true) }), AckFailSchema]);
}

// ---------------------------------------------------------------------------------------
// Client → server payloads

const Empty = z.object({});

export const AuthHelloSchema = z.strictObject({
  token: z.string().min(1).max(4096),
  /**
   * The id of this client's previous socket, when it reconnects: if that socket still looks
   * open to the server (a network change left its connection dead), it is closed and its seat
   * and calls move to this one at once. Ignored unless it is the same user's socket.
   */
  replaces: IdSchema.optional(),
});
export const PresenceSetSchema = z.strictObject({ status: SettablePresenceStatusSchema });
export const RoomCreateSchema = z.strictObject({
  name: visibleText(LIMITS.roomNameMax),
  // The upper bound is the server's MAX_ROOM_PARTICIPANTS, checked by the server.
  maxParticipants: z.number().int().min(2).max(1000).optional(),
});
export const RoomRefSchema = z.strictObject({ roomId: IdSchema });
export const RoomSelfMuteSchema = z.strictObject({ roomId: IdSchema, muted: z.boolean() });
export const RoomSelfDeafenSchema = z.strictObject({ roomId: IdSchema, deafened: z.boolean() });
export const CallInviteSchema = z.strictObject({ toUserId: IdSchema });
export const CallRefSchema = z.strictObject({ callId: IdSchema });
export const CallSelfMuteSchema = z.strictObject({ callId: IdSchema, muted: z.boolean() });
export const HostTargetSchema = z.strictObject({ roomId: IdSchema, userId: IdSchema });
export const HostLockSchema = z.strictObject({ roomId: IdSchema, locked: z.boolean() });

/** Exactly one of roomId / callId says which conversation a WebRTC signal belongs to. */
function exactlyOneScope(value: { roomId?: string | undefined; callId?: string | undefined }) {
  return (value.roomId === undefined) !== (value.callId === undefined);
}
const scopeMessage = { message: 'Give exactly one of roomId or callId.' };

const sdpSignalFields = {
  to: IdSchema,
  roomId: IdSchema.optional(),
  callId: IdSchema.optional(),
  sdp: z.string().min(1).max(LIMITS.sdpMax),
};
export const SdpSignalSchema = z
  .strictObject(sdpSignalFields)
  .refine(exactlyOneScope, scopeMessage);

/**
 * Names one offer: `<session id>.<session version>` of its SDP `o=` line (extension). Two
 * offers of one connection never share it; a copy of the same offer does.
 */
export const OfferTagSchema = z.string().regex(/^\d{1,32}\.\d{1,32}$/);

/**
 * An answer may say which offer it answers (`answers`, extension): after a reconnect the
 * offerer can have two offers in flight, and an answer applied to the wrong one leaves the two
 * ends with ICE credentials that do not match.
 */
export const AnswerSignalSchema = z
  .strictObject({ ...sdpSignalFields, answers: OfferTagSchema.optional() })
  .refine(exactlyOneScope, scopeMessage);

export const IceCandidateSchema = z.strictObject({
  candidate: z.string().max(LIMITS.candidateMax),
  sdpMid: z.string().max(64).nullable().optional(),
  sdpMLineIndex: z.number().int().min(0).max(1024).nullable().optional(),
  usernameFragment: z.string().max(256).nullable().optional(),
});
export type IceCandidate = z.infer<typeof IceCandidateSchema>;

export const IceSignalSchema = z
  .strictObject({
    to: IdSchema,
    roomId: IdSchema.optional(),
    callId: IdSchema.optional(),
    // null is the end-of-candidates marker.
    candidate: IceCandidateSchema.nullable(),
  })
  .refine(exactlyOneScope, scopeMessage);

// Results (the part of a successful ack after `ok: true`)
export const AuthHelloResultSchema = z.object({
  user: PublicUserSchema,
  iceServers: z.array(IceServerSchema),
});
export const RoomResultSchema = z.object({ room: RoomStateSchema });
export const CallIdResultSchema = z.object({ callId: IdSchema });

/** Payload and ack-result schema of every client event, keyed by event name. */
export const clientEventSchemas = {
  'auth:hello': { payload: AuthHelloSchema, result: AuthHelloResultSchema },
  'presence:set': { payload: PresenceSetSchema, result: Empty },
  'room:create': { payload: RoomCreateSchema, result: RoomResultSchema },
  'room:join': { payload: RoomRefSchema, result: RoomResultSchema },
  'room:leave': { payload: RoomRefSchema, result: Empty },
  'room:self:mute': { payload: RoomSelfMuteSchema, result: Empty },
  'room:self:deafen': { payload: RoomSelfDeafenSchema, result: Empty },
  'call:direct:invite': { payload: CallInviteSchema, result: CallIdResultSchema },
  'call:direct:accept': { payload: CallRefSchema, result: Empty },
  'call:direct:decline': { payload: CallRefSchema, result: Empty },
  'call:direct:end': { payload: CallRefSchema, result: Empty },
  'call:self:mute': { payload: CallSelfMuteSchema, result: Empty },
  'webrtc:offer': { payload: SdpSignalSchema, result: Empty },
  'webrtc:answer': { payload: AnswerSignalSchema, result: Empty },
  'webrtc:ice': { payload: IceSignalSchema, result: Empty },
  'room:host:mute': { payload: HostTargetSchema, result: Empty },
  'room:host:kick': { payload: HostTargetSchema, result: Empty },
  'room:host:lock': { payload: HostLockSchema, result: Empty },
} as const;

// ---------------------------------------------------------------------------------------
// Server → client payloads

export const AuthOkSchema = z.object({
  user: PublicUserSchema,
  iceServers: z.array(IceServerSchema),
  maxRoomParticipants: z.number().int().positive(),
});
export const PresenceListSchema = z.object({
  full: z.boolean(),
  users: z.array(PresenceEntrySchema),
});
export const RoomListSchema = z.object({ rooms: z.array(RoomSummarySchema) });
export const RoomJoinedSchema = z.object({ room: RoomStateSchema });
export const ParticipantJoinedSchema = z.object({
  roomId: IdSchema,
  participant: ParticipantSchema,
});
export const ParticipantLeftSchema = z.object({
  roomId: IdSchema,
  userId: IdSchema,
  reason: LeaveReasonSchema,
});
export const ParticipantUpdatedSchema = z.object({
  roomId: IdSchema,
  participant: ParticipantSchema,
});
export const CallIncomingSchema = z.object({ callId: IdSchema, from: PublicUserSchema });
export const CallStateEventSchema = z.object({
  callId: IdSchema,
  state: CallStateSchema,
  peer: PublicUserSchema,
  /**
   * Extension: true when the server re-sends the state to a new socket that took the call over
   * within the reconnect grace (reload), so that page adopts it; absent on ordinary changes,
   * which go to every socket of the user.
   */
  resumed: z.literal(true).optional(),
});
export const RelayedSdpSchema = z.object({
  from: IdSchema,
  roomId: IdSchema.optional(),
  callId: IdSchema.optional(),
  sdp: z.string(),
});
export const RelayedAnswerSchema = RelayedSdpSchema.extend({ answers: z.string().optional() });
export const RelayedIceSchema = z.object({
  from: IdSchema,
  roomId: IdSchema.optional(),
  callId: IdSchema.optional(),
  candidate: IceCandidateSchema.nullable(),
});
export const SignalErrorSchema = z.object({
  to: IdSchema,
  code: ErrorCodeSchema,
  message: z.string(),
});
export const HostActionSchema = z.object({
  roomId: IdSchema,
  action: HostActionKindSchema,
  targetUserId: IdSchema.optional(),
  byUserId: IdSchema.optional(),
});
export const ErrorEventSchema = z.object({
  code: ErrorCodeSchema,
  message: z.string(),
  event: z.string().optional(),
});

/** Extension: a party of an accepted call muted or unmuted (README "Protocol extensions"). */
export const CallMutedSchema = z.object({ callId: IdSchema, userId: IdSchema, muted: z.boolean() });

export const serverEventSchemas = {
  'auth:ok': AuthOkSchema,
  'presence:list': PresenceListSchema,
  'room:list': RoomListSchema,
  'room:joined': RoomJoinedSchema,
  'room:participant:joined': ParticipantJoinedSchema,
  'room:participant:left': ParticipantLeftSchema,
  'room:participant:updated': ParticipantUpdatedSchema,
  'call:direct:incoming': CallIncomingSchema,
  'call:direct:state': CallStateEventSchema,
  'call:direct:muted': CallMutedSchema,
  'webrtc:offer': RelayedSdpSchema,
  'webrtc:answer': RelayedAnswerSchema,
  'webrtc:ice': RelayedIceSchema,
  'webrtc:signal:error': SignalErrorSchema,
  'room:host:action': HostActionSchema,
  error: ErrorEventSchema,
} as const;

// ---------------------------------------------------------------------------------------
// HTTP bodies

export const PasswordSchema = z.string().min(LIMITS.passwordMin).max(LIMITS.passwordMax);
/** The opaque token of an invite or reset link (base64url). */
export const LinkTokenSchema = z.string().min(1).max(128);

/**
 * `refreshTokenInBody: true` asks for the refresh token in the JSON body (bots, apps); without
 * it the token is only in the HttpOnly cookie, out of reach of page scripts (the web app).
 */
const refreshTokenInBody = z.boolean().optional();

export const RegisterBodySchema = z.strictObject({
  email: EmailSchema,
  password: PasswordSchema,
  displayName: DisplayNameSchema,
  /** The token of an invite link; needed when REGISTRATION=invite. */
  invite: LinkTokenSchema.optional(),
  refreshTokenInBody,
});
export type RegisterBody = z.input<typeof RegisterBodySchema>;

export const LoginBodySchema = z.strictObject({
  email: EmailSchema,
  password: z.string().min(1).max(LIMITS.passwordMax),
  refreshTokenInBody,
});
export type LoginBody = z.input<typeof LoginBodySchema>;

/**
 * Refresh and logout take the refresh token from the body or, for the web app, from the
 * HttpOnly cookie the server set at login; an empty body is valid.
 */
export const RefreshBodySchema = z.strictObject({
  refreshToken: z.string().min(1).max(512).optional(),
  refreshTokenInBody,
});

export const AuthResponseSchema = z.object({
  accessToken: z.string(),
  /** Opaque, single-use; always set as an HttpOnly cookie, in the body only when asked for. */
  refreshToken: z.string().optional(),
  /** Access token lifetime in seconds. */
  expiresIn: z.number().int().positive(),
  user: PublicUserSchema,
});
export type AuthResponse = z.infer<typeof AuthResponseSchema>;

export const MeResponseSchema = z.object({
  user: PublicUserSchema,
  email: z.string(),
  isAdmin: z.boolean(),
  createdAt: z.iso.datetime(),
});
export type MeResponse = z.infer<typeof MeResponseSchema>;

// ---------------------------------------------------------------------------------------
// Accounts and admin (ACCOUNTS-API.md)

export const REGISTRATION_MODES = ['open', 'invite', 'closed'] as const;
export const RegistrationModeSchema = z.enum(REGISTRATION_MODES);
export type RegistrationMode = z.infer<typeof RegistrationModeSchema>;

export const AuthConfigResponseSchema = z.object({ registration: RegistrationModeSchema });
export type AuthConfigResponse = z.infer<typeof AuthConfigResponseSchema>;

export const InviteLookupResponseSchema = z.object({
  valid: z.literal(true),
  expiresAt: z.iso.datetime(),
  /** null = unlimited. */
  usesLeft: z.number().int().nonnegative().nullable(),
});
export type InviteLookupResponse = z.infer<typeof InviteLookupResponseSchema>;

export const ResetLookupResponseSchema = z.object({
  valid: z.literal(true),
  displayName: z.string(),
  expiresAt: z.iso.datetime(),
});
export type ResetLookupResponse = z.infer<typeof ResetLookupResponseSchema>;

export const PasswordResetBodySchema = z.strictObject({
  token: LinkTokenSchema,
  newPassword: PasswordSchema,
});
export type PasswordResetBody = z.input<typeof PasswordResetBodySchema>;

export const UpdateMeBodySchema = z.strictObject({ displayName: DisplayNameSchema });
export type UpdateMeBody = z.input<typeof UpdateMeBodySchema>;
export const UpdateMeResponseSchema = z.object({ user: PublicUserSchema });

export const ChangePasswordBodySchema = z.strictObject({
  currentPassword: z.string().min(1).max(LIMITS.passwordMax),
  newPassword: PasswordSchema,
});
export type ChangePasswordBody = z.input<typeof ChangePasswordBodySchema>;

export const LoginSessionSchema = z.object({
  id: z.string(),
  userAgent: z.string().nullable(),
  ip: z.string().nullable(),
  createdAt: z.iso.datetime(),
  lastUsedAt: z.iso.datetime(),
  /** The login the request's access token belongs to. */
  current: z.boolean(),
});
export type LoginSession = z.infer<typeof LoginSessionSchema>;
export const SessionsResponseSchema = z.object({ sessions: z.array(LoginSessionSchema) });
export type SessionsResponse = z.infer<typeof SessionsResponseSchema>;

export const AdminUserSchema = z.object({
  id: z.string(),
  email: z.string(),
  displayName: z.string(),
  isAdmin: z.boolean(),
  /** Listed in ADMIN_EMAILS: always admin, cannot be demoted. */
  adminByConfig: z.boolean(),
  disabled: z.boolean(),
  online: z.boolean(),
  createdAt: z.iso.datetime(),
  lastSeenAt: z.iso.datetime().nullable(),
});
export type AdminUser = z.infer<typeof AdminUserSchema>;
export const AdminUsersResponseSchema = z.object({ users: z.array(AdminUserSchema) });
export const AdminUserResponseSchema = z.object({ user: AdminUserSchema });
export const ResetLinkResponseSchema = z.object({ url: z.string(), expiresAt: z.iso.datetime() });
export type ResetLinkResponse = z.infer<typeof ResetLinkResponseSchema>;

const UserRefSchema = z.object({ id: z.string(), displayName: z.string() });

export const InviteSchema = z.object({
  id: z.string(),
  /** Only in the answer to its creation: tokens are stored hashed. */
  url: z.string().nullable(),
  maxUses: z.number().int().positive().nullable(),
  uses: z.number().int().nonnegative(),
  expiresAt: z.iso.datetime(),
  createdAt: z.iso.datetime(),
  revokedAt: z.iso.datetime().nullable(),
  createdBy: UserRefSchema.nullable(),
});
export type Invite = z.infer<typeof InviteSchema>;
export const InvitesResponseSchema = z.object({ invites: z.array(InviteSchema) });
export const InviteResponseSchema = z.object({ invite: InviteSchema });

export const CreateInviteBodySchema = z.strictObject({
  /** null = unlimited. */
  maxUses: z.number().int().min(1).max(10_000).nullable(),
  expiresInHours: z.number().int().min(1).max(720),
});
export type CreateInviteBody = z.input<typeof CreateInviteBodySchema>;

export const AUDIT_ACTIONS = [
  'user.create',
  'user.disable',
  'user.enable',
  'user.reset-link',
  'user.promote',
  'user.demote',
  'invite.create',
  'invite.revoke',
] as const;
export const AuditActionSchema = z.enum(AUDIT_ACTIONS);
export type AuditAction = z.infer<typeof AuditActionSchema>;

export const AuditEntrySchema = z.object({
  id: z.string(),
  /** null = the command line. */
  actor: UserRefSchema.nullable(),
  action: AuditActionSchema,
  target: UserRefSchema.extend({ email: z.string() }).nullable(),
  detail: z.string().nullable(),
  createdAt: z.iso.datetime(),
});
export type AuditEntryView = z.infer<typeof AuditEntrySchema>;
export const AuditResponseSchema = z.object({ entries: z.array(AuditEntrySchema) });
export const AuditQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const HealthResponseSchema = z.object({
  status: z.enum(['ok', 'degraded']),
  checks: z.record(z.string(), z.enum(['ok', 'down'])).optional(),
});

export const HttpErrorSchema = z.object({ error: ErrorBodySchema });

export const CallHistoryEntrySchema = z.object({
  callId: IdSchema,
  direction: z.enum(['outgoing', 'incoming']),
  peer: PublicUserSchema,
  outcome: CallStateSchema,
  startedAt: z.iso.datetime(),
  answeredAt: z.iso.datetime().nullable(),
  endedAt: z.iso.datetime().nullable(),
  durationSeconds: z.number().int().nonnegative(),
});
export type CallHistoryEntry = z.infer<typeof CallHistoryEntrySchema>;
export const CallHistoryResponseSchema = z.object({ calls: z.array(CallHistoryEntrySchema) });

/** `GET /users` (extension): every account, by name, bounded (the server's USER_DIRECTORY_LIMIT). */
export const UserDirectoryResponseSchema = z.object({ users: z.array(PublicUserSchema) });
export type UserDirectoryResponse = z.infer<typeof UserDirectoryResponseSchema>;
