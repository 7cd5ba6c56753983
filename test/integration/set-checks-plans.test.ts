import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '../../db/client';
import { setCheckStatements, withFileScopedPlans } from '../../payroll/set-checks';
import { createTestDatabase } from '../support/world';

/**
 * A clerk's file is checked right after it is staged, before PostgreSQL has statistics for it:
 * the planner believes it holds one row. A plan that nests one set of the file inside another
 * then does rows × rows work — an 8,000-row file's duplicates check took 152 s in the statewide
 * bench. This reproduces that state (payroll_rows analysed with another file, then the file
 * staged) and reads the plan of every set-check statement as the checks run it.
 */

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Parent Relationship'?: string;
  'Plan Rows'?: number;
  Plans?: PlanNode[];
}

const FILE_SETS = new Set(['payroll_rows', 'payroll_findings']);
/** Nodes that, inside the inner side of a nested loop, mean a whole set is read again per outer row. */
const RESCANS_A_SET = (node: PlanNode) =>
  FILE_SETS.has(node['Relation Name'] ?? '') || ['CTE Scan', 'Aggregate', 'Materialize', 'Hash Join', 'Merge Join'].includes(node['Node Type']);

function nodes(node: PlanNode): PlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(nodes)];
}

/** Describes each nested loop whose inner side rescans a set: empty for a plan linear in the file. */
function quadraticNests(plan: PlanNode): string[] {
  return nodes(plan)
    .filter((n) => n['Node Type'] === 'Nested Loop')
    .flatMap((loop) => {
      const inner = (loop.Plans ?? []).find((c) => c['Parent Relationship'] === 'Inner');
      const offending = inner ? nodes(inner).filter(RESCANS_A_SET) : [];
      return offending.map((n) => `Nested Loop inner side: ${n['Node Type']}${n['Relation Name'] ? ` on ${n['Relation Name']}` : ''}`);
    });
}

let testDb: { url: string; drop(): Promise<void> };
let database: Database;
const analysedFile = randomUUID();
const freshFile = randomUUID();

/** `count` rows of a file: distinct CURP-shaped keys, one repeated pair, N movements. */
async function stageRows(fileId: string, count: number, curpPrefix: string) {
  await database.sql`
    insert into payroll_rows (file_id, row_number, curp, clave_issemym, rfc, primer_apellido, nombres, movimiento, sueldo_cotizable)
    select ${fileId}::uuid, g, ${curpPrefix} || lpad((case when g = ${count} then 1 else g end)::text, 8, '0'), null, null, 'PEREZ', 'ANA', 'N', 10000
      from generate_series(1, ${count}) g`;
}

beforeAll(async () => {
  testDb = await createTestDatabase();
  database = createDatabase(testDb.url, { max: 2 });
  await stageRows(analysedFile, 3000, 'AAAA');
  await database.sql`analyze payroll_rows`;
  await stageRows(freshFile, 2000, 'BBBB');
});
afterAll(async () => {
  await database?.close();
  await testDb?.drop();
});

describe('set checks on a file staged after payroll_rows was last analysed', () => {
  it('is a file the planner takes for one row (the condition under test)', async () => {
    const [{ 'QUERY PLAN': [estimate] }] = (await database.sql.unsafe(`explain (format json) select * from payroll_rows where file_id = $1`, [freshFile])) as unknown as [
      { 'QUERY PLAN': [{ Plan: PlanNode }] },
    ];
    const [{ count }] = (await database.sql`select count(*)::int as count from payroll_rows where file_id = ${freshFile}`) as unknown as [{ count: number }];
    expect(count).toBe(2000);
    expect(estimate.Plan['Plan Rows']).toBeLessThan(20);
  });

  it('plans every statement without reading a set of the file once per row of it', async () => {
    const statements = setCheckStatements({ fileId: freshFile, institutionClave: '10001', period: '202606', kind: 'full' }, 86_400);
    expect(statements.map(([name]) => name)).toEqual(['duplicates', 'registry', 'previous-period', 'renapo', 'renapo-unchecked', 'row-state']);
    const problems: Record<string, string[]> = {};
    for (const [name, text, params] of statements) {
      const [{ 'QUERY PLAN': [explained] }] = (await withFileScopedPlans(database.sql, (tx) => tx.unsafe(`explain (format json) ${text}`, params as never[]))) as unknown as [
        { 'QUERY PLAN': [{ Plan: PlanNode }] },
      ];
      const nests = quadraticNests(explained.Plan);
      if (nests.length > 0) problems[name] = nests;
    }
    expect(problems).toEqual({});
  });
});
