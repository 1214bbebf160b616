/* Till's server-side half of the Vendure adapter (offline/backend_vendure.c).
 *
 * Through the plain Admin API one till sale costs about nine mutations, each its own
 * transaction (~400 ms here), so a day of offline sales takes minutes to drain.  This plugin
 * adds two Admin mutations that take Till's own outbox payloads (assets/store-api.yaml,
 * Order and Adjustment) in batches and write each batch in ONE transaction:
 *
 *   tillImportOrders(orders: [JSON!]!, shippingMethodCode: String, customerEmail: String)
 *   tillAdjustStock(adjustments: [JSON!]!, stockLocation: String)
 *
 * Both answer one TillImportResult per input, in order: accepted (with the Vendure order
 * code), duplicate (the idempotency key is already there: nothing written), or rejected
 * (with the reason; Till parks it for a manager).  Orders are deduplicated by the unique
 * Order custom field tillKey, adjustments by the TillStockAdjustment table this plugin adds.
 * An unexpected failure throws: the whole batch rolls back and Till sends it again.
 *
 * Install: copy this file into the Vendure project, add TillPosPlugin to `plugins`, keep the
 * custom fields from README "Vendure" (tillKey on Order; barcodes/tillUnit/ageRestricted on
 * ProductVariant), and let the database migrate (TillStockAdjustment is a new table). */
import { Args, Mutation, Resolver } from '@nestjs/graphql';
import {
    Allow,
    Ctx,
    Customer,
    CustomerService,
    DeepPartial,
    ID,
    isGraphQlErrorResult,
    Order,
    OrderService,
    Permission,
    PluginCommonModule,
    ProductVariant,
    RequestContext,
    ShippingMethod,
    StockLevelService,
    StockLocation,
    StockLocationService,
    StockMovementService,
    Transaction,
    TransactionalConnection,
    UserInputError,
    VendureEntity,
    VendurePlugin,
} from '@vendure/core';
import gql from 'graphql-tag';
import { Column, Entity, In, IsNull } from 'typeorm';

@Entity()
export class TillStockAdjustment extends VendureEntity {
    constructor(input?: DeepPartial<TillStockAdjustment>) {
        super(input);
    }
    @Column({ unique: true }) key!: string;
    @Column() sku!: string;
    @Column() kind!: string;
    @Column() quantity!: number;
}

interface TillResult {
    key: string;
    status: 'accepted' | 'duplicate' | 'rejected';
    code?: string;
    reason?: string;
}

/* Till's quantities are thousandths (pieces * 1000, or grams); Vendure's are whole units.
 * A weighed line goes as one unit (its weight stays in the payment's metadata). */
function vendureQuantity(line: any): number {
    if (line.unit === 'kg') return 1;
    return Math.max(1, Math.round(Number(line.qty) / 1000));
}

function str(v: unknown, max = 200): string | undefined {
    return typeof v === 'string' && v.length > 0 && v.length <= max ? v : undefined;
}

@Resolver()
export class TillPosResolver {
    private walkIn = new Map<string, Customer>();

    constructor(
        private connection: TransactionalConnection,
        private orderService: OrderService,
        private customerService: CustomerService,
        private stockLocationService: StockLocationService,
        private stockLevelService: StockLevelService,
        private stockMovementService: StockMovementService,
    ) {}

