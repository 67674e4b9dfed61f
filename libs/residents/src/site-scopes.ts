import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import { AccInvoicingService } from './acc/acc-invoicing.service';
import { AccMonthService } from './acc/acc-month.service';
import { FacturxValidator } from './acc/facturx-validator';
import { CommodityLedger } from './commodity-ledger';
import { EffacementReportService } from './effacement-report.service';
import { RESIDENT_READER } from './resident-report.service';
import { ResidentLedgerService } from './resident-ledger.service';
import { ResidentReportService } from './resident-report.service';
import { SiteCatalog } from '@ilot/runtime';
import type { Site } from '@ilot/site';
import {
  AccInvoiceRepository,
  AccRepository,
  AllocationShareRepository,
  CommodityReadingRepository,
  EffacementReferences,
  ParticipantCommodityRepository,
  PlanRepository,
  ReadingRepository,
  ResidentLedgerRepository,
  SignalRepository,
} from '@ilot/timeseries';

/** What the API and the metrics app do for one îlot: its definition and the services built on it. */
export interface SiteScope {
  site: Site;
  effacements: EffacementReportService;
  /** Residents' reports, read under row-level security: where the report reader is (the API app); else absent. */
  reports?: ResidentReportService;
  ledger: ResidentLedgerService;
  /** The PMO's month (issue 29): key files, the distributor's data, reconciliation; refuses a site not on the public grid. */
  acc: AccMonthService;
  /** The operation's invoices (issue 29 §4): refuses a site that bills no one. */
  invoicing: AccInvoicingService;
}

/**
 * Every îlot the deployment serves (the site catalog: ILOT_SITES_DIR, the sites stored through the API, or the one of
 * ILOT_SITE_FILE), each with its services, built when the site first shows up and built again when its definition
 * changes (its fingerprint). The API, the gauges and the ledger job ask here, so that one instance serves every îlot
 * and any instance gives the same answers (all they hold is derived from the database and the site files).
 */
@Injectable()
export class SiteScopes {
  private readonly built = new Map<string, { fingerprint: string; scope: SiteScope }>();

  constructor(
    private readonly catalog: SiteCatalog,
    private readonly readings: ReadingRepository,
    private readonly signals: SignalRepository,
    private readonly plans: PlanRepository,
    private readonly ledgerRepository: ResidentLedgerRepository,
    private readonly shares: AllocationShareRepository,
    @Inject(RESIDENT_READER) private readonly residentReader: ResidentLedgerRepository | null,
    private readonly commodityReadings: CommodityReadingRepository,
    private readonly accRepository: AccRepository,
    private readonly invoices: AccInvoiceRepository,
    private readonly facturx: FacturxValidator,
  ) {}

  /** The scope of a site served now; 404 with the site's id otherwise. */
  of(siteId: string): SiteScope {
    const entry = this.catalog.find(siteId);
    if (!entry) throw new NotFoundException(`no site "${siteId}"`);
    return this.scopeOf(entry.site, entry.fingerprint);
  }

  /** A site's residents' reports: only where the report reader is configured (the API app). */
  reportsOf(siteId: string): ResidentReportService {
    const { reports } = this.of(siteId);
    if (!reports) throw new Error('residents’ reports are read by the API app: ResidentsModule.forRoot({ reports })');
    return reports;
  }

  /** Every site served now, in the catalog's order. */
  all(): SiteScope[] {
    const entries = this.catalog.sites();
    const served = new Set(entries.map((e) => e.site.id));
    for (const siteId of this.built.keys()) if (!served.has(siteId)) this.built.delete(siteId);
    return entries.map((entry) => this.scopeOf(entry.site, entry.fingerprint));
  }

  private scopeOf(site: Site, fingerprint: string): SiteScope {
    const known = this.built.get(site.id);
    if (known?.fingerprint === fingerprint) return known.scope;
    const effacements = new EffacementReportService(
      site,
      this.signals,
      new EffacementReferences(site, this.readings, this.signals),
      this.plans,
    );
    const ledger = new ResidentLedgerService(
      site,
      this.readings,
      this.signals,
      this.ledgerRepository,
      effacements,
      this.shares,
      new CommodityLedger(site, this.commodityReadings, new ParticipantCommodityRepository(this.ledgerRepository)),
    );
    const scope: SiteScope = {
      site,
      effacements,
      ...(this.residentReader ? { reports: new ResidentReportService(site, this.residentReader) } : {}),
      ledger,
      acc: new AccMonthService(site, ledger, this.ledgerRepository, this.shares, this.readings, this.accRepository),
      invoicing: new AccInvoicingService(site, this.accRepository, this.invoices, this.facturx, this.shares),
    };
    this.built.set(site.id, { fingerprint, scope });
    return scope;
  }
}
