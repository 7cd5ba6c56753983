/**
 * The batched RENAPO lookups of a quincenal file (registry.resolveRenapoChains, used by the set
 * checks) give the same chains as asking one CURP at a time (resolveRenapoChain), following
 * RCC/BCC replacements, and reuse the stored answers instead of asking RENAPO again.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createRegistryService } from '../../activities/registry';
import { makeCurp, seedRenapo } from '../support/identities';
import { startTestWorld, type TestWorld } from '../support/world';
import { createActivityDeps } from '../../worker/activity-deps';

let world: TestWorld;
beforeAll(async () => {
  world = await startTestWorld();
});
afterAll(async () => {
  await world?.stop();
});

const summary = (c: { curp: string; found: boolean; status: string | null; newCurp: string | null }) => ({ curp: c.curp, found: c.found, status: c.status, newCurp: c.newCurp });

describe('batched RENAPO chains', () => {
  it('follows RCC/BCC like single lookups, once per CURP, and reuses stored answers', async () => {
    const renapoUrl = inject('renapoUrl');
    const [a, b, c, d, e, f] = Array.from({ length: 6 }, () => makeCurp());
    await seedRenapo(renapoUrl, c!, { estatusCURP: 'AN' });
    await seedRenapo(renapoUrl, b!, { estatusCURP: 'RCC', curpNueva: c! });
    await seedRenapo(renapoUrl, a!, { estatusCURP: 'RCC', curpNueva: b! });
    await seedRenapo(renapoUrl, d!, { estatusCURP: 'AN' });
    await seedRenapo(renapoUrl, f!, { estatusCURP: 'BCC', curpNueva: d! });
    // e is unknown to RENAPO.
    const deps = createActivityDeps(world.config, world.database);
    const registry = createRegistryService({ db: world.database.db, renapo: deps.renapo, config: world.config });
    const count = async () => Number(((await world.database.sql`select count(*)::int as n from renapo_checks where curp = any(${[a!, b!, c!, d!, e!, f!]})`) as unknown as [{ n: number }])[0].n);

    const batched = await registry.resolveRenapoChains([a!, d!, e!, f!, ` ${a!.toLowerCase()} `], { concurrency: 3 });
    expect([...batched.keys()].sort()).toEqual([a!, d!, e!, f!].sort());
    expect(batched.get(a!)!.map(summary)).toEqual([
      { curp: a, found: true, status: 'RCC', newCurp: b },
      { curp: b, found: true, status: 'RCC', newCurp: c },
      { curp: c, found: true, status: 'AN', newCurp: null },
    ]);
    expect(batched.get(f!)!.map((x) => x.curp)).toEqual([f, d]);
    expect(batched.get(e!)!.map(summary)).toEqual([{ curp: e, found: false, status: null, newCurp: null }]);
    // d was asked once although two chains reach it; every CURP is stored once.
    expect(await count()).toBe(6);

    for (const curp of [a!, d!, e!, f!]) {
      const single = await registry.resolveRenapoChain(curp);
      expect(single.map(summary)).toEqual(batched.get(curp)!.map(summary));
      expect(single.every((x) => x.fromCache)).toBe(true);
    }
    const again = await registry.resolveRenapoChains([a!, f!]);
    expect(again.get(a!)!.every((x) => x.fromCache)).toBe(true);
    expect(again.get(a!)!.map((x) => x.id)).toEqual(batched.get(a!)!.map((x) => x.id));
    expect(await count()).toBe(6);

    const forced = await registry.resolveRenapoChains([f!], { force: true });
    expect(forced.get(f!)!.map((x) => x.fromCache)).toEqual([false, false]);
    expect(await count()).toBe(8);
  });
});
