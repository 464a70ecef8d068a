/**
 * The budgets a new conversation spends (docs/OPERATIONS.md "Limits"): one per visitor address and
 * one per account, each per hour. A refusal is 429 with Retry-After (seconds until the window ends)
 * and a code the visitor's widget turns into words (`rate-limited`: this address;
 * `account-rate-limited`: the business as a whole, issue #15 item 6).
 */
import type { ServerResponse } from 'node:http';
import type { RelayContext } from '../context.js';
import { HttpError } from '../errors.js';
import type { WindowCounter } from '../rate-limit.js';

function refuse(
  ctx: RelayContext,
  res: ServerResponse,
  counter: WindowCounter,
  key: string,
  code: string,
  message: string,
): never {
  const seconds = Math.max(1, Math.ceil(counter.retryAfterMs(key, ctx.now()) / 1000));
  res.setHeader('retry-after', String(seconds));
  ctx.metrics.reject(code === 'rate-limited' ? 'conversation-rate' : 'account-conversation-rate');
  throw new HttpError(429, code, message, { retryAfterSeconds: seconds });
}

/** Throws 429 when either budget is used up; otherwise spends one of each. */
export function spendConversationBudget(
  ctx: RelayContext,
  res: ServerResponse,
  address: string,
  accountId: string,
): void {
  const now = ctx.now();
  const byAddress = ctx.conversationLimiter;
  const byAccount = ctx.abuse.conversationsByAccount;
  if (byAddress.exhausted(address, now))
    refuse(
      ctx,
      res,
      byAddress,
      address,
      'rate-limited',
      `at most ${ctx.config.conversationsPerVisitorPerHour} new conversations per address per hour; continue an existing one`,
    );
  if (byAccount.exhausted(accountId, now))
    refuse(
      ctx,
      res,
      byAccount,
      accountId,
      'account-rate-limited',
      `this account receives at most ${ctx.config.conversationsPerAccountPerHour} new conversations per hour`,
    );
  byAddress.take(address, now);
  byAccount.take(accountId, now);
}
