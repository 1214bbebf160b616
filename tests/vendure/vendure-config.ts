/* The Vendure test server's configuration: loopback only, SQLite, bearer tokens, telemetry
 * off (VENDURE_DISABLE_TELEMETRY is set by scripts/vendure-server.sh), and Till's plugin as a
 * shop installs it (the npm package built by scripts/vendure-install.sh): it declares its
 * custom fields and creates the shipping method, the role till-pos and, here, the till's
 * administrator `till` with that role, which the tests and the demo log in as.
 * TILL_PLUGIN=0 leaves the plugin's mutations out (the adapter's plain Admin API path) but
 * keeps its custom fields and provisioning, as a shop without the plugin would set up by
 * hand (README "Vendure"). */
import { VendureConfig } from '@vendure/core';
import path from 'path';

import { declareTillCustomFields, TillPosPlugin } from '@till/vendure-plugin';

export function tillTestConfig(): VendureConfig {
    const port = Number(process.env.PORT || 3000);
    const db = process.env.TILL_VENDURE_DB || path.join(process.cwd(), 'vendure.sqlite');
    const config: VendureConfig = {
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
        plugins: [TillPosPlugin.init({ tillAdministrator: { identifier: 'till', password: 'till-test-password' } })],
    };
    if (process.env.TILL_PLUGIN === '0') {
        /* the database was seeded with the plugin (shipping method, role, till login) */
        config.plugins = [];
        declareTillCustomFields(config);
    }
    return config;
}
