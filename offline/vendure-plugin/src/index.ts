/* Till's server-side half of the Vendure adapter (Till's offline/backend_vendure.c).
 *
 *   npm install ./till-vendure-plugin-1.0.0.tgz      (built by `npm pack` in Till's tree)
 *   plugins: [TillPosPlugin.init({})]                 in vendure-config.ts
 *
 * It declares the custom fields Till needs (ProductVariant barcodes/tillUnit/ageRestricted,
 * Order tillKey and the till's terminal/receipt/cashier/flags, OrderLine the till's line
 * number, unit price, quantity, discount and flag, Customer tillCustomerId/tillCard), adds
 * the tables TillStockAdjustment and TillReturn, and on bootstrap creates what it needs
 * unless the shop has it: the shipping method `till-pickup` (price 0, manual fulfilment)
 * and the role `till-pos` (the least the till's login needs; README "Vendure").
 *
 * Admin API (permission TillSync):
 *   tillImportOrders(orders: [JSON!]!, shippingMethodCode: String, customerEmail: String)
 *   tillAdjustStock(adjustments: [JSON!]!, stockLocation: String)
 *   tillCatalogChanges(since, skip, take)   variants changed (or deleted) since a time
 *   tillStockChanges(since, skip, take)     variants whose stock changed since a time
 * The mutations take Till's own outbox documents (assets/store-api.yaml) in batches, each
 * batch in ONE transaction, and answer one result per input: accepted (with the order
 * code), duplicate (the key is there: nothing written) or rejected (with the reason; Till
 * parks it for a manager).  An unexpected failure throws: the batch rolls back and Till
 * sends it again.
 *
 * Till's orders are facts, not carts: the lines carry the till's prices (the price
 * strategy below keeps them if Vendure prices the order again), no Vendure promotion
 * applies to them, and the stock check before payment is skipped for them. */
import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import {
    AdministratorService,
    User,
    Allow,
    ChannelService,
    Ctx,
    CustomerService,
    FulfillmentService,
    HistoryService,
    Injector,
    Logger,
    Order,
    OrderItemPriceCalculationStrategy,
    OrderProcess,
    OrderService,
    PaymentService,
    PermissionDefinition,
    PluginCommonModule,
    ProductVariant,
    ProductVariantService,
    Promotion,
    RequestContext,
    RequestContextService,
    RoleService,
    ShippingMethod,
    ShippingMethodService,
    StockLevel,
    StockLevelService,
    StockLocation,
    StockLocationService,
    StockMovementService,
    Transaction,
    TransactionalConnection,
    UserInputError,
    VendurePlugin,
    VendureConfig,
    OrderCalculator,
    EventBus,
    StockLocationStrategy,
    OrderLine,
    ConfigService,
    RuntimeVendureConfig,
    Permission,
    Role,
} from '@vendure/core';
import { OnApplicationBootstrap } from '@nestjs/common';
import gql from 'graphql-tag';
import { In, IsNull } from 'typeorm';

import { TillReturn, TillStockAdjustment } from './entities';
import { shippingMethodFor, str, TillOrderImporter, TillResult, TillServices } from './import-orders';

export { TillReturn, TillStockAdjustment };

/* The permission the plugin's queries and mutations need. */
export const tillSync = new PermissionDefinition({
    name: 'TillSync',
    description: "Till's point-of-sale sync: import till sales and returns, adjust stock, read changes",
});

/* The role `till-pos`: what a till's login needs, with the plugin or through the plain
 * Admin API, and nothing more (no settings, no administrators, no deletions). */
export const TILL_ROLE_PERMISSIONS = [
    'TillSync',
    Permission.ReadCatalog,
    Permission.ReadProduct,
    Permission.ReadOrder,
    Permission.CreateOrder,
    Permission.UpdateOrder,
    Permission.DeleteOrder, // the plain Admin API path deletes the drafts it abandoned
    Permission.ReadCustomer,
    Permission.CreateCustomer,
    Permission.UpdateCustomer,
    Permission.ReadShippingMethod,
    Permission.ReadStockLocation,
] as string[];

/* "From this time on" as a strict lower bound a millisecond before it: SQLite keeps some
 * times without milliseconds ("…:57"), which sort before "…:57.000". */
