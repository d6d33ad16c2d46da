/**
 * SQLite repository of the daily budgets requesting countries spend at this node: units used per
 * requester key (a country, or `<country>:bio` for biometric searches) per UTC day.
 */
import type { Db } from '#platform';
import type { BudgetsRepository } from './repositories.ts';
import { type Prepared, prepared } from './statement.ts';

export class SqliteBudgets implements BudgetsRepository {
  readonly #used: Prepared<[string, string], { used: number }>;
  readonly #add: Prepared<[string, string, number]>;
  readonly #usage: Prepared<[string], { requester: string; used: number }>;

  constructor(db: Db) {
    this.#used = prepared(db, 'SELECT used FROM budget WHERE requester = ? AND day = ?');
    this.#usage = prepared(db, 'SELECT requester, used FROM budget WHERE day = ? ORDER BY requester');
    this.#add = prepared(
      db,
      `INSERT INTO budget (requester, day, used) VALUES (?, ?, ?)
       ON CONFLICT(requester, day) DO UPDATE SET used = used + excluded.used`,
    );
  }

  used(requester: string, day: string): number {
    return this.#used.get(requester, day)?.used ?? 0;
  }

  usage(day: string): Array<{ requester: string; used: number }> {
    return this.#usage.all(day);
  }

  add(requester: string, day: string, n: number): void {
    this.#add.run(requester, day, n);
  }
}
