/* The two tables the plugin adds: what makes a stock adjustment and a return idempotent
 * (Vendure has no place keyed by Till's idempotency key for either). */
import { DeepPartial, VendureEntity } from '@vendure/core';
import { Column, Entity } from 'typeorm';

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

/* A till return: refunded against its original Vendure order (orderCode set, the refunds
 * are on that order's payments) or, without a receipt Vendure knows, recorded here alone.
 * amount is what the till paid back (minor units, > 0); lines as the till sent them. */
@Entity()
export class TillReturn extends VendureEntity {
    constructor(input?: DeepPartial<TillReturn>) {
        super(input);
    }
    @Column({ unique: true }) key!: string;
    @Column({ type: 'varchar', nullable: true }) orderCode!: string | null;
    @Column({ type: 'varchar', nullable: true }) returnOf!: string | null;
    @Column() amount!: number;
    @Column() restocked!: number;
    @Column('simple-json') lines!: any;
    @Column('simple-json') payments!: any;
    @Column() completedAt!: Date;
}
