/**
 * Routing: the plan's `routing` block turned into deliveries (recipients × channels), the
 * notifier that sends them once each, the held-delivery store of quiet hours and digests,
 * and the dispatcher that sends what was held.
 *
 * @example
 * ```ts
 * import { RoutingNotifier, LogAndWebhookNotifier, openAuditStore, openHeldDeliveries } from '@duban/activities';
 *
 * const store = await openAuditStore(target);
 * const notifier = await RoutingNotifier.create({
 *   plans: [plan],                                   // loadPlanFile(...) from @duban/plan
 *   outbox: store.outbox(),
 *   held: await openHeldDeliveries(target),          // the same file or database
 *   fallback: new LogAndWebhookNotifier({ outbox: store.outbox() }),
 * });
 * const dispatcher = notifier.dispatcher({ owner: `${hostname()}:${process.pid}` });
 * dispatcher.start();                                // sends held messages when due
 * ```
 */
export { RoutingNotifier } from './notifier';
export type { DeliveryOutcome, RouteOptions, RoutingNotifierOptions, RoutingReport } from './notifier';
export { HeldDeliveryDispatcher } from './dispatcher';
export type { DispatchOutcome, HeldDeliveryDispatcherOptions } from './dispatcher';
export { InMemoryHeldDeliveries, PostgresHeldDeliveries, SqliteHeldDeliveries, openHeldDeliveries } from './held-store';
export type { ClaimOptions, HeldDelivery, HeldDeliveryInput, HeldDeliveryStore, HeldState } from './held-store';
export { deliveryKey, resolveDeliveries, routesFor } from './resolve';
export type { Delivery, Resolution, Unreachable } from './resolve';
export { URGENT_KINDS, holdFor, inQuietHours, isUrgent, nextLocalTime } from './schedule';
export type { Hold, HoldQuestion } from './schedule';
export { digestMessage } from './digest';
export { DEFAULT_DIGEST_AT, UNIT_ROBOT } from './types';
export type { RoutedContact, RoutedPerson, RoutedPlan, RouteSettings, RoutingSettings } from './types';