    @Transaction()
    @Mutation()
    @Allow(Permission.CreateOrder, Permission.UpdateOrder)
    async tillImportOrders(
        @Ctx() ctx: RequestContext,
        @Args() args: { orders: any[]; shippingMethodCode?: string; customerEmail?: string },
    ): Promise<TillResult[]> {
        const orders = args.orders ?? [];
        const keys = orders.map(o => str(o?.idempotency_key, 127) ?? '');
        const existing = keys.filter(k => k).length
            ? await this.connection.getRepository(ctx, Order).find({
                  where: { customFields: { tillKey: In(keys.filter(k => k)) } } as any,
              })
            : [];
        const byKey = new Map<string, Order>(existing.map(o => [(o.customFields as any).tillKey, o]));
        const skus = new Set<string>();
        for (const o of orders)
            for (const l of Array.isArray(o?.lines) ? o.lines : []) if (str(l?.sku, 64)) skus.add(l.sku);
        const variants = skus.size
            ? await this.connection.getRepository(ctx, ProductVariant).find({
                  where: { sku: In([...skus]), deletedAt: IsNull() },
                  select: ['id', 'sku'],
              })
            : [];
        const variantBySku = new Map<string, ID>(variants.map(v => [v.sku, v.id]));
        const shipping = await this.connection.getRepository(ctx, ShippingMethod).findOne({
            where: { code: args.shippingMethodCode || 'till-pickup', deletedAt: IsNull() },
        });
        if (!shipping) throw new UserInputError(`no shipping method "${args.shippingMethodCode || 'till-pickup'}"`);
        const customer = await this.walkInCustomer(ctx, args.customerEmail || 'walk-in@till.invalid');

        const results: TillResult[] = [];
        const seen = new Set<string>();
        for (let i = 0; i < orders.length; i++) {
            const o = orders[i];
            const key = keys[i];
            if (!key) {
                results.push({ key: '', status: 'rejected', reason: 'no idempotency_key' });
                continue;
            }
            const dup = byKey.get(key);
            if (dup || seen.has(key)) {
                results.push({ key, status: 'duplicate', code: dup?.code });
                continue;
            }
            const lines = (Array.isArray(o.lines) ? o.lines : []).filter((l: any) => !l?.voided);
            const missing = lines.find((l: any) => !variantBySku.has(l?.sku));
            if (!lines.length || missing) {
                results.push({
                    key,
                    status: 'rejected',
                    reason: missing ? `no product variant with SKU ${String(missing.sku).slice(0, 64)}` : 'no lines',
                });
                continue;
            }
            seen.add(key);
            results.push({ key, status: 'accepted', code: await this.importOne(ctx, o, key, lines, variantBySku, shipping.id, customer) });
        }
        return results;
    }

    private async walkInCustomer(ctx: RequestContext, email: string): Promise<Customer> {
        const cached = this.walkIn.get(email);
        if (cached) return cached;
        let c = await this.connection
            .getRepository(ctx, Customer)
            .findOne({ where: { emailAddress: email, deletedAt: IsNull() } });
        if (!c) {
            /* a guest, without a user account, like the one the plain Admin API path makes */
            const r = await this.customerService.createOrUpdate(ctx, { emailAddress: email, firstName: 'Walk-in', lastName: 'Till' });
            if (isGraphQlErrorResult(r)) throw new UserInputError(r.message);
            c = r;
        }
        this.walkIn.set(email, c);
        return c;
    }

    /* One sale, in the batch's transaction: draft, lines, key, customer, shipping, payment
     * (settles itself), fulfilment to Delivered.  Any error result throws: the batch rolls back. */
    private async importOne(
        ctx: RequestContext,
        o: any,
        key: string,
        lines: any[],
        variantBySku: Map<string, ID>,
        shippingMethodId: ID,
        customer: Customer,
    ): Promise<string> {
        const fail = (what: string, r: any) => {
            throw new UserInputError(`order ${key}: ${what}: ${r?.message ?? 'failed'}`);
        };
        const draft = await this.orderService.createDraft(ctx);
        await this.orderService.updateCustomFields(ctx, draft.id, { tillKey: key });
        const added = await this.orderService.addItemsToOrder(
            ctx,
            draft.id,
            lines.map(l => ({ productVariantId: variantBySku.get(l.sku) as ID, quantity: vendureQuantity(l) })),
        );
        if (added.errorResults.length) fail('lines', added.errorResults[0]);
        await this.orderService.addCustomerToOrder(ctx, draft.id, customer);
        const ship = await this.orderService.setShippingMethod(ctx, draft.id, [shippingMethodId]);
        if (isGraphQlErrorResult(ship)) fail('shipping method', ship);
        const arranging = await this.orderService.transitionToState(ctx, draft.id, 'ArrangingPayment');
        if (isGraphQlErrorResult(arranging)) fail('ArrangingPayment', arranging);
        const pays = Array.isArray(o.payments) ? o.payments : [];
        const first = pays[0] ?? {};
        const paid = await this.orderService.addManualPaymentToOrder(ctx, {
            orderId: draft.id,
            method: str(first.tender, 32) ?? 'till',
            transactionId: str(first.reference, 64) ?? str(first.auth_code, 64) ?? key,
            metadata: { till: { key, receipt_no: o.receipt_no, cashier: o.cashier, total: o.total, payments: pays } },
        });
        if (isGraphQlErrorResult(paid)) fail('payment', paid);
        const order = paid as Order;
        const full = await this.orderService.findOne(ctx, draft.id, ['lines']);
        const f = await this.orderService.createFulfillment(ctx, {
            lines: (full?.lines ?? []).map(l => ({ orderLineId: l.id, quantity: l.quantity })),
            handler: { code: 'manual-fulfillment', arguments: [{ name: 'method', value: 'Till' }, { name: 'trackingCode', value: '' }] },
        });
        /* Vendure fulfils no more than it has on hand: a sale of a missing item stays
         * PaymentSettled with its stock allocated (README "Vendure", what it cannot carry) */
        if (isGraphQlErrorResult(f)) {
            if ((f as any).errorCode === 'INSUFFICIENT_STOCK_ON_HAND_ERROR') return order.code;
            fail('fulfilment', f);
        }
        for (const state of ['Shipped', 'Delivered'] as const) {
            const t = await this.orderService.transitionFulfillmentToState(ctx, (f as any).id, state);
            if (isGraphQlErrorResult(t)) fail(`fulfilment ${state}`, t);
        }
        return order.code;
    }

