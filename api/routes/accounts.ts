import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { loadDispersionSummary } from '../../activities/dispersion';
import { isValidPeriod } from '../../domain/periods';
import { ACCOUNT_KINDS, FUNDS } from '../../ledger/accounts';
import { INDIVIDUAL_CREDITS } from '../../ledger/concepts';
import { buildAccountStatement, buildTrialBalance, type StatementPostingRow } from '../../ledger/summary';
import type { AppDeps } from '../app';
import { auditPersonalDataAccess } from '../audit';
import { AppError, forbidden, notFound } from '../errors';
import { requirePrincipal } from '../plugins/auth';
import { errorResponses, institutionClaveParam } from '../schemas';
import { findPersonByCurp } from './people';

/**
 * The ledger seen from outside (contracts §6, §8; docs/ledger.md):
 * - `GET /v1/people/{curp}/account`: a person's individual account statement (operators, admins,
 *   and the servant themself); personal data, audited (denials too).
 * - `GET /v1/ledger/trial-balance`: Σ debits and Σ credits overall and per account kind (operators).
 * - `GET /v1/institutions/{clave}/periods/{period}/dispersion`: the period's dispersion summary
 *   (tenant-checked: an institution sees only its own).
 */

/** Same key rule as api/routes/people.ts: any CURP the person ever had, or the clave ISSEMyM (digits). */
const curpParam = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^([A-Z0-9]{18}|\d{4,10})$/, 'Indique la CURP (18 letras y números, sin espacios) o la clave ISSEMyM (solo dígitos).');
const periodParam = z.string().refine(isValidPeriod, 'El periodo es AAAAQQ con QQ entre 01 y 24, por ejemplo 202604.');
const amount = z.string().describe('decimal string with 2 decimals');

const statementView = z.object({
  personId: z.string(),
  curp: z.string(),
  claveIssemym: z.string(),
  balance: amount,
  accounts: z.array(z.object({ administrator: z.string(), balance: amount, credits: amount, debits: amount })),
  periods: z.array(
    z.object({
      period: z.string(),
      total: amount,
      movements: z.array(
        z.object({
          institutionClave: z.string(),
          period: z.string(),
          concept: z.string(),
          administrator: z.string(),
          amount,
          date: z.string().describe('payment date (YYYY-MM-DD)'),
          postedAt: z.string(),
        }),
      ),
    }),
  ),
});

const trialBalanceView = z.object({
  totalDebits: amount,
  totalCredits: amount,
  balanced: z.boolean(),
  byKind: z.array(z.object({ kind: z.enum(ACCOUNT_KINDS), debits: amount, credits: amount, balance: amount, postings: z.number() })),
});

const dispersionView = z.object({
  submissionId: z.string(),
  institutionClave: z.string(),
  period: z.string(),
  created: z.boolean(),
  paymentDate: z.string(),
  entries: z.array(z.object({ entryKey: z.string(), paymentDate: z.string(), createdAt: z.string(), totalDebit: amount, totalCredit: amount, postingCount: z.number() })),
  deposits: amount,
  totalDebits: amount,
  totalCredits: amount,
  balanced: z.boolean(),
  individualAccounts: z.number(),
  destinations: z.object({
    individual: amount,
    funds: z.object(Object.fromEntries(FUNDS.map((f) => [f, amount])) as Record<(typeof FUNDS)[number], typeof amount>),
    loansPortfolio: amount,
    accessoriesIncome: amount,
    institutionCredit: amount,
    suspense: amount,
  }),
  byConcept: z.array(z.object({ accountKind: z.enum(ACCOUNT_KINDS), concept: z.string(), amount })),
  administrators: z.array(
    z.object({
      administrator: z.string(),
      personCount: z.number(),
      recordCount: z.number(),
      totalCuota: amount,
      totalAportacion: amount,
      total: amount,
      file: z.enum(['internal', 'pending', 'ready']),
      fileSha256: z.string().nullable(),
    }),
  ),
});

