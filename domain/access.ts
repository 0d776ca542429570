// Access rules as tables: for each action, which role on which side of the thing may do it,
// in which states, and which further conditions must hold. One evaluator reads every table,
// so the API, the pages and the workflows decide the same way, and every read can list what
// its caller may do next (with the reason when not).
import { Refusal, refuse, roleRequired, type RefusalInfo } from './refusals';
import type { Actor, Role } from './roles';

/** A role on a side of the thing; `nominated_reviewer` is the user a coordinator named for one review. */
export type Grant<S extends string> = readonly [S, Role | 'nominated_reviewer'];

export interface AccessRule<S extends string, St extends string, P extends string> {
  by: ReadonlyArray<Grant<S>>;
  /** States in which the action is possible (every state when absent). */
  from?: readonly St[];
  /** Further conditions, checked in order after role and state. */
  requires?: readonly P[];
}

export interface Subject<S extends string, St extends string> {
  parties: Record<S, string>;
  status: St;
  nominatedReviewer?: string | null;
}

/** What a read tells its caller about one action. */
export interface ActionInfo<A extends string = string> {
  action: A;
  allowed: boolean;
  /** Why not, when not allowed. */
  refusal?: RefusalInfo;
}

function holds<S extends string>(grant: Grant<S>, parties: Record<S, string>, actor: Actor, nominated?: string | null): boolean {
  const [side, role] = grant;
  if (actor.org !== parties[side]) return false;
  if (role === 'nominated_reviewer') return Boolean(nominated) && nominated === actor.userId;
  return actor.roles.includes(role);
}

/** True when the actor holds one of the rule's roles on its side (whatever the state). */
export function hasGrant<S extends string>(rule: { by: ReadonlyArray<Grant<S>> }, subject: Subject<S, string>, actor: Actor): boolean {
  return rule.by.some((g) => holds(g, subject.parties, actor, subject.nominatedReviewer));
}

export function createAccess<S extends string, St extends string, P extends string, A extends string>(opts: {
  table: Record<A, AccessRule<S, St, P>>;
  conditions: Record<P, (subject: never, actor: Actor, action: A) => Refusal | null>;
  stateRefusal: (action: A, status: St) => Refusal;
}) {
  const { table, conditions, stateRefusal } = opts;

  /** The refusal for this actor now, or null when the action is allowed. */
  function check<T extends Subject<S, St>>(action: A, subject: T, actor: Actor): Refusal | null {
    const rule = table[action];
    if (!hasGrant(rule, subject, actor)) {
      const mine = rule.by.find(([side]) => subject.parties[side] === actor.org) ?? rule.by[0]!;
      const roles = rule.by.filter(([side, role]) => side === mine[0] && role !== 'nominated_reviewer').map(([, role]) => role as Role);
      return roleRequired(roles, subject.parties[mine[0]]);
    }
    if (rule.from && !rule.from.includes(subject.status)) return stateRefusal(action, subject.status);
    for (const p of rule.requires ?? []) {
      const refusal = (conditions[p] as (s: T, a: Actor, x: A) => Refusal | null)(subject, actor, action);
      if (refusal) return refusal;
    }
    return null;
  }

  return {
    table,
    check,
    /** Throws the refusal unless the actor may do this now. */
    assert<T extends Subject<S, St>>(action: A, subject: T, actor: Actor): void {
      const refusal = check(action, subject, actor);
      if (refusal) throw refusal;
    },
    allowed<T extends Subject<S, St>>(action: A, subject: T, actor: Actor): boolean {
      return check(action, subject, actor) === null;
    },
    /**
     * The actions the actor holds a role for on this thing, each allowed or with the reason it
     * is not. Actions of roles the actor does not have are left out.
     */
    actions<T extends Subject<S, St>>(subject: T, actor: Actor, only?: readonly A[]): ActionInfo<A>[] {
      return (only ?? (Object.keys(table) as A[]))
        .filter((a) => hasGrant(table[a], subject, actor))
        .map((action) => {
          const refusal = check(action, subject, actor);
          return refusal ? { action, allowed: false, refusal: refusal.info() } : { action, allowed: true };
        });
    },
  };
}

/** Shorthand for a refusal-free condition result. */
export const ok = null;
export { refuse };
