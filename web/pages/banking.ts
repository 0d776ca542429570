// Bank statements on the pages: provider finance uploads a CAMT.053 file, reads the proposal
// (exact matches, partial payments, lines to place by hand) and confirms it. The banking
// feature matches and registers; these pages translate.
import type { Request, Response, Router } from 'express';
import type { BankLine } from '../../app/banking';
import { refuse, type RefusalInfo } from '../../domain/refusals';
import { refusalNl } from '../../i18n/nl';
import { submitForm, type Body, type Errors } from '../forms';
import { actorOf, type WebContext } from '../index';
import { uploadsOf } from '../multipart';

const MATCH_NL = { exact: 'Past precies', partial: 'Deelbetaling', unmatched: 'Niet te koppelen' } as const;
const REASON_NL: Record<string, string> = {
  debit: 'afschrijving, geen ontvangst',
  not_booked: 'nog niet geboekt door de bank',
  currency: 'niet in euro',
  no_invoice: 'geen openstaande factuur gevonden in de omschrijving of het kenmerk',
  more_than_outstanding: 'meer dan er op de factuur openstaat',
  several_invoices: 'noemt meerdere facturen, maar het bedrag is niet hun som',
};
const STATUS_NL: Record<BankLine['status'], string> = {
  proposed: 'Voorstel',
  registered: 'Geregistreerd',
  skipped: 'Niet geregistreerd',
  failed: 'Geweigerd',
};

export function bankingPages(router: Router, ctx: WebContext): void {
  const uc = ctx.app.banking;

  const listPage = async (req: Request, res: Response, errors: Errors = {}, status = 200) => {
    const statements = await uc.list(actorOf(req));
    await ctx.page(req, res, 'bank-statements', { title: 'Bankafschriften', statements, errors }, status);
  };
  router.get('/bankafschriften', (req, res) => listPage(req, res));
  router.post('/bankafschriften', async (req, res) => {
    const uploads = uploadsOf(req);
    await submitForm(req, res, {
      run: async () => {
        if (uploads.refusal) throw uploads.refusal;
        if (!uploads.files.length) throw refuse('attachment_missing', {}, 'file');
        return uc.importStatement(actorOf(req), uploads.files[0]);
      },
      name: await ctx.namer(),
      fields: { file: 'bestanden' },
      again: (errors, status) => listPage(req, res, errors, status),
      done: (statements) => ({
        flash: `Afschrift ${statements.map((s) => s.statementId).join(', ')} is ingelezen. Controleer het voorstel en bevestig het.`,
        to: `/bankafschriften/${encodeURIComponent(statements[0]!.id)}`,
      }),
    });
  });

  const detail = async (req: Request, res: Response, errors: Errors = {}, status = 200) => {
    const s = await uc.get(actorOf(req), String(req.params.id));
    const name = await ctx.namer();
    const lines = s.lines.map((l) => ({
      ...l,
      matchText: MATCH_NL[l.match],
      reasonText: l.reason ? (REASON_NL[l.reason] ?? l.reason) : null,
      statusText: STATUS_NL[l.status],
      choosable: l.match !== 'unmatched' && l.status !== 'registered',
      failedText: l.refusal ? refusalNl(l.refusal as RefusalInfo, name) : null,
    }));
    await ctx.page(
      req,
      res,
      'bank-statement',
      {
        title: `Bankafschrift ${s.statementId}`,
        s,
        lines,
        anyChoosable: lines.some((l) => l.choosable),
        counts: {
          exact: lines.filter((l) => l.match === 'exact').length,
          partial: lines.filter((l) => l.match === 'partial').length,
          unmatched: lines.filter((l) => l.match === 'unmatched' && l.credit).length,
          debits: lines.filter((l) => !l.credit).length,
        },
        errors,
      },
      status,
    );
  };
  router.get('/bankafschriften/:id', (req, res) => detail(req, res));
  router.post('/bankafschriften/:id/bevestigen', async (req, res) => {
    const id = String(req.params.id);
    const body = req.body as Body;
    const chosen = ([] as string[]).concat(body.regel ?? []).map(Number);
    await submitForm(req, res, {
      run: () => uc.confirm(actorOf(req), id, { lines: chosen }),
      name: await ctx.namer(),
      again: (errors, status) => detail(req, res, errors, status),
      done: (s) => {
        const registered = s.lines.filter((l) => l.status === 'registered').length;
        const failed = s.lines.filter((l) => l.status === 'failed').length;
        return {
          flash: `${registered} ${registered === 1 ? 'betaling is' : 'betalingen zijn'} geregistreerd${failed ? `; ${failed} geweigerd (zie de regels)` : ''}.`,
          to: `/bankafschriften/${encodeURIComponent(id)}`,
        };
      },
    });
  });
}