    @Transaction()
    @Mutation()
    @Allow(Permission.UpdateCatalog, Permission.UpdateProduct)
    async tillAdjustStock(
        @Ctx() ctx: RequestContext,
        @Args() args: { adjustments: any[]; stockLocation?: string },
    ): Promise<TillResult[]> {
        const location: StockLocation | undefined | null = args.stockLocation
            ? await this.connection.getRepository(ctx, StockLocation).findOne({ where: { name: args.stockLocation } })
            : await this.stockLocationService.defaultStockLocation(ctx);
        if (!location) throw new UserInputError(`no stock location "${args.stockLocation}"`);
        const repo = this.connection.getRepository(ctx, TillStockAdjustment);
        const results: TillResult[] = [];
        for (const a of args.adjustments ?? []) {
            const key = str(a?.idempotency_key, 127);
            const sku = str(a?.sku, 64);
            const kind = str(a?.kind, 32);
            const q = Number(a?.quantity);
            if (!key || !sku || !kind || !Number.isInteger(q)) {
                results.push({ key: key ?? '', status: 'rejected', reason: 'missing or invalid field' });
                continue;
            }
            if (await repo.findOne({ where: { key } })) {
                results.push({ key, status: 'duplicate' });
                continue;
            }
            const v = await this.connection
                .getRepository(ctx, ProductVariant)
                .findOne({ where: { sku, deletedAt: IsNull() }, select: ['id'] });
            if (!v) {
                results.push({ key, status: 'rejected', reason: `no product variant with SKU ${sku}` });
                continue;
            }
            /* Till counts in thousandths (grams for weighed goods); Vendure in whole units */
            const units = Math.round(q / 1000);
            const level = await this.stockLevelService.getStockLevel(ctx, v.id, location.id);
            const onHand = kind === 'count' ? units : level.stockOnHand + units;
            await this.stockMovementService.adjustProductVariantStock(ctx, v.id, [
                { stockLocationId: location.id, stockOnHand: onHand },
            ]);
            await repo.save(new TillStockAdjustment({ key, sku, kind, quantity: q }));
            results.push({ key, status: 'accepted' });
        }
        return results;
    }
}

@VendurePlugin({
    imports: [PluginCommonModule],
    entities: [TillStockAdjustment],
    adminApiExtensions: {
        schema: gql`
            type TillImportResult {
                key: String!
                status: String!
                code: String
                reason: String
            }
            extend type Mutation {
                tillImportOrders(orders: [JSON!]!, shippingMethodCode: String, customerEmail: String): [TillImportResult!]!
                tillAdjustStock(adjustments: [JSON!]!, stockLocation: String): [TillImportResult!]!
            }
        `,
        resolvers: [TillPosResolver],
    },
    compatibility: '^3.0.0',
})
export class TillPosPlugin {}
