import type { Region } from '@lianban/contracts';

export const ROLES = ['petitioner', 'clerk', 'coordinator', 'caseworker', 'agency-head', 'supervisor', 'analyst', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling, from the verified token (DESIGN 7). */
export interface Principal {
  sub: string;
  role: Role;
  /** agency staff and coordinators act for one agency */
  agency?: string;
  region?: Region;
  /** petitioner tokens name the cases they may follow */
  cases?: string[];
}

/** Roles that act for an agency and must carry an `agency` claim. */
export const AGENCY_ROLES: readonly Role[] = ['caseworker', 'agency-head', 'coordinator', 'supervisor'];
