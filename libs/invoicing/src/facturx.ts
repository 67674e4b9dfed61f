import type { Party } from '@ilot/site';
import type { Invoice, InvoiceLine } from './invoice';
import { decimalAmount } from './money';

/** The Factur-X profile Îlot writes: EN 16931 (the European norm's core, CII syntax). */
export const FACTURX_GUIDELINE = 'urn:cen.eu:en16931:2017';
export const FACTURX_FILE_NAME = 'factur-x.xml';

const escape = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const date102 = (date: string) => `<udt:DateTimeString format="102">${date.replaceAll('-', '')}</udt:DateTimeString>`;
const UNIT_CODES: Record<InvoiceLine['unit'], string> = { kWh: 'KWH', mois: 'MON' };

function party(tag: string, p: Party): string {
  const lines = p.address.slice(0, 3);
  return `<ram:${tag}>
      <ram:Name>${escape(p.name)}</ram:Name>${
        p.siren
          ? `
      <ram:SpecifiedLegalOrganization><ram:ID schemeID="0002">${p.siren}</ram:ID></ram:SpecifiedLegalOrganization>`
          : ''
      }
      <ram:PostalTradeAddress>
        <ram:PostcodeCode>${escape(p.postcode)}</ram:PostcodeCode>${['LineOne', 'LineTwo', 'LineThree']
          .slice(0, lines.length)
          .map((name, i) => `\n        <ram:${name}>${escape(lines[i])}</ram:${name}>`)
          .join('')}
        <ram:CityName>${escape(p.city)}</ram:CityName>
        <ram:CountryID>${p.countryCode}</ram:CountryID>
      </ram:PostalTradeAddress>${
        p.vatNumber
          ? `
      <ram:SpecifiedTaxRegistration><ram:ID schemeID="VA">${p.vatNumber}</ram:ID></ram:SpecifiedTaxRegistration>`
          : ''
      }
    </ram:${tag}>`;
}

function lineItem(line: InvoiceLine, index: number): string {
  return `<ram:IncludedSupplyChainTradeLineItem>
    <ram:AssociatedDocumentLineDocument><ram:LineID>${index + 1}</ram:LineID></ram:AssociatedDocumentLineDocument>
    <ram:SpecifiedTradeProduct><ram:Name>${escape(line.description)}</ram:Name></ram:SpecifiedTradeProduct>
    <ram:SpecifiedLineTradeAgreement>
      <ram:NetPriceProductTradePrice><ram:ChargeAmount>${line.unitPriceEur.toFixed(5)}</ram:ChargeAmount></ram:NetPriceProductTradePrice>
    </ram:SpecifiedLineTradeAgreement>
    <ram:SpecifiedLineTradeDelivery>
      <ram:BilledQuantity unitCode="${UNIT_CODES[line.unit]}">${line.quantity.toFixed(4)}</ram:BilledQuantity>
    </ram:SpecifiedLineTradeDelivery>
    <ram:SpecifiedLineTradeSettlement>
      <ram:ApplicableTradeTax>
        <ram:TypeCode>VAT</ram:TypeCode>
        <ram:CategoryCode>S</ram:CategoryCode>
        <ram:RateApplicablePercent>${line.vatPct.toFixed(2)}</ram:RateApplicablePercent>
      </ram:ApplicableTradeTax>
      <ram:SpecifiedTradeSettlementLineMonetarySummation>
        <ram:LineTotalAmount>${decimalAmount(line.amountCents)}</ram:LineTotalAmount>
      </ram:SpecifiedTradeSettlementLineMonetarySummation>
    </ram:SpecifiedLineTradeSettlement>
  </ram:IncludedSupplyChainTradeLineItem>`;
}

/**
 * The invoice as Factur-X EN 16931 XML (UN/CEFACT CII D16B), the document a business buyer's software reads: type
 * 380 (invoice) or 381 (credit note, naming the invoice it corrects), seller and buyer with their SIREN and VAT
 * number, a line per invoice line, VAT per rate, the totals. Pure; validated against the profile's XSD before an
 * invoice is issued.
 */
