/* Till's sales and returns into Vendure, a batch in the caller's one transaction.
 *
 * A till sale is a fact, not a cart for Vendure to price: each line goes in at the amount
 * the till charged (tax included, split into at most two order lines so that unit price x
 * quantity gives the till's line total to the cent, the till's discount kept in the line's
 * custom fields), no Vendure promotion applies (index.ts), each tender is its own settled
 * payment, the order is placed at the till's completion time and fulfilled to Delivered
 * whatever Vendure's stock says (stock may go below zero: the goods already left).  A line
 * whose variant was deleted or disabled in Vendure after the till sold it still lands
 * against that variant, flagged (Order.tillFlags, OrderLine.tillFlag).
 *
 * A return (lines with a negative quantity) is refunded against its original order when
 * Vendure has it (Order.tillKey = the till's return_of): a settled refund on that order's
 * payments for the amount the till paid back, with the returned lines, and the restocked
 * quantities put back on hand (a Cancellation stock movement on the original line).
 * Without a receipt, or with one Vendure does not know, it is a TillReturn record and the
 * restocked quantities go back on hand as a stock adjustment.  Either way TillReturn holds
 * the key, so a retry is a duplicate. */
import {
    Channel,
    ChannelService,
    ConfigService,
    EventBus,
    OrderPlacedEvent,
    OrderCalculator,
    Payment,
    Sale,
    Customer,
    CustomerService,
    Fulfillment,
    HistoryService,
    ID,
    isGraphQlErrorResult,
    Order,
    OrderLine,
    OrderService,
    PaymentService,
    ProductVariant,
    ProductVariantService,
    RequestContext,
    ShippingMethod,
    StockLevelService,
    StockLocationService,
    StockMovementService,
    TransactionalConnection,
    UserInputError,
    FulfillmentService,
} from '@vendure/core';
import { GlobalFlag, HistoryEntryType, OrderType } from '@vendure/common/lib/generated-types';
import { In, IsNull } from 'typeorm';

import { TillReturn } from './entities';

export interface TillResult {
    key: string;
    status: 'accepted' | 'duplicate' | 'rejected';
    code?: string;
    reason?: string;
}

export interface TillServices {
    connection: TransactionalConnection;
    orderService: OrderService;
    paymentService: PaymentService;
    fulfillmentService: FulfillmentService;
    customerService: CustomerService;
    channelService: ChannelService;
    historyService: HistoryService;
    productVariantService: ProductVariantService;
    stockLevelService: StockLevelService;
    stockLocationService: StockLocationService;
    stockMovementService: StockMovementService;
    configService: ConfigService;
    eventBus: EventBus;
    orderCalculator: OrderCalculator;
}

export function str(v: unknown, max = 200): string | undefined {
    return typeof v === 'string' && v.length > 0 && v.length <= max ? v : undefined;
}

function int(v: unknown): number {
    const n = typeof v === 'number' ? v : NaN;
    return Number.isSafeInteger(n) ? n : NaN;
}

/* Till's quantities are thousandths (pieces x 1000, or grams); Vendure's whole units.  A
 * weighed line is one unit at its whole amount (the grams stay in OrderLine.tillQty). */
function units(line: any): number {
    if (line.unit === 'kg') return 1;
    const q = Math.round(Math.abs(int(line.qty)) / 1000);
    return q < 1 ? 1 : q;
}

interface Part {
    line: any;
    variant: ProductVariant;
    flag: string;
    quantity: number;
    unitPrice: number;
}

/* Gross (tax included) amounts of the lines, summing to what the till took for them: under
 * tax_mode exclusive each line gets its tax at the till's rate, and the rounding left over
 * against the till's total goes on the largest line. */
function grossAmounts(o: any, lines: any[], want: number | undefined): number[] {
    const inclusive = o.tax_mode !== 'exclusive';
    const g = lines.map(l => {
        const t = Math.abs(int(l.line_total));
        return inclusive ? t : t + Math.round((t * int(l.tax_rate_ppm)) / 1e6);
    });
    if (!inclusive && want !== undefined && g.length) {
        const diff = want - g.reduce((a, b) => a + b, 0);
        let big = 0;
        g.forEach((x, i) => (x > g[big] ? (big = i) : 0));
        if (Math.abs(diff) <= lines.length && g[big] + diff >= 0) g[big] += diff;
    }
    return g;
}

