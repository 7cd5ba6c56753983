/**
 * The access policy, route by route: who may call each route the API exposes, and which tenant
 * rule narrows it. Reviewed by hand; `test/integration/access-matrix.test.ts` checks that
 * it lists exactly the routes `buildApp` registers, that each route declares exactly this in its
 * `config.access`, and that the running API refuses every combination it does not allow.
 *
 * Refusals (docs/security.md, "Access"):
 * - no or invalid credentials → 401, on every non-public route;
 * - a role not listed → 403 (the route's existence is public in /docs; nothing about data leaks);
 * - `tenant: 'institution'`: an institution principal (user or API key) whose clave is not the
 *   `:clave` of the URL → 403, decided from the URL alone before the body is read;
 * - `scope`: rows the handler narrows to the caller (a servant's own person, an applicant's own
 *   profile and documents, an institution's related people, a recruiter's own vacancies). Other
 *   people's rows answer 404 exactly like unknown ones, so existence never leaks.
 *
 * A new route without an entry here fails the test: add it with its rule and have it reviewed.
 */
import { ROLES, type Role } from '../../identity/principal';

export interface AccessEntry {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  /** 'public': no credentials needed. Otherwise the only roles that may call the route. */
  allow: 'public' | readonly Role[];
  /** 'institution': an institution principal may only use its own `:clave`. */
  tenant?: 'institution';
  /** How the handler narrows the data further for some of the allowed roles. */
  scope?: string;
  /** Public, but authenticated by its own HMAC signature (X-Bank-Signature): 401 without it. */
  signed?: true;
}

const ANY_USER: readonly Role[] = ROLES;
const PRISMA_STAFF: readonly Role[] = ['operator', 'admin'];
const INSTITUTION_OR_STAFF: readonly Role[] = ['institution', 'operator', 'admin'];
const SHM_REVIEW: readonly Role[] = ['reviewer', 'supervisor'];
const APPLICANT: readonly Role[] = ['applicant'];
const RECRUITER: readonly Role[] = ['recruiter'];
const tenant = 'institution' as const;

const SELF_PERSON = 'servant: only their own person (others 404, audited as denied); institution: only people with a plaza there (others 404)';
const SELF_APPLICANT = 'the calling applicant’s own account, profile and documents only';

