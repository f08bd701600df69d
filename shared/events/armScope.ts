/**
 * One spelling per Azure scope. ARM writes a subscription two ways: its own list example of
 * role eligibility schedule requests gives a request's `scope` and `id` as
 * `/providers/Microsoft.Subscription/subscriptions/{id}` (azure-rest-api-specs,
 * specification/authorization/resource-manager/Microsoft.Authorization/stable/2020-10-01/examples/GetRoleEligibilityScheduleRequestByScope.json),
 * the by-name example of the same kind of request `/subscriptions/{id}`
 * (…/examples/GetRoleAssignmentScheduleRequestByName.json), and both examples address the
 * subscription as `providers/Microsoft.Subscription/subscriptions/{id}` in the `scope` parameter.
 * Every scope the app reads (events, ARM lists and GETs, audit records) goes through armScope(),
 * so one subscription is one scope whichever spelling a source used; ARM compares scopes without
 * regard to case (armScopeKey()).
 *
 * Pure (used by the event parser), hence here rather than beside the ARM reader.
 */

/** The alias prefix, with or without the leading slash, any case. */
const SUBSCRIPTION_ALIAS = /^\/?providers\/microsoft\.subscription(\/subscriptions\/[^/]+)/i;

/**
 * The scope as `/subscriptions/{id}/…` when ARM wrote the subscription's alias, without trailing
 * slashes; any other scope unchanged (case kept: names in it are shown to people).
 */
export function armScope(scope: string): string {
  const plain = scope.replace(SUBSCRIPTION_ALIAS, '$1').replace(/\/+$/, '');
  return plain === '' ? '/' : plain;
}

/** The key two spellings of one ARM scope share: the plain form, lower-cased. */
export function armScopeKey(scope: string): string {
  return armScope(scope).toLowerCase();
}
