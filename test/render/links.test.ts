import { describe, expect, it } from 'vitest';
import { portalLink } from '../../shared/render/links.js';

describe('portalLink', () => {
  it('builds PIM blade links for Entra roles from the portal base, with or without a trailing slash', () => {
    expect(portalLink('https://portal.azure.com', 'myRoles')).toBe(
      'https://portal.azure.com/#view/Microsoft_Azure_PIMCommon/ActivationMenuBlade/~/aadmigratedroles',
    );
    expect(portalLink('https://portal.azure.us/', 'approveRequests')).toBe(
      'https://portal.azure.us/#view/Microsoft_Azure_PIMCommon/ApproveRequestMenuBlade/~/aadmigratedroles',
    );
    expect(portalLink('https://portal.azure.com', 'discoveryAndInsights')).toBe(
      'https://portal.azure.com/#view/Microsoft_Azure_PIMCommon/ResourceMenuBlade/~/aaddiscovery/resourceId//resourceType/tenant/provider/aadroles',
    );
  });

  it('uses the Azure resources tabs for Azure resource roles', () => {
    expect(portalLink('https://portal.azure.com', 'myRoles', 'azureResource')).toBe(
      'https://portal.azure.com/#view/Microsoft_Azure_PIMCommon/ActivationMenuBlade/~/azurerbac',
    );
    expect(portalLink('https://portal.azure.com', 'approveRequests', 'azureResource')).toBe(
      'https://portal.azure.com/#view/Microsoft_Azure_PIMCommon/ApproveRequestMenuBlade/~/azurerbac',
    );
  });
});