/* q units for amount g: at most two order lines whose unit price x quantity sum to g. */
function split(g: number, q: number): Array<{ quantity: number; unitPrice: number }> {
    const u = Math.floor(g / q);
    const r = g - u * q;
    const parts = [];
    if (q - r > 0) parts.push({ quantity: q - r, unitPrice: u });
    if (r > 0) parts.push({ quantity: r, unitPrice: u + 1 });
    return parts;
}

export class TillOrderImporter {
    private customers = new Map<string, Customer>();
    private variants = new Map<string, ProductVariant>();
    private location: any;

    constructor(
        private s: TillServices,
        private ctx: RequestContext,
        private shipping: ShippingMethod,
        private walkInEmail: string,
    ) {}

    /* Every variant the batch names, deleted and disabled ones too (a live one first when a
     * SKU was deleted and made again). */
    async loadVariants(orders: any[]) {
        const skus = new Set<string>();
        for (const o of orders) for (const l of Array.isArray(o?.lines) ? o.lines : []) if (str(l?.sku, 64)) skus.add(l.sku);
        if (!skus.size) return;
        const found = await this.s.connection.getRepository(this.ctx, ProductVariant).find({
            where: { sku: In([...skus]) },
            relations: ['product', 'productVariantPrices', 'taxCategory'],
        });
        found.sort((a, b) => Number(!!a.deletedAt) - Number(!!b.deletedAt) || Number(b.enabled) - Number(a.enabled));
        for (const v of found) if (!this.variants.has(v.sku)) this.variants.set(v.sku, v);
    }

    async importAll(orders: any[]): Promise<TillResult[]> {
        const keys = orders.map(o => str(o?.idempotency_key, 127) ?? '');
        const wanted = keys.filter(k => k);
        const done = new Map<string, string>();
        if (wanted.length) {
            const os = await this.s.connection.getRepository(this.ctx, Order).find({
                where: { customFields: { tillKey: In(wanted) } } as any,
                relations: [],
            });
            for (const o of os) done.set((o.customFields as any).tillKey, o.code);
            const rs = await this.s.connection.getRepository(this.ctx, TillReturn).find({ where: { key: In(wanted) } });
            for (const r of rs) if (!done.has(r.key)) done.set(r.key, r.orderCode ?? `return-${r.id}`);
        }
        await this.loadVariants(orders);
        const results: TillResult[] = [];
        for (let i = 0; i < orders.length; i++) {
            const key = keys[i];
            if (!key) {
                results.push({ key: '', status: 'rejected', reason: 'no idempotency_key' });
                continue;
            }
            if (done.has(key)) {
                results.push({ key, status: 'duplicate', code: done.get(key) });
                continue;
            }
            const why = this.check(orders[i]);
            if (why) {
                results.push({ key, status: 'rejected', reason: why });
                continue;
            }
            const code = await this.importOne(orders[i], key);
            done.set(key, code);
            results.push({ key, status: 'accepted', code });
        }
        return results;
    }

    /* Everything that would refuse the sale, before anything is written: a batch is one
     * transaction, so nothing may fail half way through an order. */
    private check(o: any): string | undefined {
        const lines = (Array.isArray(o.lines) ? o.lines : []).filter((l: any) => !l?.voided);
        if (!lines.length) return 'no lines';
        for (const l of lines) {
            if (!str(l?.sku, 64)) return 'a line without a SKU';
            if (!int(l.qty) || Number.isNaN(int(l.line_total))) return `SKU ${l.sku}: quantity or amount is not an integer`;
            if (Math.sign(int(l.line_total)) * Math.sign(int(l.qty)) < 0) return `SKU ${l.sku}: amount and quantity differ in sign`;
            if (!this.variants.has(l.sku)) return `no product variant with SKU ${String(l.sku).slice(0, 64)}`;
        }
        const pays = Array.isArray(o.payments) ? o.payments : [];
        for (const p of pays) if (Number.isNaN(int(p?.amount))) return 'a payment amount is not an integer';
        const sale = lines.filter((l: any) => int(l.qty) > 0);
        const ret = lines.filter((l: any) => int(l.qty) < 0);
        const paid = pays.reduce((a: number, p: any) => a + int(p.amount), 0);
        if (ret.length === 0) {
            const gross = grossAmounts(o, sale, int(o.total)).reduce((a, b) => a + b, 0);
            if (paid !== gross) return `the payments (${paid}) are not the sale's total (${gross})`;
        }
        return undefined;
    }

