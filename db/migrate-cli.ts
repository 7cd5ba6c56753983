// `npm run db:migrate`: applies migrations and reference data to DATABASE_URL (or the local default).
import { chooseDatabase } from './resolve';
import { openDatabase } from './open';

const chosen = await chooseDatabase(process.env.DATABASE_URL);
const { database, kind, url } = await openDatabase({ url: chosen.url, migrate: true });
console.log(`migrations applied to ${kind} database ${new URL(url).pathname.slice(1)}`);
await database.close();