export const ACCESS_MATRIX: readonly AccessEntry[] = [
  // OpenAPI pages (static description of the API; no data)
  { method: 'GET', url: '/docs', allow: 'public' },
  { method: 'GET', url: '/docs/static/index.html', allow: 'public' },
  { method: 'GET', url: '/docs/static/swagger-initializer.js', allow: 'public' },
  { method: 'GET', url: '/docs/json', allow: 'public' },
  { method: 'GET', url: '/docs/yaml', allow: 'public' },
  { method: 'GET', url: '/docs/static/*', allow: 'public' },

  // platform and identity
  { method: 'GET', url: '/health', allow: 'public' },
  { method: 'POST', url: '/v1/auth/login', allow: 'public', scope: 'rate limited per IP and username; lockout after 5 failures' },
  { method: 'GET', url: '/v1/auth/me', allow: ANY_USER, scope: 'the caller only' },
  { method: 'POST', url: '/v1/users', allow: ['admin'] },
  { method: 'POST', url: '/v1/institutions/:clave/api-keys', allow: PRISMA_STAFF },
  { method: 'DELETE', url: '/v1/institutions/:clave/api-keys/:id', allow: PRISMA_STAFF },

  // institutions
  { method: 'POST', url: '/v1/institutions', allow: PRISMA_STAFF },
  { method: 'GET', url: '/v1/institutions', allow: PRISMA_STAFF },
  { method: 'GET', url: '/v1/institutions/:clave', allow: INSTITUTION_OR_STAFF, tenant },

  // avisos de movimiento
  { method: 'POST', url: '/v1/institutions/:clave/movements', allow: INSTITUTION_OR_STAFF, tenant },
  { method: 'GET', url: '/v1/institutions/:clave/movements/:noticeId', allow: INSTITUTION_OR_STAFF, tenant, scope: 'notice of that institution (else 404)' },
  { method: 'GET', url: '/v1/institutions/:clave/movements/:noticeId/aviso', allow: INSTITUTION_OR_STAFF, tenant, scope: 'notice of that institution (else 404)' },

  // people (registry)
  { method: 'GET', url: '/v1/people/me', allow: ['servant'], scope: 'the servant’s own person' },
  { method: 'GET', url: '/v1/people/:curp', allow: ['operator', 'admin', 'servant', 'institution'], scope: SELF_PERSON },
  { method: 'GET', url: '/v1/people/:curp/vigencia', allow: ['operator', 'admin', 'servant'], scope: SELF_PERSON },
  { method: 'GET', url: '/v1/people/:curp/constancia', allow: ['operator', 'admin', 'servant'], scope: SELF_PERSON },
  { method: 'POST', url: '/v1/people/:curp/renapo-verification', allow: PRISMA_STAFF },
  { method: 'POST', url: '/v1/people/:curp/administrators', allow: PRISMA_STAFF },
  { method: 'PUT', url: '/v1/people/:curp/other-ids', allow: PRISMA_STAFF },
  { method: 'POST', url: '/v1/people/legacy-import', allow: PRISMA_STAFF },
  { method: 'GET', url: '/v1/people/:curp/account', allow: ['operator', 'admin', 'servant'], scope: SELF_PERSON },

  // quincenal payroll, payments, CFDI, dispersion
  { method: 'POST', url: '/v1/institutions/:clave/periods/:period/files', allow: INSTITUTION_OR_STAFF, tenant },
  { method: 'GET', url: '/v1/institutions/:clave/periods/:period', allow: INSTITUTION_OR_STAFF, tenant },
  { method: 'GET', url: '/v1/institutions/:clave/periods/:period/findings', allow: INSTITUTION_OR_STAFF, tenant },
  { method: 'POST', url: '/v1/institutions/:clave/periods/:period/accept', allow: INSTITUTION_OR_STAFF, tenant },
  { method: 'POST', url: '/v1/institutions/:clave/periods/:period/withdraw', allow: INSTITUTION_OR_STAFF, tenant },
  { method: 'GET', url: '/v1/institutions/:clave/periods/:period/versions/:version/diff', allow: INSTITUTION_OR_STAFF, tenant },
  { method: 'GET', url: '/v1/institutions/:clave/periods/:period/variance', allow: INSTITUTION_OR_STAFF, tenant },
  { method: 'GET', url: '/v1/institutions/:clave/periods/:period/payment-form', allow: INSTITUTION_OR_STAFF, tenant },
  { method: 'GET', url: '/v1/institutions/:clave/periods/:period/cfdi', allow: INSTITUTION_OR_STAFF, tenant },
  { method: 'GET', url: '/v1/institutions/:clave/periods/:period/archive', allow: INSTITUTION_OR_STAFF, tenant },
  { method: 'GET', url: '/v1/institutions/:clave/periods/:period/determinacion', allow: INSTITUTION_OR_STAFF, tenant },
  { method: 'GET', url: '/v1/institutions/:clave/periods/:period/dispersion', allow: INSTITUTION_OR_STAFF, tenant },
  { method: 'GET', url: '/v1/ledger/trial-balance', allow: PRISMA_STAFF },

  // bank
  { method: 'POST', url: '/v1/bank/notifications', allow: 'public', signed: true },
  { method: 'POST', url: '/v1/bank/statements', allow: PRISMA_STAFF },
  { method: 'GET', url: '/v1/payments/review-queue', allow: PRISMA_STAFF },
  { method: 'POST', url: '/v1/payments/review-queue/:id/assign', allow: PRISMA_STAFF },
  { method: 'POST', url: '/v1/payments/review-queue/:id/refund', allow: PRISMA_STAFF },

  // SHM: applicants' accounts
  { method: 'GET', url: '/v1/shm/privacy-notice', allow: 'public' },
  { method: 'POST', url: '/v1/shm/privacy-notices', allow: ['admin'] },
  { method: 'POST', url: '/v1/shm/applicants', allow: 'public', scope: 'rate limited per IP' },
  { method: 'POST', url: '/v1/shm/consents/privacy-notice', allow: APPLICANT, scope: SELF_APPLICANT },
  { method: 'PUT', url: '/v1/shm/consents/talent-bank', allow: APPLICANT, scope: SELF_APPLICANT },
  { method: 'POST', url: '/v1/shm/password-reset', allow: 'public', scope: 'same answer whether or not the e-mail exists; rate limited' },
  { method: 'POST', url: '/v1/shm/password-reset/confirm', allow: 'public', scope: 'single-use token; rate limited' },
  { method: 'GET', url: '/v1/shm/notifications', allow: ['applicant', 'reviewer', 'supervisor', 'recruiter', 'admin'], scope: 'addressed to the caller or their role' },

  // SHM: the applicant's cédula
  { method: 'GET', url: '/v1/shm/profile', allow: APPLICANT, scope: SELF_APPLICANT },
  { method: 'PUT', url: '/v1/shm/profile', allow: APPLICANT, scope: SELF_APPLICANT },
  { method: 'POST', url: '/v1/shm/profile/documents', allow: APPLICANT, scope: SELF_APPLICANT },
  { method: 'GET', url: '/v1/shm/profile/documents/:documentId', allow: APPLICANT, scope: `${SELF_APPLICANT} (another’s document: 404, audited as denied)` },
  { method: 'POST', url: '/v1/shm/profile/submit', allow: APPLICANT, scope: SELF_APPLICANT },
  { method: 'GET', url: '/v1/shm/profile/registrations', allow: APPLICANT, scope: SELF_APPLICANT },
  { method: 'GET', url: '/v1/shm/profile/score', allow: APPLICANT, scope: SELF_APPLICANT },
  { method: 'POST', url: '/v1/shm/profile/appeals', allow: APPLICANT, scope: SELF_APPLICANT },

  // SHM: review queues
  { method: 'GET', url: '/v1/shm/review-tasks', allow: SHM_REVIEW },
  { method: 'GET', url: '/v1/shm/review-tasks/:id', allow: SHM_REVIEW, scope: 'the claimant or a supervisor (others 403: claim it first)' },
  { method: 'GET', url: '/v1/shm/review-tasks/:id/document', allow: SHM_REVIEW, scope: 'the claimant or a supervisor (others 403, audited as denied)' },
  { method: 'POST', url: '/v1/shm/review-tasks/:id/claim', allow: SHM_REVIEW },
  { method: 'POST', url: '/v1/shm/review-tasks/:id/release', allow: SHM_REVIEW, scope: 'the claimant or a supervisor' },
  { method: 'POST', url: '/v1/shm/review-tasks/:id/reassign', allow: ['supervisor'] },
  { method: 'POST', url: '/v1/shm/review-tasks/:id/decision', allow: SHM_REVIEW, scope: 'the claimant only' },
  { method: 'POST', url: '/v1/shm/review-tasks/bulk', allow: SHM_REVIEW, scope: 'each task as its own action' },

  // SHM: talent bank and job board
  { method: 'GET', url: '/v1/shm/talent', allow: RECRUITER, scope: 'opted-in, scored profiles only' },
  { method: 'GET', url: '/v1/shm/talent/:profileId', allow: RECRUITER, scope: 'opted-in, scored profiles only (others 404)' },
  { method: 'POST', url: '/v1/shm/vacancies', allow: RECRUITER },
  { method: 'GET', url: '/v1/shm/vacancies', allow: ['applicant', 'recruiter', 'supervisor', 'admin'] },
  { method: 'POST', url: '/v1/shm/vacancies/:id/close', allow: RECRUITER, scope: 'the recruiter’s own vacancy' },
  { method: 'POST', url: '/v1/shm/vacancies/:id/applications', allow: APPLICANT, scope: SELF_APPLICANT },
  { method: 'GET', url: '/v1/shm/vacancies/:id/applications', allow: RECRUITER, scope: 'the recruiter’s own vacancy' },
  { method: 'PATCH', url: '/v1/shm/vacancies/:id/applications/:applicationId', allow: RECRUITER, scope: 'the recruiter’s own vacancy' },
  { method: 'GET', url: '/v1/shm/applications', allow: APPLICANT, scope: SELF_APPLICANT },

  // SHM: ARCO rights and operations
  { method: 'GET', url: '/v1/shm/arco/export', allow: APPLICANT, scope: SELF_APPLICANT },
  { method: 'POST', url: '/v1/shm/arco', allow: APPLICANT, scope: SELF_APPLICANT },
  { method: 'GET', url: '/v1/shm/arco', allow: ['applicant', 'supervisor', 'admin'], scope: 'applicants: their own requests only' },
  { method: 'POST', url: '/v1/shm/arco/:id/resolution', allow: ['supervisor', 'admin'] },
  { method: 'GET', url: '/v1/shm/operations', allow: ['supervisor', 'admin'] },
  { method: 'GET', url: '/v1/shm/operations/sla-settings', allow: ['supervisor', 'admin'] },
  { method: 'PUT', url: '/v1/shm/operations/sla-settings', allow: ['admin'], scope: 'refused in production' },
];

export const routeKey = (r: { method: string; url: string }) => `${r.method} ${r.url}`;
