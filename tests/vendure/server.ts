/* Starts the Vendure test server; on a database that does not exist yet it first seeds it:
 * a zone with three tax rates (Standard 19 %, Reduced 7 %, Zero), prices including tax, and
 * PRODUCTS products with one variant each (SKU V00001.., a barcode in the
 * variant's `barcodes` custom field, 100 on hand).  Stock may go below zero when a till
 * sells what Vendure thinks is gone (outOfStockThreshold), as a shop floor does.
 * Prints "till-vendure: ready" when the API answers. */
import { bootstrap, ChannelService, GlobalSettingsService, RequestContextService } from '@vendure/core';
import { populate } from '@vendure/core/cli';
import fs from 'fs';
import path from 'path';

import { tillTestConfig } from './vendure-config';

/* GS1 check digit, so seeded barcodes pass Till's own checks */
function ean13(n: number): string {
    const body = ('400' + String(n).padStart(9, '0')).slice(0, 12);
    let sum = 0;
    for (let i = 0; i < 12; i++) sum += Number(body[i]) * (i % 2 ? 3 : 1);
    return body + String((10 - (sum % 10)) % 10);
}

function productsCsv(n: number, file: string) {
    const taxes = ['Standard Tax', 'Reduced Tax', 'Zero Tax'];
    const rows = ['name,slug,description,assets,facets,optionGroups,optionValues,sku,price,taxCategory,stockOnHand,trackInventory,variantAssets,variantFacets,variant:barcodes,variant:tillUnit'];
    for (let i = 1; i <= n; i++) {
        const sku = 'V' + String(i).padStart(5, '0');
        const price = (100 + (i * 37) % 900) / 100;
        rows.push(`Till item ${i},till-item-${i},,,,,,${sku},${price.toFixed(2)},${taxes[i % 3]},100,true,,,${ean13(i)},each`);
    }
    fs.writeFileSync(file, rows.join('\n') + '\n');
}

async function main() {
    const config = tillTestConfig();
    const db = String((config.dbConnectionOptions as any).database);
    if (!fs.existsSync(db)) {
        const n = Number(process.env.TILL_VENDURE_PRODUCTS || 5);
        const csv = path.join(path.dirname(db), `products-${n}.csv`);
        productsCsv(n, csv);
        const app = await populate(
            () => bootstrap(config),
            {
                defaultLanguage: 'en' as any,
                defaultZone: 'Europe',
                countries: [{ name: 'Germany', code: 'DE', zone: 'Europe' }],
                taxRates: [
                    { name: 'Standard Tax', percentage: 19 },
                    { name: 'Reduced Tax', percentage: 7 },
                    { name: 'Zero Tax', percentage: 0 },
                ],
                shippingMethods: [], // Till's plugin creates till-pickup on bootstrap
                paymentMethods: [],
                collections: [],
            },
            csv,
        );
        const ctx = await app.get(RequestContextService).create({ apiType: 'admin' });
        /* stock below zero: only the plain Admin API path needs it (Till's plugin fulfils a
         * till's sale whatever the stock) */
        await app.get(GlobalSettingsService).updateSettings(ctx, { outOfStockThreshold: -1000000, trackInventory: true });
        /* shelf prices include tax, as a till's do: Vendure's priceWithTax is the seeded price */
        const channel = await app.get(ChannelService).getDefaultChannel(ctx);
        await app.get(ChannelService).update(ctx, { id: channel.id, pricesIncludeTax: true });
        console.log(`till-vendure: seeded ${n} products`);
        if (process.env.TILL_VENDURE_SEED_ONLY === '1') {
            await app.close();
            return;
        }
    } else {
        await bootstrap(config);
    }
    console.log(`till-vendure: ready on port ${config.apiOptions.port}`);
}

main().catch(err => {
    console.error(err);
    process.exit(1);
});
