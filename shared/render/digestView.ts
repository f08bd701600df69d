/**
 * From a DigestModel to the view the weekly digest template sees: the four tiles with their
 * change against last week, the top roles, the week as dates and the "Take action" link.
 * Pure.
 */
import { DateTime } from 'luxon';
import type { TopRole } from '../directory/roleDirectory.js';
import { formatDate, singleLine } from './format.js';
import { portalLink } from './links.js';
import type { Action } from './notificationView.js';

export interface DigestTiles {
  usersActivated: number;
  usersMadePermanent: number;
  roleAssignmentsInPim: number;
  roleAssignmentsOutsidePim: number;
}

export interface DigestModel {
  tenantName: string;
  /** ISO week, e.g. 2026-W47. */
  week: string;
  /** ISO instants; the end is exclusive (next Monday 00:00 UTC). */
  weekStart: string;
  weekEnd: string;
  tiles: DigestTiles;
  /** The week before, to show the change. */
  previousTiles?: DigestTiles;
  topRoles: TopRole[];
  recipientName?: string;
  reason: string;
}

export interface Tile {
  key: keyof DigestTiles;
  label: string;
  value: number;
  /** "▲ 3 vs last week", "▼ 2 vs last week", "no change vs last week", or "" without a previous week. */
  change: string;
}

export interface DigestView {
  tenantName: string;
  week: string;
  /** First and last day of the week, e.g. "Mon 16 Nov 2026" and "Sun 22 Nov 2026". */
  weekFrom: string;
  weekTo: string;
  tiles: Tile[];
  /** The tiles two by two, for the HTML grid. */
  tileRows: Tile[][];
  topRoles: { displayName: string; permanent: number; eligible: number; total: number }[];
  recipientName?: string;
  reason: string;
  heading: string;
  facts: [];
  action: Action;
}

/** In the seed's order. */
const TILE_LABELS: [keyof DigestTiles, string][] = [
  ['usersActivated', 'Users activated'],
  ['usersMadePermanent', 'Users made permanent'],
  ['roleAssignmentsInPim', 'Role assignments in PIM'],
  ['roleAssignmentsOutsidePim', 'Role assignments outside of PIM'],
];

export function changeText(current: number, previous: number | undefined): string {
  if (previous === undefined) return '';
  const delta = current - previous;
  if (delta === 0) return 'no change vs last week';
  return delta > 0 ? `▲ ${delta} vs last week` : `▼ ${-delta} vs last week`;
}

export function digestView(model: DigestModel, portalBaseUrl: string): DigestView {
  const tiles = TILE_LABELS.map(([key, label]) => ({
    key,
    label,
    value: model.tiles[key],
    change: changeText(model.tiles[key], model.previousTiles?.[key]),
  }));
  // The end is exclusive: the last day shown is the day before it.
  const lastDay = DateTime.fromISO(model.weekEnd, { zone: 'utc' }).minus({ milliseconds: 1 }).toISO() ?? model.weekEnd;
  return {
    tenantName: singleLine(model.tenantName),
    week: singleLine(model.week),
    weekFrom: formatDate(model.weekStart),
    weekTo: formatDate(lastDay),
    tiles,
    tileRows: [tiles.slice(0, 2), tiles.slice(2, 4)],
    topRoles: model.topRoles.map((r) => ({
      displayName: singleLine(r.displayName) || r.roleDefinitionId,
      permanent: r.permanent,
      eligible: r.eligible,
      total: r.total,
    })),
    recipientName: model.recipientName ? singleLine(model.recipientName) || undefined : undefined,
    reason: singleLine(model.reason),
    heading: '',
    facts: [],
    action: { url: portalLink(portalBaseUrl, 'discoveryAndInsights'), label: 'Take action' },
  };
}