function sinceBound(iso?: string): Date {
    const t = iso ? new Date(iso).getTime() : 0;
    return new Date((Number.isFinite(t) ? t : 0) - 1);
}

function isTillOrder(order: any): boolean {
    return !!order?.customFields?.tillKey;
}

export interface TillPosOptions {
    /* create the shipping method till-pickup and the role till-pos when missing (default true) */
    provision?: boolean;
    shippingMethodCode?: string;
    /* also create this administrator with the role till-pos when missing (tests, demo) */
    tillAdministrator?: { identifier: string; password: string };
}

@Resolver()
export class TillPosResolver {
    constructor(
        public connection: TransactionalConnection,
        public orderService: OrderService,
        public paymentService: PaymentService,
        public fulfillmentService: FulfillmentService,
        public customerService: CustomerService,
        public channelService: ChannelService,
        public historyService: HistoryService,
        public productVariantService: ProductVariantService,
        public stockLocationService: StockLocationService,
        public stockLevelService: StockLevelService,
        public stockMovementService: StockMovementService,
        public configService: ConfigService,
        public eventBus: EventBus,
        public orderCalculator: OrderCalculator,
    ) {}

    private services(): TillServices {
        return this;
    }

    @Transaction()
    @Mutation()
    @Allow(tillSync.Permission)
    async tillImportOrders(
        @Ctx() ctx: RequestContext,
        @Args() args: { orders: any[]; shippingMethodCode?: string; customerEmail?: string },
    ): Promise<TillResult[]> {
        const shipping = await shippingMethodFor(this.services(), ctx, args.shippingMethodCode || 'till-pickup');
        const importer = new TillOrderImporter(this.services(), ctx, shipping, args.customerEmail || 'walk-in@till.invalid');
        return importer.importAll(args.orders ?? []);
    }

    @Transaction()
    @Mutation()
    @Allow(tillSync.Permission)
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

    /* Variants changed since a time (ISO, inclusive), deleted ones too (deleted: true), in
     * the order of their updatedAt and id, `skip` of them already taken: the till learns of
     * a deletion in its next round instead of at the next full reconcile.  The items have
     * the shape of Vendure's productVariants list, so Till reads both alike. */
    @Query()
    @Allow(tillSync.Permission)
    async tillCatalogChanges(@Ctx() ctx: RequestContext, @Args() args: { since?: string; skip?: number; take?: number }) {
        const since = sinceBound(args.since);
        const take = Math.min(Math.max(args.take ?? 500, 1), 1000);
        const [rows, totalItems] = await this.connection
            .getRepository(ctx, ProductVariant)
            .createQueryBuilder('v')
            .leftJoinAndSelect('v.product', 'p')
            .leftJoinAndSelect('v.taxCategory', 't')
            .leftJoinAndSelect('v.productVariantPrices', 'pr')
            .leftJoinAndSelect('v.translations', 'tr')
            .where('v.updatedAt > :since', { since })
            .orderBy('v.updatedAt', 'ASC')
            .addOrderBy('v.id', 'ASC')
            .skip(Math.max(args.skip ?? 0, 0))
            .take(take)
            .getManyAndCount();
        const items = [];
        for (const v of rows) {
            const priced = await this.productVariantService.applyChannelPriceAndTax(v, ctx);
            const name = v.translations?.find(t => t.languageCode === ctx.languageCode) ?? v.translations?.[0];
            items.push({
                id: v.id,
                sku: v.sku,
                name: name?.name ?? v.sku,
                price: priced.price,
                priceWithTax: priced.priceWithTax,
                enabled: v.enabled,
                deleted: !!v.deletedAt || !!v.product?.deletedAt,
                product: { enabled: v.product?.enabled !== false },
                taxCategory: v.taxCategory ? { name: v.taxCategory.name } : null,
                customFields: {
                    barcodes: (v.customFields as any)?.barcodes ?? null,
                    tillUnit: (v.customFields as any)?.tillUnit ?? null,
                    ageRestricted: (v.customFields as any)?.ageRestricted ?? null,
                },
                updatedAt: v.updatedAt,
            });
        }
        return { totalItems, items };
    }