export function facturxXml(invoice: Invoice): string {
  const t = invoice.totals;
  return `<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100" xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100" xmlns:qdt="urn:un:unece:uncefact:data:standard:QualifiedDataType:100" xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100">
  <rsm:ExchangedDocumentContext>
    <ram:GuidelineSpecifiedDocumentContextParameter><ram:ID>${FACTURX_GUIDELINE}</ram:ID></ram:GuidelineSpecifiedDocumentContextParameter>
  </rsm:ExchangedDocumentContext>
  <rsm:ExchangedDocument>
    <ram:ID>${escape(invoice.number)}</ram:ID>
    <ram:TypeCode>${invoice.kind === 'credit-note' ? 381 : 380}</ram:TypeCode>
    <ram:IssueDateTime>${date102(invoice.issueDate)}</ram:IssueDateTime>${invoice.mentions
      .map((m) => `\n    <ram:IncludedNote><ram:Content>${escape(m)}</ram:Content></ram:IncludedNote>`)
      .join('')}
  </rsm:ExchangedDocument>
  <rsm:SupplyChainTradeTransaction>
  ${invoice.lines.map(lineItem).join('\n  ')}
  <ram:ApplicableHeaderTradeAgreement>
    <ram:BuyerReference>${escape(invoice.buyer.prm)}</ram:BuyerReference>
    ${party('SellerTradeParty', invoice.seller)}
    ${party('BuyerTradeParty', invoice.buyer)}
  </ram:ApplicableHeaderTradeAgreement>
  <ram:ApplicableHeaderTradeDelivery/>
  <ram:ApplicableHeaderTradeSettlement>
    <ram:InvoiceCurrencyCode>EUR</ram:InvoiceCurrencyCode>${t.vat
      .map(
        (v) => `
    <ram:ApplicableTradeTax>
      <ram:CalculatedAmount>${decimalAmount(v.vatCents)}</ram:CalculatedAmount>
      <ram:TypeCode>VAT</ram:TypeCode>
      <ram:BasisAmount>${decimalAmount(v.baseCents)}</ram:BasisAmount>
      <ram:CategoryCode>S</ram:CategoryCode>
      <ram:RateApplicablePercent>${v.pct.toFixed(2)}</ram:RateApplicablePercent>
    </ram:ApplicableTradeTax>`,
      )
      .join('')}
    <ram:BillingSpecifiedPeriod>
      <ram:StartDateTime>${date102(invoice.periodStart)}</ram:StartDateTime>
      <ram:EndDateTime>${date102(invoice.periodEnd)}</ram:EndDateTime>
    </ram:BillingSpecifiedPeriod>
    <ram:SpecifiedTradePaymentTerms>
      <ram:DueDateDateTime>${date102(invoice.dueDate)}</ram:DueDateDateTime>
    </ram:SpecifiedTradePaymentTerms>
    <ram:SpecifiedTradeSettlementHeaderMonetarySummation>
      <ram:LineTotalAmount>${decimalAmount(t.netCents)}</ram:LineTotalAmount>
      <ram:TaxBasisTotalAmount>${decimalAmount(t.netCents)}</ram:TaxBasisTotalAmount>
      <ram:TaxTotalAmount currencyID="EUR">${decimalAmount(t.vatCents)}</ram:TaxTotalAmount>
      <ram:GrandTotalAmount>${decimalAmount(t.grossCents)}</ram:GrandTotalAmount>
      <ram:DuePayableAmount>${decimalAmount(t.grossCents)}</ram:DuePayableAmount>
    </ram:SpecifiedTradeSettlementHeaderMonetarySummation>${
      invoice.corrects
        ? `
    <ram:InvoiceReferencedDocument><ram:IssuerAssignedID>${escape(invoice.corrects)}</ram:IssuerAssignedID></ram:InvoiceReferencedDocument>`
        : ''
    }
  </ram:ApplicableHeaderTradeSettlement>
  </rsm:SupplyChainTradeTransaction>
</rsm:CrossIndustryInvoice>
`;
}
