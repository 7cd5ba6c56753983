import { jwtVerify, SignJWT, errors as joseErrors } from 'jose';
import { ROLES, type Principal, type Role } from './principal';

const ISSUER = 'edomex-backoffice';
const AUDIENCE = 'edomex-backoffice-api';

export interface TokenService {
  issue(principal: Principal): Promise<{ accessToken: string; expiresIn: number }>;
  verify(token: string): Promise<Principal | null>;
}

/**
 * Short-lived HS256 access tokens. Verification pins the algorithm, issuer and audience, so
 * `alg: none`, other algorithms, tampered and expired tokens are all refused.
 */
export function createTokenService(secret: string, ttlSeconds: number): TokenService {
  const key = new TextEncoder().encode(secret);
  return {
    async issue(principal) {
      const accessToken = await new SignJWT({
        role: principal.role,
        usr: principal.username,
        inst: principal.institutionClave,
        per: principal.personId,
      })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(principal.id)
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(`${ttlSeconds}s`)
        .sign(key);
      return { accessToken, expiresIn: ttlSeconds };
    },
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, key, { algorithms: ['HS256'], issuer: ISSUER, audience: AUDIENCE });
        const role = payload.role as Role;
        if (!payload.sub || !ROLES.includes(role)) return null;
        return {
          kind: 'user',
          id: payload.sub,
          role,
          username: String(payload.usr ?? ''),
          institutionClave: (payload.inst as string | null) ?? null,
          personId: (payload.per as string | null) ?? null,
        };
      } catch (err) {
        if (err instanceof joseErrors.JOSEError) return null;
        throw err;
      }
    },
  };
}
