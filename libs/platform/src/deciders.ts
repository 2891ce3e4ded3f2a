import type { Principal } from '@lianban/auth';
import type { Registry } from '@lianban/registry';

/**
 * The joint conference (川渝信访工作联席会议) is no agency of its own: the provincial petition
 * bureaus of both provinces sit on it and act for it. Those in force at `at`.
 */
export function jointConferenceMembers(registry: Registry, at: string): string[] {
  return registry.divisions(at)
    .filter((d) => d.level === 'province')
    .map((d) => registry.petitionBureauOf(d.code, at)?.id)
    .filter((id): id is string => !!id);
}

/**
 * The decider the caller acts for, if it is `deciderId`: the caller's own agency, or the joint
 * conference for a member bureau. Null when the caller acts for neither.
 */
export function actingFor(registry: Registry, caller: Principal, deciderId: string, at: string): string | null {
  if (!caller.agency) return null;
  if (caller.agency === deciderId) return deciderId;
  if (deciderId === registry.jointConference.id && jointConferenceMembers(registry, at).includes(caller.agency)) return deciderId;
  return null;
}