    /* Variants whose stock changed since a time (ISO, inclusive), by the latest change, with
     * all their levels: only those, not every variant every round. */
    @Query()
    @Allow(tillSync.Permission)
    async tillStockChanges(@Ctx() ctx: RequestContext, @Args() args: { since?: string; skip?: number; take?: number }) {
        const since = sinceBound(args.since);
        const take = Math.min(Math.max(args.take ?? 500, 1), 1000);
        const base = () =>
            this.connection
                .getRepository(ctx, StockLevel)
                .createQueryBuilder('l')
                .where('l.updatedAt > :since', { since });
        const counted = await base().select('COUNT(DISTINCT l.productVariantId)', 'n').getRawOne();
        const page = await base()
            .select('l.productVariantId', 'vid')
            .addSelect('MAX(l.updatedAt)', 'at')
            .groupBy('l.productVariantId')
            .orderBy('at', 'ASC')
            .addOrderBy('vid', 'ASC')
            .offset(Math.max(args.skip ?? 0, 0))
            .limit(take)
            .getRawMany();
        const ids = page.map((r: any) => r.vid);
        const levels = ids.length
            ? await this.connection.getRepository(ctx, StockLevel).find({
                  where: { productVariantId: In(ids) },
                  relations: ['productVariant', 'stockLocation'],
              })
            : [];
        const items = page.map((r: any) => {
            const mine = levels.filter(l => String(l.productVariantId) === String(r.vid));
            const latest = mine.reduce((a, l) => (l.updatedAt > a ? l.updatedAt : a), new Date(0));
            return {
                sku: mine[0]?.productVariant?.sku ?? '',
                updatedAt: latest,
                stockLevels: mine.map(l => ({
                    stockOnHand: l.stockOnHand,
                    stockAllocated: l.stockAllocated,
                    stockLocation: { name: l.stockLocation?.name ?? '' },
                })),
            };
        });
        return { totalItems: Number(counted?.n ?? 0), items };
    }
}

/* Vendure's price strategy, except for a line that carries the till's price. */
function tillPriceStrategy(inner: OrderItemPriceCalculationStrategy): OrderItemPriceCalculationStrategy {
    return {
        init: (injector: Injector) => (inner as any).init?.(injector),
        destroy: () => (inner as any).destroy?.(),
        calculateUnitPrice(ctx, variant, lineCustomFields: any, order, quantity) {
            if (Number.isSafeInteger(lineCustomFields?.tillUnitPrice))
                return { price: lineCustomFields.tillUnitPrice, priceIncludesTax: true };
            return inner.calculateUnitPrice(ctx, variant, lineCustomFields, order, quantity);
        },
    } as OrderItemPriceCalculationStrategy;
}

/* Where a till line's stock moves: the first location Vendure offers, the whole quantity,
 * whatever is on hand (Vendure's own strategy allocates no more than it has, and cannot
 * find a variant deleted since the sale). */
function tillStockLocations(inner: StockLocationStrategy): StockLocationStrategy {
    const till = (line: OrderLine) => Number.isSafeInteger((line?.customFields as any)?.tillUnitPrice);
    const wrap =
        (name: 'forAllocation' | 'forRelease' | 'forSale' | 'forCancellation') =>
        (ctx: RequestContext, locations: StockLocation[], line: OrderLine, quantity: number) =>
            till(line) && locations.length ? [{ location: locations[0], quantity }] : inner[name](ctx, locations, line, quantity);
    return Object.assign(Object.create(Object.getPrototypeOf(inner)), inner, {
        init: (injector: Injector) => (inner as any).init?.(injector),
        destroy: () => (inner as any).destroy?.(),
        getAvailableStock: inner.getAvailableStock.bind(inner),
        forAllocation: wrap('forAllocation'),
        forRelease: wrap('forRelease'),
        forSale: wrap('forSale'),
        forCancellation: wrap('forCancellation'),
    });
}

/* An order process whose checks before payment do not apply to a till's order: the till
 * sold what it sold, whatever Vendure's stock or the variant's state says now. */
