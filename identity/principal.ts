export const ROLES = ['institution', 'operator', 'servant', 'applicant', 'reviewer', 'supervisor', 'recruiter', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling: a logged-in user or an institution's system with an API key. */
export interface Principal {
  kind: 'user' | 'apiKey';
  id: string;
  role: Role;
  username: string;
  /** Set for `institution` principals: the only institution whose data they may touch. */
  institutionClave: string | null;
  /** Set for `servant` users: their person record. */
  personId: string | null;
}