    private async importOne(o: any, key: string): Promise<string> {
        const lines = (o.lines as any[]).filter(l => !l.voided);
        const sale = lines.filter(l => int(l.qty) > 0);
        const ret = lines.filter(l => int(l.qty) < 0);
        const R = grossAmounts(o, ret, undefined).reduce((a, b) => a + b, 0);
        let code = '';
        if (sale.length) code = await this.importSale(o, key, sale, R);
        if (ret.length) {
            const rcode = await this.importReturn(o, key, ret, R, code);
            code = code || rcode;
        }
        return code;
    }

    private fail(key: string, what: string, r: any): never {
        throw new UserInputError(`order ${key}: ${what}: ${r?.message ?? 'failed'}${r?.transitionError ? ' (' + r.transitionError + ')' : ''}`);
    }

    private async customerFor(o: any): Promise<Customer> {
        const c = o.customer && typeof o.customer === 'object' ? o.customer : {};
        const id = str(c.id, 40) ?? str(o.customer_id, 40);
        const cacheKey = id ? `id:${id}` : `email:${this.walkInEmail}`;
        const cached = this.customers.get(cacheKey);
        if (cached) return cached;
        const repo = this.s.connection.getRepository(this.ctx, Customer);
        let found: Customer | null = null;
        if (id) {
            found = await repo.findOne({ where: { customFields: { tillCustomerId: id }, deletedAt: IsNull() } as any });
            const card = str(c.card, 48);
            if (!found && card)
                found = await repo.findOne({ where: { customFields: { tillCard: card }, deletedAt: IsNull() } as any });
            const email = str(c.email, 200);
            if (!found && email) found = await repo.findOne({ where: { emailAddress: email, deletedAt: IsNull() } });
        } else {
            found = await repo.findOne({ where: { emailAddress: this.walkInEmail, deletedAt: IsNull() } });
        }
        if (!found) {
            /* a guest, without a user account */
            const name = (str(c.name, 64) ?? '').trim();
            const sp = name.lastIndexOf(' ');
            const email = id ? str(c.email, 200) ?? `${id.replace(/[^A-Za-z0-9._-]/g, '_')}@customers.till.invalid` : this.walkInEmail;
            const r = await this.s.customerService.createOrUpdate(this.ctx, {
                emailAddress: email,
                firstName: id ? (sp > 0 ? name.slice(0, sp) : name) || 'Till' : 'Walk-in',
                lastName: id ? (sp > 0 ? name.slice(sp + 1) : 'customer ' + id) : 'Till',
            });
            if (isGraphQlErrorResult(r)) throw new UserInputError(r.message);
            found = r;
        }
        if (id && (found.customFields as any)?.tillCustomerId !== id) {
            const cf: any = { tillCustomerId: id };
            if (str(c.card, 48)) cf.tillCard = c.card;
            await repo.update(found.id, { customFields: cf } as any);
        }
        this.customers.set(cacheKey, found);
        return found;
    }

