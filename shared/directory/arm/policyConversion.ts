/**
 * ARM role management policy rules → the Graph rule shape shared/rules/policy.ts reads.
 * ARM names the derived type in `ruleType` ("RoleManagementPolicyNotificationRule") where Graph
 * uses `@odata.type` ("#microsoft.graph.unifiedRoleManagementPolicyNotificationRule"), and names
 * approvers `{ id, userType: "User" | "Group" }` where Graph uses singleUser / groupMembers
 * subject sets. Everything else (ids, notificationLevel, recipients, setting) is the same. Pure.
 */
import type { PolicyRule } from '../roleDirectory.js';

export interface ArmPolicyRule {
  id?: string;
  ruleType?: string;
  [property: string]: unknown;
}

export function armRuleToGraph(rule: ArmPolicyRule): PolicyRule | undefined {
  if (typeof rule.id !== 'string') return undefined;
  const { ruleType, ...rest } = rule;
  const out: PolicyRule = { ...rest, id: rule.id };
  if (typeof ruleType === 'string') out['@odata.type'] = `#microsoft.graph.unified${ruleType}`;
  if (rule['setting'] && typeof rule['setting'] === 'object')
    out['setting'] = convertApprovalSetting(rule['setting'] as Record<string, unknown>);
  return out;
}

export function armRulesToGraph(rules: readonly ArmPolicyRule[] | undefined | null): PolicyRule[] {
  return (rules ?? []).map(armRuleToGraph).filter((r): r is PolicyRule => r !== undefined);
}

function convertApprovalSetting(setting: Record<string, unknown>): Record<string, unknown> {
  const stages = Array.isArray(setting['approvalStages']) ? (setting['approvalStages'] as Record<string, unknown>[]) : [];
  return {
    ...setting,
    approvalStages: stages.map((stage) => mapApprovers(stage, convertApprovers)),
  };
}

/** Converts the approver lists a stage has, leaving absent ones absent (a faithful translation). */
function mapApprovers(stage: Record<string, unknown>, convert: (value: unknown) => Record<string, unknown>[]): Record<string, unknown> {
  const out = { ...stage };
  for (const key of ['primaryApprovers', 'escalationApprovers']) if (Array.isArray(stage[key])) out[key] = convert(stage[key]);
  return out;
}

function convertApprovers(value: unknown): Record<string, unknown>[] {
  if (!Array.isArray(value)) return [];
  const out: Record<string, unknown>[] = [];
  for (const approver of value as Record<string, unknown>[]) {
    const id = approver?.['id'];
    if (typeof id !== 'string') continue;
    const type = String(approver['userType'] ?? '').toLowerCase();
    const description = typeof approver['description'] === 'string' ? { description: approver['description'] } : {};
    if (type === 'group') out.push({ '@odata.type': '#microsoft.graph.groupMembers', groupId: id, ...description });
    else if (type === 'user') out.push({ '@odata.type': '#microsoft.graph.singleUser', userId: id, ...description });
  }
  return out;
}

/** The inverse, for local endpoints that serve a Graph-shaped (snapshot) policy the ARM way. */
export function graphRuleToArm(rule: PolicyRule): ArmPolicyRule {
  const { '@odata.type': odataType, ...rest } = rule;
  const out: ArmPolicyRule = { ...rest };
  if (typeof odataType === 'string') out.ruleType = odataType.replace(/^#?microsoft\.graph\.unified/i, '');
  const setting = rule['setting'] as Record<string, unknown> | undefined;
  if (setting && Array.isArray(setting['approvalStages'])) {
    out['setting'] = {
      ...setting,
      approvalStages: (setting['approvalStages'] as Record<string, unknown>[]).map((stage) => mapApprovers(stage, toArmApprovers)),
    };
  }
  return out;
}

function toArmApprovers(value: unknown): Record<string, unknown>[] {
  if (!Array.isArray(value)) return [];
  return (value as Record<string, unknown>[]).flatMap((s) => {
    const type = String(s?.['@odata.type'] ?? '').toLowerCase();
    if (type.endsWith('singleuser')) return [{ id: s['userId'], userType: 'User', isBackup: false }];
    if (type.endsWith('groupmembers')) return [{ id: s['groupId'], userType: 'Group', isBackup: false }];
    return [];
  });
}
