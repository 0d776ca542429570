// Names of organisations and people, for reads that show them. Organisations change rarely:
// their names are cached for a minute per process.
import type { Models } from '../../models';

export function createDirectory(models: Models) {
  let orgs: { at: number; names: Map<string, string> } | null = null;

  async function orgNames(): Promise<Map<string, string>> {
    if (!orgs || Date.now() - orgs.at > 60_000) {
      const docs = await models.Organisation.find().select({ name: 1 }).lean();
      orgs = { at: Date.now(), names: new Map(docs.map((o) => [o._id, o.name])) };
    }
    return orgs.names;
  }

  return {
    orgNames,
    async orgName(code: string): Promise<string> {
      return (await orgNames()).get(code) ?? code;
    },
    /** A lookup function for many names at once (a page's tables). */
    async namer(): Promise<(code: string) => string> {
      const names = await orgNames();
      return (code: string) => names.get(code) ?? code;
    },
    async userNames(ids: readonly string[]): Promise<Map<string, string>> {
      const unique = [...new Set(ids.filter(Boolean))];
      if (!unique.length) return new Map();
      const users = await models.User.find({ _id: { $in: unique } })
        .select({ name: 1 })
        .lean();
      return new Map(users.map((u) => [u._id, u.name]));
    },
    /** Users with a role at an organisation (few per organisation: filtered here, not with $elemMatch). */
    async usersWithRole(org: string, roles: readonly string[]) {
      const users = await models.User.find({ 'memberships.org': org }).sort({ name: 1 }).lean();
      return users.filter((u) => u.memberships.some((m) => m.org === org && m.roles.some((r) => roles.includes(r))));
    },
    async organisation(code: string) {
      return models.Organisation.findById(code).lean();
    },
  };
}
export type Directory = ReturnType<typeof createDirectory>;