    private async importSale(o: any, key: string, sale: any[], returned: number): Promise<string> {
        const { connection, historyService } = this.s;
        const ctx = this.ctx;
        const customer = await this.customerFor(o);
        const flags = new Set<string>();
        const gross = grossAmounts(o, sale, returned ? undefined : int(o.total));
        const parts: Part[] = [];
        sale.forEach((l, i) => {
            const variant = this.variants.get(l.sku)!;
            const flag = variant.deletedAt ? 'deleted' : !variant.enabled || variant.product?.enabled === false ? 'disabled' : '';
            if (flag) flags.add(`${flag}:${l.sku}`);
            for (const p of split(gross[i], units(l))) parts.push({ line: l, variant, flag, ...p });
        });
        const customFields = {
            tillKey: key,
            tillTerminal: str(o.terminal_id, 40) ?? null,
            tillReceiptNo: Number.isSafeInteger(o.receipt_no) ? o.receipt_no : null,
            tillCashier: str(o.cashier, 64) ?? null,
            tillFlags: flags.size ? [...flags].join(' ').slice(0, 250) : null,
        };
        /* The order is written as placed, paid and delivered: Vendure's order process would
         * price it again, check stock and variants, and walk a dozen transitions, each its
         * own round of queries.  What the process would leave behind is written here: the
         * order placed at the till's completion time, its lines (prices and taxes computed
         * by Vendure's OrderCalculator over the till's amounts), settled payments, a
         * delivered fulfilment, Sale stock movements, the history entries and the
         * OrderPlacedEvent. */
        const at = int(o.completed_at) > 0 ? new Date(int(o.completed_at) * 1000) : new Date();
        const fresh = new Order({
            type: OrderType.Regular,
            code: await this.s.configService.orderOptions.orderCodeStrategy.generate(ctx),
            state: 'Draft',
            active: false,
            orderPlacedAt: at,
            lines: [],
            surcharges: [],
            couponCodes: [],
            modifications: [],
            shippingAddress: {},
            billingAddress: {},
            subTotal: 0,
            subTotalWithTax: 0,
            currencyCode: ctx.currencyCode,
            customer,
            customFields,
        } as any);
        await this.s.channelService.assignToCurrentChannel(fresh, ctx);
        const created = await connection.getRepository(ctx, Order).save(fresh);
        /* the lines at the till's prices, whatever the variant's state in Vendure */
        const lineRepo = connection.getRepository(ctx, OrderLine);
        const lines: OrderLine[] = [];
        for (const p of parts) {
            const v = await this.s.productVariantService.applyChannelPriceAndTax(p.variant, ctx, created);
            const featured = v.featuredAssetId ?? v.product?.featuredAssetId;
            const saved = await lineRepo.save(
                new OrderLine({
                    order: { id: created.id } as Order,
                    productVariant: v,
                    taxCategory: v.taxCategory,
                    featuredAsset: featured ? ({ id: featured } as any) : undefined,
                    listPrice: p.unitPrice,
                    listPriceIncludesTax: true,
                    initialListPrice: p.unitPrice,
                    adjustments: [],
                    taxLines: [],
                    quantity: p.quantity,
                    orderPlacedQuantity: p.quantity,
                    customFields: {
                        tillLineNo: Number.isSafeInteger(p.line.line_no) ? p.line.line_no : null,
                        tillUnitPrice: p.unitPrice,
                        tillQty: int(p.line.qty),
                        tillDiscount: Number.isSafeInteger(p.line.discount) ? p.line.discount : null,
                        tillFlag: p.flag || null,
                    },
                } as any),
            );
            saved.productVariant = v;
            lines.push(saved);
        }
        /* Vendure's own taxes and totals over those lines, by its OrderCalculator: no
         * promotions (the till applied its own), no shipping */
        const order = created;
        Object.assign(order, { lines, shippingLines: [], surcharges: [], promotions: [] });
        await this.s.orderCalculator.applyPriceAdjustments(ctx, order, [], lines, { recalculateShipping: false });
        await lineRepo.save(lines, { reload: false });
        await connection.getRepository(ctx, Order).update(order.id, {
            subTotal: order.subTotal,
            subTotalWithTax: order.subTotalWithTax,
            shipping: 0,
            shippingWithTax: 0,
            taxZoneId: order.taxZoneId,
        });
        /* one settled payment per tender; an exchange's returned goods pay for part of it */
        const pays = (Array.isArray(o.payments) ? o.payments : []).filter((p: any) => int(p.amount) > 0);
        const total = order.totalWithTax;
        let due = total;
        const credit = Math.min(returned, due);
        const entries: Array<{ amount: number; method: string; transactionId: string; metadata: any }> = [];
        if (credit > 0)
            entries.push({ amount: credit, method: 'exchange', transactionId: `${key}#exchange`, metadata: { till: { key, exchange: true } } });
        due -= credit;
        pays.forEach((p: any, i: number) => {
            const amount = Math.min(int(p.amount), due);
            if (amount <= 0) return;
            due -= amount;
            entries.push({
                amount,
                method: str(p.tender, 32) ?? 'till',
                transactionId: str(p.reference, 64) ?? str(p.auth_code, 64) ?? `${key}#${i + 1}`,
                metadata: {
                    till: {
                        key,
                        receipt_no: o.receipt_no,
                        cashier: o.cashier,
                        completed_at: o.completed_at,
                        tender: p.tender,
                        tendered: p.tendered,
                        change: p.change,
                        card_scheme: p.card_scheme,
                        masked_pan: p.masked_pan,
                        auth_code: p.auth_code,
                    },
                },
            });
        });
        if (due !== 0) this.fail(key, 'payments', { message: `Vendure's total ${total} is not what the till took` });
        const history = async (type: any, data: any) =>
            historyService.createHistoryEntryForOrder({ ctx, orderId: order.id, type, data });
        for (const e of entries) {
            const payment = await connection
                .getRepository(ctx, Payment)
                .save(new Payment({ ...e, order: { id: order.id } as Order, state: 'Settled' } as any));
            await history(HistoryEntryType.ORDER_PAYMENT_TRANSITION, { paymentId: payment.id, from: 'Created', to: 'Settled' });
        }
        await this.fulfil(order, key);
        await connection.getRepository(ctx, Order).update(order.id, { state: 'Delivered' });
        await history(HistoryEntryType.ORDER_STATE_TRANSITION, { from: 'Created', to: 'Delivered' });
        order.state = 'Delivered';
        await this.s.eventBus.publish(new OrderPlacedEvent('ArrangingPayment', 'PaymentSettled', ctx, order));
        return order.code;
    }

