/* The Vendure test server's configuration: loopback only, SQLite, bearer tokens, telemetry
 * off (VENDURE_DISABLE_TELEMETRY is set by scripts/vendure-server.sh), and the custom fields
 * Till's adapter needs (README "Vendure"): barcodes and unit on the variant, the unique
 * idempotency key on the order.  TILL_PLUGIN=0 leaves out Till's batch-import plugin, so the
 * adapter's plain Admin API path can be measured on the same server. */
import { VendureConfig } from '@vendure/core';
import path from 'path';

import { TillPosPlugin } from './till-pos.plugin';

export function tillTestConfig(): VendureConfig {
    const port = Number(process.env.PORT || 3000);
    const db = process.env.TILL_VENDURE_DB || path.join(process.cwd(), 'vendure.sqlite');
    return {
        apiOptions: {
            port,
            hostname: '127.0.0.1',
            adminApiPath: 'admin-api',
            shopApiPath: 'shop-api',
            adminListQueryLimit: 1000,
        },
        authOptions: {
            tokenMethod: ['bearer', 'api-key'],
            superadminCredentials: { identifier: 'till-admin', password: 'till-test-password' },
            requireVerification: false,
            cookieOptions: { secret: 'till-test' },
        },
        dbConnectionOptions: {
            type: 'better-sqlite3',
            database: db,
            synchronize: true,
            logging: false,
        },
        paymentOptions: { paymentMethodHandlers: [] },
        customFields: {
            ProductVariant: [
                { name: 'barcodes', type: 'string', nullable: true, public: false },
                { name: 'tillUnit', type: 'string', nullable: true, public: false, defaultValue: 'each' },
                { name: 'ageRestricted', type: 'boolean', nullable: true, public: false, defaultValue: false },
            ],
            Order: [{ name: 'tillKey', type: 'string', nullable: true, unique: true, public: false }],
        },
        plugins: process.env.TILL_PLUGIN === '0' ? [] : [TillPosPlugin],
    };
}