function tillOrderProcess(p: OrderProcess<any>): OrderProcess<any> {
    if (!p.onTransitionStart) return p;
    const start = p.onTransitionStart.bind(p);
    return Object.assign(Object.create(Object.getPrototypeOf(p)), p, {
        onTransitionStart: (from: any, to: any, data: any) =>
            isTillOrder(data?.order) && from === 'Draft' && to === 'ArrangingPayment' ? undefined : start(from, to, data),
    });
}

const F = { nullable: true, public: false, readonly: true } as const;

/* The custom fields Till reads and writes (a shop without the plugin's mutations can call
 * this from its own config to get the same schema). */
export function declareTillCustomFields(config: RuntimeVendureConfig | VendureConfig) {
    const add = (entity: string, fields: any[]) => {
        const list = ((config.customFields as any)[entity] ??= []);
        for (const f of fields) if (!list.some((x: any) => x.name === f.name)) list.push(f);
    };
    add('ProductVariant', [
        { name: 'barcodes', type: 'string', nullable: true, public: false, label: [{ languageCode: 'en', value: 'Barcodes (Till)' }] },
        { name: 'tillUnit', type: 'string', nullable: true, public: false, defaultValue: 'each', options: [{ value: 'each' }, { value: 'kg' }] },
        { name: 'ageRestricted', type: 'boolean', nullable: true, public: false, defaultValue: false },
    ]);
    add('Order', [
        { name: 'tillKey', type: 'string', unique: true, nullable: true, public: false, label: [{ languageCode: 'en', value: 'Till sale key' }] },
        { name: 'tillTerminal', type: 'string', ...F, label: [{ languageCode: 'en', value: 'Till' }] },
        { name: 'tillReceiptNo', type: 'int', ...F, label: [{ languageCode: 'en', value: 'Till receipt no.' }] },
        { name: 'tillCashier', type: 'string', ...F, label: [{ languageCode: 'en', value: 'Cashier' }] },
        { name: 'tillFlags', type: 'string', ...F, label: [{ languageCode: 'en', value: 'Till flags' }] },
    ]);
    add('OrderLine', [
        { name: 'tillLineNo', type: 'int', ...F },
        { name: 'tillUnitPrice', type: 'int', ...F },
        { name: 'tillQty', type: 'int', ...F },
        { name: 'tillDiscount', type: 'int', ...F },
        { name: 'tillFlag', type: 'string', ...F },
    ]);
    add('Customer', [
        { name: 'tillCustomerId', type: 'string', nullable: true, public: false, label: [{ languageCode: 'en', value: 'Till customer id' }] },
        { name: 'tillCard', type: 'string', nullable: true, public: false, label: [{ languageCode: 'en', value: 'Loyalty card' }] },
    ]);
}


@VendurePlugin({
    imports: [PluginCommonModule],
    entities: [TillStockAdjustment, TillReturn],
    adminApiExtensions: {
        schema: gql`
            type TillImportResult {
                key: String!
                status: String!
                code: String
                reason: String
            }
            type TillVariantProduct {
                enabled: Boolean!
            }
            type TillTaxCategory {
                name: String!
            }
            type TillVariantFields {
                barcodes: String
                tillUnit: String
                ageRestricted: Boolean
            }
            type TillVariant {
                id: ID!
                sku: String!
                name: String!
                price: Money!
                priceWithTax: Money!
                enabled: Boolean!
                deleted: Boolean!
                product: TillVariantProduct!
                taxCategory: TillTaxCategory
                customFields: TillVariantFields!
                updatedAt: DateTime!
            }
            type TillVariantList {
                totalItems: Int!
                items: [TillVariant!]!
            }
            type TillStockLocationName {
                name: String!
            }
            type TillStockLevel {
                stockOnHand: Int!
                stockAllocated: Int!
                stockLocation: TillStockLocationName!
            }
            type TillStockItem {
                sku: String!
                updatedAt: DateTime!
                stockLevels: [TillStockLevel!]!
            }
            type TillStockList {
                totalItems: Int!
                items: [TillStockItem!]!
            }
            extend type Mutation {
                tillImportOrders(orders: [JSON!]!, shippingMethodCode: String, customerEmail: String): [TillImportResult!]!
                tillAdjustStock(adjustments: [JSON!]!, stockLocation: String): [TillImportResult!]!
            }
            extend type Query {
                tillCatalogChanges(since: String, skip: Int, take: Int): TillVariantList!
                tillStockChanges(since: String, skip: Int, take: Int): TillStockList!
            }
        `,
        resolvers: [TillPosResolver],
    },
    configuration: config => {
        declareTillCustomFields(config);
        config.authOptions.customPermissions = [...(config.authOptions.customPermissions ?? []), tillSync];
        config.orderOptions.orderItemPriceCalculationStrategy = tillPriceStrategy(config.orderOptions.orderItemPriceCalculationStrategy!);
        config.orderOptions.process = (config.orderOptions.process ?? []).map(tillOrderProcess);
        config.catalogOptions.stockLocationStrategy = tillStockLocations(config.catalogOptions.stockLocationStrategy!);
        /* No promotion for a till's order: the till applied its own and charged what it
         * charged.  Vendure asks each promotion whether it applies; for these it does not. */
        const test = Promotion.prototype.test;
        if (!(test as any).tillWrapped) {
            const wrapped = function (this: Promotion, ctx: RequestContext, order: Order) {
                return isTillOrder(order) ? Promise.resolve(false) : test.call(this, ctx, order);
            };
            (wrapped as any).tillWrapped = true;
            Promotion.prototype.test = wrapped as any;
        }
        return config;
    },
    compatibility: '^3.0.0',
})
export class TillPosPlugin implements OnApplicationBootstrap {
    static options: TillPosOptions = {};