    /* Delivered at once whatever Vendure's stock says: the goods left the store with the
     * customer (stock may go below zero).  Stock moves as a fulfilment's would: a Sale
     * movement per line, on hand down. */
    private async fulfil(order: Order, key: string) {
        const { connection, fulfillmentService, historyService } = this.s;
        const ctx = this.ctx;
        const lines = order.lines.map(l => ({ orderLineId: l.id, quantity: l.quantity }));
        const f = await fulfillmentService.create(ctx, [order], lines, {
            code: 'manual-fulfillment',
            arguments: [
                { name: 'method', value: 'Till' },
                { name: 'trackingCode', value: '' },
            ],
        });
        if (isGraphQlErrorResult(f)) this.fail(key, 'fulfilment', f);
        const fulfillment = f as Fulfillment;
        await connection.getRepository(ctx, Order).createQueryBuilder().relation('fulfillments').of(order).add(fulfillment);
        await connection.getRepository(ctx, Fulfillment).update(fulfillment.id, { state: 'Delivered' });
        const loc = await this.stockLocation();
        for (const l of order.lines) {
            await connection
                .getRepository(ctx, Sale)
                .save(new Sale({ productVariant: { id: l.productVariant.id } as any, quantity: -l.quantity, orderLine: l, stockLocation: loc }));
            if (l.productVariant.trackInventory !== GlobalFlag.FALSE)
                await this.s.stockLevelService.updateStockOnHandForLocation(ctx, l.productVariant.id, loc.id, -l.quantity);
        }
        for (const [type, data] of [
            [HistoryEntryType.ORDER_FULFILLMENT, { fulfillmentId: fulfillment.id }],
            [HistoryEntryType.ORDER_FULFILLMENT_TRANSITION, { fulfillmentId: fulfillment.id, from: 'Created', to: 'Delivered' }],
        ] as Array<[any, any]>)
            await historyService.createHistoryEntryForOrder({ ctx, orderId: order.id, type, data });
    }

    private async stockLocation() {
        if (!this.location) this.location = await this.s.stockLocationService.defaultStockLocation(this.ctx);
        return this.location;
    }

