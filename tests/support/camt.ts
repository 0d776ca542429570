// CAMT.053 bank statements shaped as Dutch banks export them (camt.053.001.02, as Rabobank,
// ING and ABN AMRO do): a group header, one statement with its account and balances, entries
// with their booking date and status, and transaction details, a batch booking among them.
export interface CamtTx {
  amount: string;
  endToEndId?: string;
  remittance?: string;
  debtor?: string;
  iban?: string;
}
export interface CamtEntry {
  amount: string;
  credit?: boolean;
  date?: string;
  ref?: string;
  status?: string;
  /** One transaction (the usual case) or several (a batch booking). */
  txs: CamtTx[];
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

export function camt053(opts: { statementId: string; iban?: string; entries: CamtEntry[]; date?: string }): string {
  const iban = opts.iban ?? 'NL91RABO0300065264';
  const date = opts.date ?? '2026-11-30';
  const entries = opts.entries
    .map(
      (e, i) => `
      <Ntry>
        <NtryRef>${esc(e.ref ?? `${opts.statementId}-${i + 1}`)}</NtryRef>
        <Amt Ccy="EUR">${e.amount}</Amt>
        <CdtDbtInd>${e.credit === false ? 'DBIT' : 'CRDT'}</CdtDbtInd>
        <Sts>${e.status ?? 'BOOK'}</Sts>
        <BookgDt><Dt>${e.date ?? date}</Dt></BookgDt>
        <ValDt><Dt>${e.date ?? date}</Dt></ValDt>
        <AcctSvcrRef>${esc(`${opts.statementId}/${i + 1}`)}</AcctSvcrRef>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>
        <NtryDtls>${e.txs.length > 1 ? `<Btch><NbOfTxs>${e.txs.length}</NbOfTxs></Btch>` : ''}${e.txs
          .map(
            (t) => `
          <TxDtls>
            <Refs><EndToEndId>${esc(t.endToEndId ?? 'NOTPROVIDED')}</EndToEndId></Refs>
            <AmtDtls><TxAmt><Amt Ccy="EUR">${t.amount}</Amt></TxAmt></AmtDtls>
            <RltdPties>
              <Dbtr><Nm>${esc(t.debtor ?? 'Gemeente Zwijndrecht')}</Nm></Dbtr>
              <DbtrAcct><Id><IBAN>${t.iban ?? 'NL02ABNA0123456789'}</IBAN></Id></DbtrAcct>
            </RltdPties>
            ${t.remittance ? `<RmtInf><Ustrd>${esc(t.remittance)}</Ustrd></RmtInf>` : ''}
          </TxDtls>`,
          )
          .join('')}
        </NtryDtls>
      </Ntry>`,
    )
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>${esc(opts.statementId)}-MSG</MsgId><CreDtTm>${date}T18:00:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>${esc(opts.statementId)}</Id>
      <ElctrncSeqNb>${opts.statementId.replace(/\D/g, '').slice(-5) || '1'}</ElctrncSeqNb>
      <CreDtTm>${date}T18:00:00</CreDtTm>
      <Acct><Id><IBAN>${iban}</IBAN></Id><Ccy>EUR</Ccy><Svcr><FinInstnId><BIC>RABONL2U</BIC></FinInstnId></Svcr></Acct>
      <Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">1000.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>${date}</Dt></Dt></Bal>
      <Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">2000.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>${date}</Dt></Dt></Bal>
      <TxsSummry><TtlNtries><NbOfNtries>${opts.entries.length}</NbOfNtries></TtlNtries></TxsSummry>${entries}
    </Stmt>
  </BkToCstmrStmt>
</Document>
`;
}