    static init(options: TillPosOptions = {}) {
        TillPosPlugin.options = options;
        return TillPosPlugin;
    }

    constructor(
        private connection: TransactionalConnection,
        private requestContextService: RequestContextService,
        private shippingMethodService: ShippingMethodService,
        private roleService: RoleService,
        private administratorService: AdministratorService,
        private configService: ConfigService,
    ) {}

    async onApplicationBootstrap() {
        if (TillPosPlugin.options.provision === false) return;
        /* as the superadmin: creating a role or an administrator checks who grants it */
        const superadmin = await this.connection.rawConnection.getRepository(User).findOne({
            where: { identifier: this.configService.authOptions.superadminCredentials.identifier, deletedAt: IsNull() },
            relations: ['roles', 'roles.channels'],
        });
        const ctx = await this.requestContextService.create({ apiType: 'admin', user: superadmin ?? undefined });
        const code = TillPosPlugin.options.shippingMethodCode ?? 'till-pickup';
        const sm = await this.connection.getRepository(ctx, ShippingMethod).findOne({ where: { code, deletedAt: IsNull() } });
        if (!sm) {
            await this.shippingMethodService.create(ctx, {
                code,
                fulfillmentHandler: 'manual-fulfillment',
                checker: { code: 'default-shipping-eligibility-checker', arguments: [{ name: 'orderMinimum', value: '0' }] },
                calculator: {
                    code: 'default-shipping-calculator',
                    arguments: [
                        { name: 'rate', value: '0' },
                        { name: 'includesTax', value: 'auto' },
                        { name: 'taxRate', value: '0' },
                    ],
                },
                translations: [{ languageCode: 'en' as any, name: 'Till pickup', description: 'Sold at the till' }],
            } as any);
            Logger.info(`created the shipping method ${code}`, 'TillPosPlugin');
        }
        let role = await this.connection.getRepository(ctx, Role).findOne({ where: { code: 'till-pos' } });
        if (!role) {
            role = await this.roleService.create(ctx, {
                code: 'till-pos',
                description: 'Till point of sale: sync sales, returns, stock and catalog',
                permissions: TILL_ROLE_PERMISSIONS as any,
            });
            Logger.info('created the role till-pos', 'TillPosPlugin');
        }
        const admin = TillPosPlugin.options.tillAdministrator;
        if (admin) {
            const exists = await this.connection
                .getRepository(ctx, User)
                .findOne({ where: { identifier: admin.identifier, deletedAt: IsNull() } });
            if (!exists) {
                await this.administratorService.create(ctx, {
                    emailAddress: admin.identifier,
                    firstName: 'Till',
                    lastName: 'POS',
                    password: admin.password,
                    roleIds: [role.id],
                });
                Logger.info(`created the administrator ${admin.identifier} (role till-pos)`, 'TillPosPlugin');
            }
        }
    }
}