export const accountRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  const { db, sql } = deps.database;

  /** Operators/admins see anyone; a servant only themself (anyone else 404, audited as denied). */
  async function authorizeStatement(request: FastifyRequest, key: string) {
    const principal = requirePrincipal(request);
    const person = await findPersonByCurp(db, key);
    const purpose = 'consulta del estado de cuenta individual';
    const deny = async (error: Error): Promise<never> => {
      const subjectId = person?.id ?? `sha256:${createHash('sha256').update(key).digest('hex').slice(0, 16)}`;
      await auditPersonalDataAccess(db, request, { action: 'read', subjectType: 'person-account', subjectId, purpose, outcome: 'denied' });
      throw error;
    };
    if (!person) {
      if (principal.role === 'operator' || principal.role === 'admin') throw notFound(`La persona con CURP o clave ISSEMyM ${key}`);
      return deny(notFound('La persona'));
    }
    // 404 like an unknown key: a servant must not learn whether someone else is in the registry.
    if (principal.role === 'servant' && principal.personId !== person.id) return deny(notFound('La persona'));
    if (principal.role !== 'servant' && principal.role !== 'operator' && principal.role !== 'admin') return deny(forbidden());
    await auditPersonalDataAccess(db, request, { action: 'read', subjectType: 'person-account', subjectId: person.id, purpose });
    return person;
  }

  app.get(
    '/v1/people/:curp/account',
    {
      config: { access: { roles: ['operator', 'admin', 'servant'] } },
      schema: {
        tags: ['ledger'],
        summary: "A person's individual account statement: balance per administrator and movements per period (personal data: audited)",
        params: z.object({ curp: curpParam }),
        querystring: z.object({ period: periodParam.optional() }),
        response: { 200: statementView, ...errorResponses },
      },
    },
    async (request) => {
      const person = await authorizeStatement(request, request.params.curp);
      const period = request.query.period ?? null;
      // The person's rows of the individual accounts' subsidiary ledger, one movement per concept.
      const rows = (await sql`
        select c.administrator, c.institution_clave, c.period, v.concept, '0.00' as debit, v.amount::text as credit,
               e.payment_date::text as payment_date, c.created_at
          from individual_account_credits c
          join journal_entries e on e.id = c.entry_id
         cross join lateral (values (${INDIVIDUAL_CREDITS[0].concept}::text, c.cuota), (${INDIVIDUAL_CREDITS[1].concept}::text, c.aportacion)) as v(concept, amount)
         where c.person_id = ${person.id} and v.amount > 0
           and (${period}::text is null or c.period = ${period}::text)
         order by c.period, c.institution_clave, v.concept`) as unknown as {
        administrator: string;
        institution_clave: string;
        period: string;
        concept: string;
        debit: string;
        credit: string;
        payment_date: string;
        created_at: Date;
      }[];
      const statement = buildAccountStatement(
        rows.map(
          (r): StatementPostingRow => ({
            administrator: r.administrator,
            institutionClave: r.institution_clave,
            period: r.period,
            concept: r.concept,
            debit: r.debit,
            credit: r.credit,
            paymentDate: r.payment_date,
            postedAt: new Date(r.created_at).toISOString(),
          }),
        ),
      );
      return { personId: person.id, curp: person.curp, claveIssemym: person.claveIssemym, ...statement };
    },
  );

  app.get(
    '/v1/ledger/trial-balance',
    {
      config: { access: { roles: ['operator', 'admin'] } },
      schema: {
        tags: ['ledger'],
        summary: 'Trial balance: Σ debits and Σ credits overall and per account kind (optionally one institution and/or period)',
        querystring: z.object({ institutionClave: institutionClaveParam.optional(), period: periodParam.optional() }),
        response: { 200: trialBalanceView, ...errorResponses },
      },
    },
    async (request) => {
      const clave = request.query.institutionClave ?? null;
      const period = request.query.period ?? null;
      const rows = (await sql`
        select a.kind, coalesce(sum(p.debit), 0)::text as debits, coalesce(sum(p.credit), 0)::text as credits, count(*)::int as postings
          from ledger_postings p join ledger_accounts a on a.id = p.account_id
         where (${clave}::text is null or p.institution_clave = ${clave}::text)
           and (${period}::text is null or p.period = ${period}::text)
         group by a.kind`) as unknown as { kind: string; debits: string; credits: string; postings: number }[];
      return buildTrialBalance(rows);
    },
  );

  app.get(
    '/v1/institutions/:clave/periods/:period/dispersion',
    {
      config: { access: { roles: ['institution', 'operator', 'admin'], tenant: 'institution' } },
      schema: {
        tags: ['ledger'],
        summary: "The period's dispersion: amounts per destination kind and concept, batches per administrator with control totals",
        params: z.object({ clave: institutionClaveParam, period: periodParam }),
        response: { 200: dispersionView, ...errorResponses },
      },
    },
    async (request) => {
      const { clave, period } = request.params;
      const [submission] = (await sql`
        select id from payroll_submissions where institution_clave = ${clave} and period = ${period}`) as unknown as { id: string }[];
      if (!submission) throw notFound(`La nómina de la institución ${clave} para el periodo ${period}`);
      const summary = await loadDispersionSummary(sql, submission.id);
      if (!summary) {
        throw new AppError(404, 'DISPERSION_PENDING', `El periodo ${period} aún no se ha dispersado: la dispersión se realiza cuando el periodo está pagado por completo. Consulte el estado del periodo en GET /v1/institutions/${clave}/periods/${period}.`);
      }
      return summary;
    },
  );
};
