/**
 * Azure portal links to the PIM blades an email sends people to. The fragments are the
 * portal's own blade paths (Microsoft_Azure_PIMCommon); the base is PORTAL_BASE_URL so that
 * national clouds (portal.azure.us, portal.azure.cn) get their own portal.
 *
 * `aadmigratedroles` is the Microsoft Entra roles tab of a menu blade, `azurerbac` the
 * Azure resources tab; ResourceMenuBlade pages with `provider/aadroles` are the Entra
 * roles management pages (assignments, alerts, discovery & insights).
 */

export type PortalPage =
  /** PIM's start page (Quick start). */
  | 'home'
  /** My roles: activate an eligible role, see or extend one's own assignments. */
  | 'myRoles'
  /** Approve requests: pending activation and extension requests one can approve. */
  | 'approveRequests'
  /** Who holds the roles: Entra role assignments, or the list of Azure resources in PIM. */
  | 'assignments'
  /** PIM alerts, e.g. "Roles are being assigned outside of Privileged Identity Management". */
  | 'alerts'
  /** Discovery & insights: turn permanent assignments into eligible ones (the digest's "Take action"). */
  | 'discoveryAndInsights';

export type ScopeKind = 'directory' | 'azureResource';

const PIM = '#view/Microsoft_Azure_PIMCommon';
const ENTRA_RESOURCE = 'resourceId//resourceType/tenant/provider/aadroles';

const ENTRA: Record<PortalPage, string> = {
  home: `${PIM}/CommonMenuBlade/~/quickStart`,
  myRoles: `${PIM}/ActivationMenuBlade/~/aadmigratedroles`,
  approveRequests: `${PIM}/ApproveRequestMenuBlade/~/aadmigratedroles`,
  assignments: `${PIM}/ResourceMenuBlade/~/members/${ENTRA_RESOURCE}`,
  alerts: `${PIM}/ResourceMenuBlade/~/Alerts/${ENTRA_RESOURCE}`,
  discoveryAndInsights: `${PIM}/ResourceMenuBlade/~/aaddiscovery/${ENTRA_RESOURCE}`,
};

/**
 * Azure resource pages. Assignments, alerts and discovery live under each resource in the
 * portal; without a stable deep link to one resource we open the list of resources in PIM.
 */
const AZURE: Record<PortalPage, string> = {
  home: ENTRA.home,
  myRoles: `${PIM}/ActivationMenuBlade/~/azurerbac`,
  approveRequests: `${PIM}/ApproveRequestMenuBlade/~/azurerbac`,
  assignments: `${PIM}/CommonMenuBlade/~/azurerbacbrowse`,
  alerts: `${PIM}/CommonMenuBlade/~/azurerbacbrowse`,
  discoveryAndInsights: `${PIM}/CommonMenuBlade/~/azurerbacbrowse`,
};

/** The link to a PIM page for Entra roles (`directory`) or Azure resource roles. */
export function portalLink(portalBaseUrl: string, page: PortalPage, scope: ScopeKind = 'directory'): string {
  const base = portalBaseUrl.replace(/\/+$/, '');
  const fragment = (scope === 'azureResource' ? AZURE : ENTRA)[page];
  return `${base}/${fragment}`;
}

/**
 * PIM for Groups pages: the Groups tab (`aadgroup`) of My roles and Approve requests, and the
 * group's own PIM page (its eligible and active assignments) by its object id, a GUID the
 * event schema has validated.
 */
export function groupPortalLink(portalBaseUrl: string, page: PortalPage, groupId: string): string {
  const base = portalBaseUrl.replace(/\/+$/, '');
  const fragment: Record<PortalPage, string> = {
    home: ENTRA.home,
    myRoles: `${PIM}/ActivationMenuBlade/~/aadgroup`,
    approveRequests: `${PIM}/ApproveRequestMenuBlade/~/aadgroup`,
    assignments: `${PIM}/ResourceMenuBlade/~/members/resourceId/${encodeURIComponent(groupId)}/resourceType/Security/provider/aadgroup`,
    alerts: `${PIM}/CommonMenuBlade/~/aadgroup`,
    discoveryAndInsights: `${PIM}/CommonMenuBlade/~/aadgroup`,
  };
  return `${base}/${fragment[page]}`;
}