    /* The returned lines: a refund on the original order, or a record of its own. */
    private async importReturn(o: any, key: string, ret: any[], amount: number, saleCode: string): Promise<string> {
        const { connection, orderService, historyService } = this.s;
        const ctx = this.ctx;
        const returnOf = str(o.return_of, 127);
        const original = returnOf
            ? await connection.getRepository(ctx, Order).findOne({
                  where: { customFields: { tillKey: returnOf } } as any,
                  relations: ['lines', 'payments', 'payments.refunds'],
              })
            : null;
        let restocked = 0;
        const reason = `Till return ${key}${saleCode ? ` (exchange: ${saleCode})` : ''}: ${ret
            .map(l => `${l.sku}${l.reason ? ' ' + String(l.reason).slice(0, 40) : ''}`)
            .join(', ')}`.slice(0, 250);
        if (original) {
            /* the returned quantities on the original lines (a till line may be two Vendure lines) */
            const refundLines: Array<{ orderLineId: ID; quantity: number }> = [];
            const restock: Array<{ orderLineId: ID; quantity: number }> = [];
            for (const l of ret) {
                let q = units(l);
                const on = original.lines.filter(
                    ol => (ol.customFields as any)?.tillLineNo === l.return_line && ol.productVariantId == this.variants.get(l.sku)?.id,
                );
                for (const ol of on) {
                    const take = Math.min(q, ol.quantity);
                    if (take <= 0) continue;
                    q -= take;
                    refundLines.push({ orderLineId: ol.id, quantity: take });
                    if (l.restock) restock.push({ orderLineId: ol.id, quantity: take });
                }
                if (q > 0 && l.restock) restocked += await this.putBack(l.sku, q);
            }
            let left = amount;
            let first = true;
            for (const p of original.payments ?? []) {
                const refunded = (p.refunds ?? []).filter(r => r.state !== 'Failed').reduce((a, r) => a + r.total, 0);
                const take = Math.min(left, p.amount - refunded);
                if (take <= 0) continue;
                const r = await orderService.refundOrder(ctx, {
                    paymentId: p.id,
                    amount: take,
                    reason,
                    lines: first ? refundLines : [],
                    shipping: 0,
                    adjustment: 0,
                } as any);
                if (isGraphQlErrorResult(r)) this.fail(key, 'refund', r);
                if ((r as any).state !== 'Settled') {
                    const s = await orderService.settleRefund(ctx, { id: (r as any).id, transactionId: key } as any);
                    if (isGraphQlErrorResult(s)) this.fail(key, 'refund settlement', s);
                }
                left -= take;
                first = false;
                if (left <= 0) break;
            }
            if (restock.length) {
                await this.s.stockMovementService.createCancellationsForOrderLines(ctx, restock);
                restocked += restock.reduce((a, r) => a + r.quantity, 0);
            }
            await historyService.createHistoryEntryForOrder(
                {
                    ctx,
                    orderId: original.id,
                    type: HistoryEntryType.ORDER_NOTE,
                    data: {
                        note: `${reason}. Refunded ${amount - left} of ${amount}; ${restocked} unit(s) back in stock.`,
                    },
                },
                false,
            );
        } else {
            for (const l of ret) if (l.restock) restocked += await this.putBack(l.sku, units(l));
        }
        const rec = await connection.getRepository(ctx, TillReturn).save(
            new TillReturn({
                key,
                orderCode: original?.code ?? null,
                returnOf: returnOf ?? null,
                amount,
                restocked,
                lines: ret,
                payments: Array.isArray(o.payments) ? o.payments : [],
                completedAt: new Date((int(o.completed_at) || Date.now() / 1000) * 1000),
            }),
        );
        return original?.code ?? `return-${rec.id}`;
    }

    /* q units back on hand at the default location, as a stock adjustment. */
    private async putBack(sku: string, q: number): Promise<number> {
        const v = this.variants.get(sku);
        if (!v) return 0;
        const loc = await this.stockLocation();
        const level = await this.s.stockLevelService.getStockLevel(this.ctx, v.id, loc.id);
        await this.s.stockMovementService.adjustProductVariantStock(this.ctx, v.id, [
            { stockLocationId: loc.id, stockOnHand: level.stockOnHand + q },
        ]);
        return q;
    }
}

export async function shippingMethodFor(s: TillServices, ctx: RequestContext, code: string): Promise<ShippingMethod> {
    const m = await s.connection.getRepository(ctx, ShippingMethod).findOne({ where: { code, deletedAt: IsNull() } });
    if (!m) throw new UserInputError(`no shipping method "${code}"`);
    return m;
}

export type { Channel };
