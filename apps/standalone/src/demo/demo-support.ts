import type { Principal, Role } from '@lianban/auth';
import { regionOfCode } from '@lianban/registry';
import type { CaseReader } from '@lianban/platform';

/** A member of staff acting in a demo: `demo-<role>@<agency>`, in the agency's region. */
export function demoStaff(role: Role, agency: string): Principal {
  return { sub: `demo-${role}@${agency}`, role, agency, region: regionOfCode(agency) };
}

/** The coordinator's process manager turns the lead's reply into "case answered" asynchronously. */
export async function waitUntilAnswered(reader: CaseReader, caseId: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if ((await reader.file(caseId))?.file.answer) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`demo: case ${caseId} was not answered after its reply`);
}
