import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import postgres from 'postgres';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import { inject } from 'vitest';
import { describe, expect, it } from 'vitest';
import { createDatabase } from '../../db/client';
import { applyMigrations, migrationsFolder } from '../../db/migrate';

/**
 * Migration 0002 moves the individual accounts out of the journal into their subsidiary ledger. A
 * database that dispersed under the old model (one posting per person and concept, one account per
 * person and administrator) must come out with the same money: every person's credits in
 * individual_account_credits, each entry balanced with one control credit per administrator and
 * concept, and nothing per person left in the journal.
 */
describe('ledger migration 0002: individual postings → subsidiary ledger + control accounts', () => {
  it('keeps every centavo: per-person detail, balanced entries, totals per administrator', async () => {
    const adminUrl = inject('postgresAdminUrl');
    const name = `edomex_mig_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database ${name}`);
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    const database = createDatabase(url.toString(), { max: 2 });
    try {
      // The schema as it was before 0002: the committed migrations up to 0001 only.
      const oldFolder = mkdtempSync(path.join(os.tmpdir(), 'migrations-0001-'));
      cpSync(migrationsFolder, oldFolder, { recursive: true });
      const journalPath = path.join(oldFolder, 'meta', '_journal.json');
      const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: { tag: string }[] };
      journal.entries = journal.entries.filter((e) => e.tag < '0002');
      writeFileSync(journalPath, JSON.stringify(journal));
      await migrate(database.db, { migrationsFolder: oldFolder });

      const sql = database.sql;
      const [p1, p2, p3] = [randomUUID(), randomUUID(), randomUUID()];
      const [e1, e2] = [randomUUID(), randomUUID()];
      await sql`
        insert into journal_entries (id, entry_key, kind, submission_id, institution_clave, period, payment_date, total_debit, total_credit, posting_count)
        values (${e1}, 'dispersion:a', 'dispersion', ${randomUUID()}, '20511', '202605', '2026-03-20', '1000.00', '1000.00', 7),
               (${e2}, 'dispersion:b', 'dispersion', ${randomUUID()}, '20512', '202605', '2026-03-21', '50.00', '50.00', 3)`;
      const account = async (code: string, kind: string, personId: string | null, administrator: string | null) =>
        ((await sql`insert into ledger_accounts (code, kind, name, person_id, administrator) values (${code}, ${kind}, ${code}, ${personId}, ${administrator}) returning id`) as unknown as { id: string }[])[0]!.id;
      const bank = await account('bank-clearing', 'bank-clearing', null, null);
      const fund = await account('fund:salud', 'fund', null, null);
      const a1 = await account(`individual:${p1}:AFORE-X`, 'individual', p1, 'AFORE-X');
      const a2 = await account(`individual:${p2}:ISSEMYM`, 'individual', p2, 'ISSEMYM');
      const a3 = await account(`individual:${p3}:ISSEMYM`, 'individual', p3, 'ISSEMYM');
      const post = (entry: string, acc: string, debit: string, credit: string, concept: string, person: string | null, clave: string) =>
        sql`insert into ledger_postings (entry_id, account_id, debit, credit, concept, person_id, institution_clave, period) values (${entry}, ${acc}, ${debit}, ${credit}, ${concept}, ${person}, ${clave}, '202605')`;
      await post(e1, bank, '1000.00', '0', 'deposito', null, '20511');
      await post(e1, fund, '0', '500.00', 'salud-cuota', null, '20511');
      await post(e1, a1, '0', '154.00', 'sci-cuota', p1, '20511');
      await post(e1, a1, '0', '165.00', 'sci-aportacion', p1, '20511');
      await post(e1, a2, '0', '70.01', 'sci-cuota', p2, '20511');
      await post(e1, a2, '0', '75.01', 'sci-aportacion', p2, '20511');
      await post(e1, a3, '0', '35.98', 'sci-cuota', p3, '20511'); // no aportación
      await post(e2, bank, '50.00', '0', 'deposito', null, '20512');
      await post(e2, a2, '0', '20.00', 'sci-cuota', p2, '20512'); // same person, another institution
      await post(e2, a2, '0', '30.00', 'sci-aportacion', p2, '20512');

      await applyMigrations(database);

      const detail = await sql`
        select c.institution_clave, c.person_id, c.administrator, c.entry_id, c.cuota::text, c.aportacion::text
          from individual_account_credits c order by c.institution_clave, c.cuota desc`;
      expect(detail).toEqual([
        { institution_clave: '20511', person_id: p1, administrator: 'AFORE-X', entry_id: e1, cuota: '154.00', aportacion: '165.00' },
        { institution_clave: '20511', person_id: p2, administrator: 'ISSEMYM', entry_id: e1, cuota: '70.01', aportacion: '75.01' },
        { institution_clave: '20511', person_id: p3, administrator: 'ISSEMYM', entry_id: e1, cuota: '35.98', aportacion: '0.00' },
        { institution_clave: '20512', person_id: p2, administrator: 'ISSEMYM', entry_id: e2, cuota: '20.00', aportacion: '30.00' },
      ]);
      const journal2 = await sql`
        select e.entry_key, a.code, p.concept, p.debit::text, p.credit::text
          from ledger_postings p join ledger_accounts a on a.id = p.account_id join journal_entries e on e.id = p.entry_id
         order by e.entry_key, a.code, p.concept`;
      expect(journal2).toEqual([
        { entry_key: 'dispersion:a', code: 'bank-clearing', concept: 'deposito', debit: '1000.00', credit: '0.00' },
        { entry_key: 'dispersion:a', code: 'fund:salud', concept: 'salud-cuota', debit: '0.00', credit: '500.00' },
        { entry_key: 'dispersion:a', code: 'sci:AFORE-X', concept: 'sci-aportacion', debit: '0.00', credit: '165.00' },
        { entry_key: 'dispersion:a', code: 'sci:AFORE-X', concept: 'sci-cuota', debit: '0.00', credit: '154.00' },
        { entry_key: 'dispersion:a', code: 'sci:ISSEMYM', concept: 'sci-aportacion', debit: '0.00', credit: '75.01' },
        { entry_key: 'dispersion:a', code: 'sci:ISSEMYM', concept: 'sci-cuota', debit: '0.00', credit: '105.99' },
        { entry_key: 'dispersion:b', code: 'bank-clearing', concept: 'deposito', debit: '50.00', credit: '0.00' },
        { entry_key: 'dispersion:b', code: 'sci:ISSEMYM', concept: 'sci-aportacion', debit: '0.00', credit: '30.00' },
        { entry_key: 'dispersion:b', code: 'sci:ISSEMYM', concept: 'sci-cuota', debit: '0.00', credit: '20.00' },
      ]);
      // Every entry still balances, matches its stored totals, and counts its (fewer) postings.
      const entries = await sql`
        select e.entry_key, e.posting_count, sum(p.debit)::text as debits, sum(p.credit)::text as credits, e.total_credit::text as total
          from journal_entries e join ledger_postings p on p.entry_id = e.id group by e.id order by e.entry_key`;
      expect(entries).toEqual([
        { entry_key: 'dispersion:a', posting_count: 6, debits: '1000.00', credits: '1000.00', total: '1000.00' },
        { entry_key: 'dispersion:b', posting_count: 3, debits: '50.00', credits: '50.00', total: '50.00' },
      ]);
      const accounts = await sql`select code from ledger_accounts where kind = 'individual' order by code`;
      expect(accounts).toEqual([{ code: 'sci:AFORE-X' }, { code: 'sci:ISSEMYM' }]);
    } finally {
      await database.close();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    }
  });
});
