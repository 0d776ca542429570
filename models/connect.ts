import mongoose from 'mongoose';
import { createModels, syncIndexes, type Models } from './index';

/** A connection of its own (not mongoose's global one), so tests can hold several. */
export async function connectDatabase(uri: string): Promise<{ models: Models; close: () => Promise<void> }> {
  const conn = mongoose.createConnection(uri, { serverSelectionTimeoutMS: 10_000, autoIndex: false });
  await conn.asPromise();
  const models = createModels(conn);
  await syncIndexes(models);
  return { models, close: () => conn.close() };
}
