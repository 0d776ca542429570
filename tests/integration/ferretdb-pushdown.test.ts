// The installer patches FerretDB's SQLite backend to push more filters down to SQLite
// (scripts/ferretdb/ferretdb-v1.24.patch). What it pushes down must select a superset of what
// the filter matches, with MongoDB's meaning: a string equality also matches arrays holding
// the string. These checks run on the real, patched server.
import mongoose from 'mongoose';
import { ulid } from 'ulid';

type Document = mongoose.mongo.Document;
type Doc = { _id: string | number; [key: string]: unknown };
type Filter = mongoose.mongo.Filter<Doc>;

let client: mongoose.mongo.MongoClient;
let indexed: mongoose.mongo.Collection<Doc>;
let plain: mongoose.mongo.Collection<Doc>;

const DOCS: Doc[] = [
  { _id: 'a', provider: 'DOR', status: 'approved', n: 1 },
  { _id: 'b', provider: 'DBC', status: 'approved', n: 2 },
  { _id: 'c', provider: ['ZWN', 'DOR'], status: 'approved', n: 3 },
  { _id: 'e', status: 'approved', n: 5 },
  { _id: 'f', provider: null, status: 'open', n: 6 },
  { _id: 'g', provider: { code: 'DOR' }, status: 'approved', n: 7 },
  { _id: 'h', provider: 'a<b & "c"', status: 'approved', n: 8 },
  { _id: 'i', provider: 'Zwijndrecht–Één', status: ['approved', 'open'], n: 9 },
  { _id: 10, provider: 'DOR', status: 'approved', n: 10 },
];

beforeAll(async () => {
  client = await new mongoose.mongo.MongoClient(`${process.env.EENVOUD_TEST_MONGO}/t_${ulid().toLowerCase()}`).connect();
  indexed = client.db().collection<Doc>('indexed');
  plain = client.db().collection<Doc>('plain');
  await indexed.createIndex({ provider: 1, status: 1 });
  await indexed.insertMany(DOCS.map((d) => ({ ...d })));
  await plain.insertMany(DOCS.map((d) => ({ ...d })));
});
afterAll(async () => {
  await client.db().dropDatabase();
  await client.close();
});

const ids = (docs: Document[]) => docs.map((d) => d._id).sort((x, y) => String(x).localeCompare(String(y)));

test.each([
  ['a string field', { provider: 'DOR' }, ['10', 'a', 'c']],
  ['two string fields', { provider: 'DOR', status: 'approved' }, ['10', 'a', 'c']],
  ['a string in an array', { status: 'open' }, ['f', 'i']],
  ['a string JSON escapes', { provider: 'a<b & "c"' }, ['h']],
  ['a string beyond ASCII', { provider: 'Zwijndrecht–Één' }, ['i']],
  ['a string and an operator', { provider: 'DOR', n: { $gte: 3 } }, ['10', 'c']],
  ['_id next to another condition', { _id: 'c', provider: 'DOR' }, ['c']],
  ['_id next to a condition it fails', { _id: 'b', provider: 'DOR' }, []],
  ['_id in a list', { _id: { $in: ['a', 'b', 'zz'] } }, ['a', 'b']],
  ['_id in a list of mixed types', { _id: { $in: ['a', 10] } }, ['10', 'a']],
  ['a field that is missing', { other: 'DOR' }, []],
])('a find on %s returns what MongoDB would, with and without an index', async (_name, query, expected) => {
  const filter = query as Filter;
  const wanted = expected as string[];
  for (const coll of [indexed, plain]) {
    expect(ids(await coll.find(filter).toArray()).map(String)).toEqual(wanted);
    expect(await coll.countDocuments(filter)).toBe(wanted.length);
    const grouped = await coll.aggregate([{ $match: filter }, { $group: { _id: null, n: { $sum: '$n' } } }]).toArray();
    expect(grouped[0]?.n ?? 0).toBe(DOCS.filter((d) => wanted.includes(String(d._id))).reduce((s, d) => s + (d.n as number), 0));
  }
});

test('updates and deletes with a pushed-down filter touch exactly the matching documents', async () => {
  const coll = client.db().collection<Doc>('writes');
  await coll.createIndex({ provider: 1 });
  await coll.insertMany(DOCS.map((d) => ({ ...d })));
  const updated = await coll.updateMany({ provider: 'DOR' }, { $set: { seen: true } });
  expect(updated.modifiedCount).toBe(3);
  expect(ids(await coll.find({ seen: true }).toArray()).map(String)).toEqual(['10', 'a', 'c']);
  const one = await coll.findOneAndUpdate({ _id: 'c', provider: 'DOR' }, { $set: { one: 1 } }, { returnDocument: 'after' });
  expect(one?.one).toBe(1);
  const deleted = await coll.deleteMany({ provider: 'DOR', status: 'approved' });
  expect(deleted.deletedCount).toBe(3);
  expect(ids(await coll.find().toArray()).map(String)).toEqual(['b', 'e', 'f', 'g', 'h', 'i']);
});

test("the pushed-down filter uses the field's index, and the _id index for a list of ids", async () => {
  const plan = async (filter: Document) => {
    const res = await client.db().command({ explain: { find: 'indexed', filter }, verbosity: 'queryPlanner' });
    return { pushdown: res.filterPushdown as boolean, plan: JSON.stringify(res.queryPlanner) };
  };
  const byProvider = await plan({ provider: 'DOR', n: { $gt: 0 } });
  expect(byProvider.pushdown).toBe(true);
  expect(byProvider.plan).toMatch(/SEARCH \S+ USING INDEX \S*provider/);
  expect(byProvider.plan).not.toMatch(/SCAN/);
  const byIds = await plan({ _id: { $in: ['a', 'b'] } });
  expect(byIds.plan).toMatch(/SEARCH \S+ USING INDEX \S*_id_/);
  // Not pushed down: only a filter with an operator.
  expect((await plan({ n: { $gt: 0 } })).pushdown).toBe(false);
});
